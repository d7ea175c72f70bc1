"""`program_id_in`: the tie runs through one of the listed programs or intermediaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tiewatch.core.records import TieRecord
from tiewatch.policies.engine.facts import Counterpart
from tiewatch.policies.engine.operators.base import (
    CompileContext,
    EvidenceLookup,
    Explanation,
    Need,
    Pred,
    ValueSet,
    register,
)


@register
@dataclass(frozen=True, slots=True)
class ProgramIdIn(ValueSet):
    op: ClassVar[str] = "program_id_in"
    ENTITY_IDS: ClassVar[bool] = True

    def describe(self) -> str:
        return "program in " + self.listed()

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        return f"program {tie.program} is a listed program" if tie.program in self.values else None

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        v = self.values
        return lambda t, cp: t.program in v

    def need(self, cx: CompileContext) -> Need | None:
        return (None, self.values, False)
