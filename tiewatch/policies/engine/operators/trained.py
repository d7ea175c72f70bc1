"""`counterpart_country_where_subject_trained`: a test of the counterpart's country against the
evidence in the subject's *other* ties (Durham's literal reading)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tiewatch.core.records import TIE_KINDS, TieRecord
from tiewatch.policies.engine.facts import Counterpart
from tiewatch.policies.engine.operators.base import (
    CompileContext,
    Condition,
    EvidenceLookup,
    EvidenceSpec,
    Explanation,
    Leaf,
    ParseContext,
    Pred,
    join_path,
    register,
)

DEFAULT_ATTRIBUTE = "military_style_training"


@register
@dataclass(frozen=True, slots=True)
class CounterpartCountryWhereSubjectTrained(Leaf):
    """Durham's literal test: the counterpart's country is one in which the tie's (bound) subject
    has received training of the given character, as recorded by *other* ties of that subject
    (of `tie_kinds`) whose attribute `attribute` is true — or `"disputed"`, which counts only
    when `count_disputed` is true and is then shown as disputed evidence."""

    tie_kinds: frozenset[str]
    attribute: str = DEFAULT_ATTRIBUTE
    count_disputed: bool = False
    op: ClassVar[str] = "counterpart_country_where_subject_trained"
    FIELDS: ClassVar[tuple[str, ...]] = ("tie_kinds", "attribute", "count_disputed")

    @property
    def spec(self) -> EvidenceSpec:
        return EvidenceSpec(self.tie_kinds, self.attribute, self.count_disputed)

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        here = join_path(path, cls.op)
        arg = data[cls.op]
        if arg is None:  # every field has a default
            arg = {}
        if not ctx.fields(arg, cls.FIELDS, here):
            return None
        kinds = ctx.str_list(arg, "tie_kinds", here, TIE_KINDS, "tie kind") or ["training"]
        attribute = ctx.string(arg, "attribute", here, DEFAULT_ATTRIBUTE)
        return cls(frozenset(kinds), attribute or DEFAULT_ATTRIBUTE, ctx.boolean(arg, "count_disputed", here, False))

    def to_data(self) -> Any:
        return {self.op: {"tie_kinds": sorted(self.tie_kinds), "attribute": self.attribute,
                          "count_disputed": self.count_disputed}}

    def describe(self) -> str:
        return (f"counterpart's country is one where the subject received training with "
                f"{self.attribute} (ties of kind {', '.join(sorted(self.tie_kinds))}"
                f"{'; disputed evidence counts' if self.count_disputed else ''})")

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        if not cp.country:
            return None
        found = evidence(self.spec, tie.subject, cp.country, tie.id)
        if not found:
            return None
        if out is not None:
            out.evidence.extend(found)
        disputed = sum(1 for e in found if e.status == "disputed")
        note = f" ({disputed} of {len(found)} disputed)" if disputed else ""
        return (f"{tie.subject} has recorded {self.attribute} in {cp.country}, the counterpart's country: "
                f"{', '.join(e.tie for e in found)}{note}")

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        spec = self.spec
        cx.want_evidence(spec, subjects)

        def trained(t: TieRecord, cp: Counterpart) -> bool:
            if not cp.country:
                return False
            found = cx.evidence[spec].get((t.subject, cp.country))
            if not found:
                return False
            return any(e.tie != t.id for e in found)
        return trained
