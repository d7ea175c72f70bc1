"""Claims as a reader sees them, grouped by fact and side by side: pages, the API and the screening's
records all read them here, after the one visibility rule (visibility.claims)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from tiewatch.core.records import CONFIDENCE_GRADES, ClaimRecord
from tiewatch.registry import visibility
from tiewatch.registry.models import Claim, Entity, Source, Tie

# Plain words for pages (docs/registry.md#claims-and-confidence).
CONFIDENCE_WORDS = {
    "official_record": "official record",
    "several_independent_sources": "several independent sources",
    "one_source": "one source",
    "party_claim": "a party's own claim",
    "contested": "contested",
}
assert set(CONFIDENCE_WORDS) == set(CONFIDENCE_GRADES)


@dataclass(frozen=True)
class ClaimView:
    fact: str
    value: Any
    confidence: str
    claimant_id: str | None
    claimant_name: str
    sources: tuple[Source, ...]
    retrieved_on: dt.date | None
    quote: str

    @property
    def confidence_words(self) -> str:
        return CONFIDENCE_WORDS.get(self.confidence, self.confidence)

    @property
    def value_text(self) -> str:
        if isinstance(self.value, bool):
            return "yes" if self.value else "no"
        if isinstance(self.value, str):
            return self.value
        return json.dumps(self.value, ensure_ascii=False)

    def as_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "value": self.value, "confidence": self.confidence,
                "claimant": self.claimant_id, "claimant_name": self.claimant_name,
                "sources": [s.id for s in self.sources],
                "retrieved_on": self.retrieved_on.isoformat() if self.retrieved_on else None, "quote": self.quote}

    def record(self) -> ClaimRecord:
        return ClaimRecord(self.fact, self.value, self.confidence, self.claimant_id or self.claimant_name,
                           tuple(s.id for s in self.sources), self.retrieved_on)


@dataclass(frozen=True)
class FactClaims:
    """Every claim of one fact. `conflicting`: the claims give different values, or one is contested;
    pages then say so rather than pick one."""

    fact: str
    claims: tuple[ClaimView, ...]

    @property
    def conflicting(self) -> bool:
        values = {json.dumps(c.value, sort_keys=True) for c in self.claims}
        return len(values) > 1 or any(c.confidence == "contested" for c in self.claims)

    @property
    def label(self) -> str:
        return self.fact.replace("_", " ")


def _views(claims: Iterable[Claim], drafts: bool) -> list[ClaimView]:
    out = []
    for c in claims:
        claimant: Entity | None = c.claimant
        shown = claimant is not None and (drafts or claimant.published)
        out.append(ClaimView(
            fact=c.fact, value=c.value, confidence=c.confidence,
            claimant_id=claimant.pk if shown and claimant is not None else None,
            claimant_name=(claimant.name if shown and claimant is not None else c.claimant_name),
            sources=tuple(s for s in c.sources.all() if drafts or s.published),
            retrieved_on=c.retrieved_on, quote=c.quote))
    return out


def _query(drafts: bool) -> Any:
    return visibility.claims(drafts).select_related("claimant").prefetch_related(
        Prefetch("sources", queryset=Source.objects.order_by("id")))


def group(views: Iterable[ClaimView]) -> list[FactClaims]:
    by_fact: dict[str, list[ClaimView]] = defaultdict(list)
    for v in views:
        by_fact[v.fact].append(v)
    return [FactClaims(fact, tuple(items)) for fact, items in sorted(by_fact.items())]


def claims_of(record: Entity | Tie, drafts: bool) -> list[FactClaims]:
    """The claims of one record the reader sees (the caller has already shown the record itself)."""
    owner = {"entity": record} if isinstance(record, Entity) else {"tie": record}
    return group(_views(_query(drafts).filter(**owner).order_by("fact", "position", "id"), drafts))


def tie_claim_records(tie_ids: Iterable[str] | None, drafts: bool) -> dict[str, tuple[ClaimRecord, ...]]:
    """Claims of ties as plain records for the pure cores (all ties' when `tie_ids` is None)."""
    qs = _query(drafts).filter(tie__isnull=False)
    if tie_ids is not None:
        qs = qs.filter(tie_id__in=list(tie_ids))
    out: dict[str, list[ClaimRecord]] = defaultdict(list)
    claims = list(qs.order_by("tie_id", "fact", "position", "id"))
    for claim, view in zip(claims, _views(claims, drafts), strict=True):
        out[claim.tie_id or ""].append(view.record())
    return {tid: tuple(items) for tid, items in out.items()}
