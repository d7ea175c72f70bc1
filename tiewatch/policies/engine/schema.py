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

from tiewatch.policies.engine.facts import division_ancestors, division_contains
from tiewatch.policies.engine.operators import (
    TABLE,
    All,
    Any_,
    AttributeEquals,
    AttributeExists,
    AttributeIn,
    AttributeTruthy,
    Condition,
    CounterpartCountryIn,
    CounterpartCountryWhereSubjectTrained,
    CounterpartIdIn,
    CounterpartJurisdictionWithin,
    CounterpartKindIn,
    Not,
    ProgramIdIn,
    StatusIn,
)

__all__ = [  # the operators and division helpers are re-exported: law-pack code reads schema.All, ...
    "EFFECTS", "EFFECT_VERDICT", "INSTRUMENT_TYPES", "OPERATORS", "VERDICTS", "VERDICT_RANK", "WINDOW_MATCHES",
    "All", "Any_", "AttributeEquals", "AttributeExists", "AttributeIn", "AttributeTruthy", "Binds", "Condition",
    "CounterpartCountryIn", "CounterpartCountryWhereSubjectTrained", "CounterpartIdIn",
    "CounterpartJurisdictionWithin", "CounterpartKindIn", "Instrument", "Not", "PolicySet", "PolicySource",
    "ProgramIdIn", "Rule", "StatusIn", "Vote", "Window", "condition_to_data", "describe", "division_ancestors",
    "division_contains",
]

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
WINDOW_MATCHES: tuple[str, ...] = ("overlaps", "within", "starts")

# Condition operators: one class each, in one table (operators/).
OPERATORS: tuple[str, ...] = tuple(TABLE)  # exactly as written in law packs (docs/policies.md documents each)


def condition_to_data(cond: Condition) -> Any:
    """The YAML/JSON form of a condition (inverse of the loader)."""
    return cond.to_data()


def describe(cond: Condition) -> str:
    """A one-line human reading of a condition."""
    return cond.describe()


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


@dataclass(frozen=True, slots=True)
class PolicySet:
    instruments: tuple[Instrument, ...] = field(default_factory=tuple)

    def get(self, policy_id: str) -> Instrument:
        for inst in self.instruments:
            if inst.id == policy_id:
                return inst
        raise KeyError(policy_id)
