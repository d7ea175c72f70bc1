"""The policy language as plain dataclasses.

A law pack file is one `Instrument` (a statement, resolution, ordinance, ...) holding one or more
`Rule`s. A rule binds some subjects (listed entities, or every entity of given kinds within an
Open Civic Data division and its children), applies to some tie kinds, tests the tie's
counterparts, program and attributes with a `Condition` tree, and is in force during a window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

EFFECTS: tuple[str, ...] = ("prohibit", "require_approval", "report")
VERDICTS: tuple[str, ...] = ("allowed", "reported", "requires_approval", "prohibited")  # weakest first
EFFECT_VERDICT: dict[str, str] = {
    "prohibit": "prohibited",
    "require_approval": "requires_approval",
    "report": "reported",
}
VERDICT_RANK: dict[str, int] = {v: i for i, v in enumerate(VERDICTS)}
INSTRUMENT_TYPES: tuple[str, ...] = (
    "statement",
    "resolution",
    "ordinance",
    "executive_order",
    "administrative_decision",
    "state_law",
)
WINDOW_MATCHES: tuple[str, ...] = ("overlaps", "within")

# Condition operator names, exactly as written in law packs (docs/policies.md documents each).
OPERATORS: tuple[str, ...] = (
    "all",
    "any",
    "not",
    "counterpart_id_in",
    "counterpart_kind_in",
    "counterpart_country_in",
    "counterpart_jurisdiction_within",
    "counterpart_country_where_subject_trained",
    "program_id_in",
    "attribute_equals",
    "attribute_in",
    "attribute_exists",
    "attribute_truthy",
    "status_in",
)


# ---------------------------------------------------------------- conditions
@dataclass(frozen=True, slots=True)
class Condition:
    """Base of the condition tree."""

    @property
    def op(self) -> str:  # the operator name used in YAML
        return _OP_NAMES[type(self)]


@dataclass(frozen=True, slots=True)
class All(Condition):
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Any_(Condition):
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not(Condition):
    item: Condition


@dataclass(frozen=True, slots=True)
class CounterpartIdIn(Condition):
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class CounterpartKindIn(Condition):
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class CounterpartCountryIn(Condition):
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class CounterpartJurisdictionWithin(Condition):
    division: str


@dataclass(frozen=True, slots=True)
class CounterpartCountryWhereSubjectTrained(Condition):
    """Durham's literal test: the counterpart's country is one in which the tie's (bound) subject
    has received training of the given character, as recorded by *other* ties of that subject
    (of `tie_kinds`) whose attribute `attribute` is true — or `"disputed"`, which counts only
    when `count_disputed` is true and is then shown as disputed evidence."""

    tie_kinds: frozenset[str]
    attribute: str = "military_style_training"
    count_disputed: bool = False


@dataclass(frozen=True, slots=True)
class ProgramIdIn(Condition):
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class AttributeEquals(Condition):
    name: str
    value: Any


@dataclass(frozen=True, slots=True)
class AttributeIn(Condition):
    name: str
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class AttributeExists(Condition):
    name: str


@dataclass(frozen=True, slots=True)
class AttributeTruthy(Condition):
    name: str


@dataclass(frozen=True, slots=True)
class StatusIn(Condition):
    values: frozenset[str]


_OP_NAMES: dict[type, str] = {
    All: "all",
    Any_: "any",
    Not: "not",
    CounterpartIdIn: "counterpart_id_in",
    CounterpartKindIn: "counterpart_kind_in",
    CounterpartCountryIn: "counterpart_country_in",
    CounterpartJurisdictionWithin: "counterpart_jurisdiction_within",
    CounterpartCountryWhereSubjectTrained: "counterpart_country_where_subject_trained",
    ProgramIdIn: "program_id_in",
    AttributeEquals: "attribute_equals",
    AttributeIn: "attribute_in",
    AttributeExists: "attribute_exists",
    AttributeTruthy: "attribute_truthy",
    StatusIn: "status_in",
}
assert set(_OP_NAMES.values()) == set(OPERATORS)

# Leaves that look only at one counterpart entity (compiled into precomputed id sets).
COUNTERPART_LEAVES = (CounterpartIdIn, CounterpartKindIn, CounterpartCountryIn, CounterpartJurisdictionWithin)


def condition_to_data(cond: Condition) -> Any:
    """The YAML/JSON form of a condition (inverse of the loader)."""
    if isinstance(cond, (All, Any_)):
        return {cond.op: [condition_to_data(c) for c in cond.items]}
    if isinstance(cond, Not):
        return {"not": condition_to_data(cond.item)}
    if isinstance(cond, (CounterpartIdIn, CounterpartKindIn, CounterpartCountryIn, ProgramIdIn, StatusIn)):
        return {cond.op: sorted(cond.values)}
    if isinstance(cond, CounterpartJurisdictionWithin):
        return {cond.op: cond.division}
    if isinstance(cond, CounterpartCountryWhereSubjectTrained):
        return {cond.op: {"tie_kinds": sorted(cond.tie_kinds), "attribute": cond.attribute,
                          "count_disputed": cond.count_disputed}}
    if isinstance(cond, AttributeEquals):
        return {cond.op: {"name": cond.name, "value": cond.value}}
    if isinstance(cond, AttributeIn):
        return {cond.op: {"name": cond.name, "values": list(cond.values)}}
    if isinstance(cond, (AttributeExists, AttributeTruthy)):
        return {cond.op: cond.name}
    raise TypeError(cond)


def describe(cond: Condition) -> str:
    """A one-line human reading of a condition."""
    if isinstance(cond, All):
        return "all of (" + "; ".join(describe(c) for c in cond.items) + ")"
    if isinstance(cond, Any_):
        return "any of (" + "; ".join(describe(c) for c in cond.items) + ")"
    if isinstance(cond, Not):
        return "not (" + describe(cond.item) + ")"
    if isinstance(cond, CounterpartIdIn):
        return "counterpart is one of " + ", ".join(sorted(cond.values))
    if isinstance(cond, CounterpartKindIn):
        return "counterpart kind in " + ", ".join(sorted(cond.values))
    if isinstance(cond, CounterpartCountryIn):
        return "counterpart country in " + ", ".join(sorted(cond.values))
    if isinstance(cond, CounterpartJurisdictionWithin):
        return f"counterpart within {cond.division}"
    if isinstance(cond, CounterpartCountryWhereSubjectTrained):
        return (f"counterpart's country is one where the subject received training with "
                f"{cond.attribute} (ties of kind {', '.join(sorted(cond.tie_kinds))}"
                f"{'; disputed evidence counts' if cond.count_disputed else ''})")
    if isinstance(cond, ProgramIdIn):
        return "program in " + ", ".join(sorted(cond.values))
    if isinstance(cond, AttributeEquals):
        return f"attribute {cond.name} = {cond.value!r}"
    if isinstance(cond, AttributeIn):
        return f"attribute {cond.name} in {list(cond.values)!r}"
    if isinstance(cond, AttributeExists):
        return f"attribute {cond.name} recorded"
    if isinstance(cond, AttributeTruthy):
        return f"attribute {cond.name} is true"
    if isinstance(cond, StatusIn):
        return "tie status in " + ", ".join(sorted(cond.values))
    raise TypeError(cond)


# ---------------------------------------------------------------- instruments and rules
@dataclass(frozen=True, slots=True)
class Vote:
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    absent: int | None = None
    roll_call: tuple[tuple[str, str], ...] = ()  # (member, "yes"|"no"|"abstain"|"absent")

    def summary(self) -> str:
        parts = [f"{self.yes or 0}-{self.no or 0}"]
        if self.abstain:
            parts.append(f"{self.abstain} abstaining")
        if self.absent:
            parts.append(f"{self.absent} absent")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class PolicySource:
    url: str
    title: str = ""
    publisher: str = ""


@dataclass(frozen=True, slots=True)
class Binds:
    entities: frozenset[str] = frozenset()
    jurisdiction: str = ""
    entity_kinds: frozenset[str] = frozenset()
    include_child_divisions: bool = True


@dataclass(frozen=True, slots=True)
class Window:
    start: dt.date | None = None  # first day the rule may apply (inclusive)
    end: dt.date | None = None  # last day (inclusive)
    match: str = "overlaps"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    clause: str
    effect: str
    binds: Binds
    tie_kinds: frozenset[str]
    condition: Condition | None = None
    window: Window = Window()  # the rule's own window, before intersecting with the instrument's
    approval_attribute: str = ""  # require_approval rules: a tie with this attribute truthy passes
    note: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    title: str
    jurisdiction: str
    body: str
    type: str
    binding: bool
    adopted: dt.date | None
    effective: dt.date | None
    rescinded: dt.date | None
    vote: Vote | None
    text: str
    sources: tuple[PolicySource, ...]
    rules: tuple[Rule, ...]
    rescission_vote: Vote | None = None
    example: bool = False
    note: str = ""
    file: str = ""
    digest: str = ""  # sha256 of the file text (changes trigger re-screening)

    def in_force_window(self, rule: Rule) -> Window:
        """[max(effective or adopted, rule.window.start), min(rescinded - 1 day, rule.window.end)]."""
        start = self.effective or self.adopted
        if rule.window.start is not None and (start is None or rule.window.start > start):
            start = rule.window.start
        end = self.rescinded - dt.timedelta(days=1) if self.rescinded else None
        if rule.window.end is not None and (end is None or rule.window.end < end):
            end = rule.window.end
        return Window(start, end, rule.window.match)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def division_contains(parent: str, child: str, include_children: bool = True) -> bool:
    """OCD division containment on whole path segments (…/state:nc contains …/state:nc/place:durham)."""
    if not parent or not child:
        return False
    if child == parent:
        return True
    return include_children and child.startswith(parent + "/")


def division_ancestors(division: str) -> list[str]:
    """The division and every ancestor: a/b/c -> [a/b/c, a/b, a]."""
    parts = division.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


@dataclass(frozen=True, slots=True)
class PolicySet:
    instruments: tuple[Instrument, ...] = field(default_factory=tuple)

    def get(self, policy_id: str) -> Instrument:
        for inst in self.instruments:
            if inst.id == policy_id:
                return inst
        raise KeyError(policy_id)
