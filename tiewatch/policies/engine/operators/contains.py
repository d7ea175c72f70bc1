"""`attribute_contains_any`: a list-valued attribute holds one of the given values.

Imported datasets record several labels on one tie: a LESO row's `categories` is a list of
equipment slugs (`["wheeled_armored_vehicle", "mrap"]`), and a law names the slugs it covers. A
scalar attribute counts as a list of one, so the operator also reads single-valued attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tiewatch.core.records import TieRecord
from tiewatch.policies.engine.facts import Counterpart
from tiewatch.policies.engine.operators.attributes import parse_values
from tiewatch.policies.engine.operators.base import (
    CompileContext,
    Condition,
    EvidenceLookup,
    Explanation,
    Leaf,
    Need,
    ParseContext,
    Pred,
    join_path,
    register,
)


def _members(value: Any) -> tuple[Any, ...]:
    """The values an attribute holds: a list or tuple's items, a scalar alone, nothing for None."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@register
@dataclass(frozen=True, slots=True)
class AttributeContainsAny(Leaf):
    name: str
    values: tuple[Any, ...]
    op: ClassVar[str] = "attribute_contains_any"
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "values")

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        here, arg = join_path(path, cls.op), data[cls.op]
        values = parse_values(ctx, arg, here, cls.FIELDS)
        if values is None:
            return None
        if not all(_hashable(v) for v in values):
            ctx.err("each value is one text, number or boolean", join_path(here, "values"), arg, "values")
            return None
        return cls(ctx.string(arg, "name", here), tuple(values))

    def to_data(self) -> Any:
        return {self.op: {"name": self.name, "values": list(self.values)}}

    def describe(self) -> str:
        return f"attribute {self.name} contains one of {list(self.values)!r}"

    def found(self, tie: TieRecord) -> list[Any]:
        """The listed values the tie's attribute holds, in the attribute's order."""
        wanted = self.values
        return [v for v in _members((tie.attributes or {}).get(self.name)) if _hashable(v) and v in wanted]

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        found = self.found(tie)
        return f"attribute {self.name} contains {', '.join(map(str, found))}" if found else None

    def need(self, cx: CompileContext) -> Need | None:
        return (None, None, True)

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        name, wanted = self.name, frozenset(self.values)

        def contains(t: TieRecord, cp: Counterpart) -> bool:
            if not t.attributes:
                return False
            return any(_hashable(v) and v in wanted for v in _members(t.attributes.get(name)))
        return contains
