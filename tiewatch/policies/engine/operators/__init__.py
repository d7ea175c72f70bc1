"""The condition operators of the policy language, one table of them (`TABLE`, by law-pack name).

The modules are imported in the order the operators are documented and listed in messages; a new
operator is one class in one of them (or in a new module imported here). See base.py.
"""

# ruff: noqa: I001  (import order is registration order, which is the documented order)

from tiewatch.policies.engine.operators.base import (
    TABLE,
    CompileContext,
    Condition,
    EvidenceLookup,
    EvidenceSpec,
    Explanation,
    Leaf,
    Need,
    ParseContext,
    Pred,
    ValueSet,
    join_path,
    need_size,
    register,
    unregister,
)
from tiewatch.policies.engine.operators.logic import All, Any_, Not, parse_condition
from tiewatch.policies.engine.operators.counterpart import (
    CounterpartCountryIn,
    CounterpartIdIn,
    CounterpartJurisdictionWithin,
    CounterpartKindIn,
)
from tiewatch.policies.engine.operators.trained import CounterpartCountryWhereSubjectTrained
from tiewatch.policies.engine.operators.program import ProgramIdIn
from tiewatch.policies.engine.operators.attributes import (
    AttributeEquals,
    AttributeExists,
    AttributeIn,
    AttributeTruthy,
)
from tiewatch.policies.engine.operators.contains import AttributeContainsAny
from tiewatch.policies.engine.operators.status import StatusIn

__all__ = [
    "TABLE",
    "All",
    "Any_",
    "AttributeContainsAny",
    "AttributeEquals",
    "AttributeExists",
    "AttributeIn",
    "AttributeTruthy",
    "CompileContext",
    "Condition",
    "CounterpartCountryIn",
    "CounterpartCountryWhereSubjectTrained",
    "CounterpartIdIn",
    "CounterpartJurisdictionWithin",
    "CounterpartKindIn",
    "EvidenceLookup",
    "EvidenceSpec",
    "Explanation",
    "Leaf",
    "Need",
    "Not",
    "ParseContext",
    "Pred",
    "ProgramIdIn",
    "StatusIn",
    "ValueSet",
    "join_path",
    "need_size",
    "parse_condition",
    "register",
    "unregister",
]
