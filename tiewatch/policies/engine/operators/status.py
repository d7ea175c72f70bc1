"""`status_in`: the tie's status is one of the listed ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tiewatch.core.records import TIE_STATUSES, TieRecord
from tiewatch.policies.engine.facts import Counterpart
from tiewatch.policies.engine.operators.base import (
    CompileContext,
    EvidenceLookup,
    Explanation,
    Pred,
    ValueSet,
    register,
)


@register
@dataclass(frozen=True, slots=True)
class StatusIn(ValueSet):
    op: ClassVar[str] = "status_in"
    CHOICES: ClassVar[tuple[str, ...] | None] = TIE_STATUSES
    WHAT: ClassVar[str] = "tie status"

    def describe(self) -> str:
        return "tie status in " + self.listed()

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        return f"tie status {tie.status}" if tie.status in self.values else None

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        v = self.values
        return lambda t, cp: t.status in v
