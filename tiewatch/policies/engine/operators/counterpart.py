"""Tests of the counterpart entity alone: `counterpart_id_in`, `counterpart_kind_in`,
`counterpart_country_in`, `counterpart_jurisdiction_within`. The engine compiles them (and any
`all`/`any`/`not` of them) into one precomputed set of entity ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from tiewatch.core.records import ENTITY_KINDS, TieRecord
from tiewatch.policies.engine.facts import OCD_DIVISION, Counterpart, division_contains
from tiewatch.policies.engine.operators.base import (
    CompileContext,
    Condition,
    EvidenceLookup,
    Explanation,
    Leaf,
    ParseContext,
    Pred,
    ValueSet,
    join_path,
    register,
)

_COUNTRY = re.compile(r"^[A-Z]{2}$")


@register
@dataclass(frozen=True, slots=True)
class CounterpartIdIn(ValueSet):
    op: ClassVar[str] = "counterpart_id_in"
    ENTITY_IDS: ClassVar[bool] = True
    COUNTERPART_ONLY: ClassVar[bool] = True

    def describe(self) -> str:
        return "counterpart is one of " + self.listed()

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        return f"counterpart {cp.id} is a listed counterpart" if cp.id in self.values else None

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        v = self.values
        return lambda t, cp: cp.id in v

    def id_set(self, cx: CompileContext) -> frozenset[str]:
        return frozenset(self.values & cx.all_ids)


@register
@dataclass(frozen=True, slots=True)
class CounterpartKindIn(ValueSet):
    op: ClassVar[str] = "counterpart_kind_in"
    CHOICES: ClassVar[tuple[str, ...] | None] = ENTITY_KINDS
    WHAT: ClassVar[str] = "entity kind"
    COUNTERPART_ONLY: ClassVar[bool] = True

    def describe(self) -> str:
        return "counterpart kind in " + self.listed()

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        return f"counterpart {cp.id} is a {cp.kind} (one of {self.listed()})" if cp.kind in self.values else None

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        v = self.values
        return lambda t, cp: cp.kind in v

    def id_set(self, cx: CompileContext) -> frozenset[str]:
        return frozenset().union(*(cx.by_kind.get(k, ()) for k in self.values))


@register
@dataclass(frozen=True, slots=True)
class CounterpartCountryIn(ValueSet):
    op: ClassVar[str] = "counterpart_country_in"
    COUNTERPART_ONLY: ClassVar[bool] = True

    @classmethod
    def check_values(cls, ctx: ParseContext, values: list[str], arg: Any, here: str) -> None:
        for i, v in enumerate(values):
            if not _COUNTRY.match(v):
                ctx.err(f"{v!r} is not an ISO 3166-1 alpha-2 code like IL", f"{here}[{i}]", arg, i)

    def describe(self) -> str:
        return "counterpart country in " + self.listed()

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        return (f"counterpart {cp.id or '(unnamed)'} is in {cp.country} (one of {self.listed()})"
                if cp.country in self.values else None)

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        v = self.values
        return lambda t, cp: cp.country in v

    def id_set(self, cx: CompileContext) -> frozenset[str]:
        return frozenset().union(*(cx.by_country.get(c, ()) for c in self.values))


@register
@dataclass(frozen=True, slots=True)
class CounterpartJurisdictionWithin(Leaf):
    division: str
    op: ClassVar[str] = "counterpart_jurisdiction_within"
    COUNTERPART_ONLY: ClassVar[bool] = True

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        arg = data[cls.op]
        if not isinstance(arg, str) or not OCD_DIVISION.match(arg):
            ctx.err(f"expected an OCD division id like ocd-division/country:us/state:nc, got {arg!r}",
                    join_path(path, cls.op), data, cls.op)
            return None
        return cls(arg)

    def to_data(self) -> Any:
        return {self.op: self.division}

    def describe(self) -> str:
        return f"counterpart within {self.division}"

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        return (f"counterpart {cp.id} is within {self.division}"
                if division_contains(self.division, cp.jurisdiction) else None)

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        d = self.division
        return lambda t, cp: division_contains(d, cp.jurisdiction)

    def id_set(self, cx: CompileContext) -> frozenset[str]:
        return frozenset(cx.by_division.get(self.division, ()))
