"""The review queue as people read it (the web page and `tiewatch resolve review`): pending pairs
with both records side by side and the engine's explanation, and decisions as plain data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tiewatch.registry.models import Entity
from tiewatch.resolution.merges import current_id
from tiewatch.resolution.models import CandidatePair, Decision

JUDGEMENT_KEYS = {"m": "match", "n": "no_match", "u": "unsure"}
SHOWN_FIELDS = ("id", "name", "kind", "country", "jurisdiction", "aliases", "parent", "published", "ties")


def pending_pairs() -> QuerySet[CandidatePair]:
    return CandidatePair.objects.filter(status=CandidatePair.Status.PENDING).order_by("-score", "id")


def record_dict(entity_id: str) -> dict[str, Any]:
    """One side of a pair as a reviewer needs it; an id merged away since shows where it went."""
    entity = Entity.objects.filter(pk=current_id(entity_id)).select_related("jurisdiction").first()
    if entity is None:
        return {"id": entity_id, "missing": True}
    return {
        "id": entity.pk, "asked_id": entity_id, "name": entity.name, "kind": entity.kind, "country": entity.country,
        "jurisdiction": entity.jurisdiction_id or "", "aliases": list(entity.aliases or []),
        "parent": entity.parent_id or "", "published": entity.published,
        "ties": entity.ties_as_subject.count() + entity.counterpart_links.count(),
        "note": entity.note, "missing": False,
    }


@dataclass
class PairView:
    pair: CandidatePair
    left: dict[str, Any]
    right: dict[str, Any]

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        return [(name, _text(self.left.get(name, "")), _text(self.right.get(name, ""))) for name in SHOWN_FIELDS[1:]]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no (draft)"
    return str(value)


def pair_view(pair: CandidatePair) -> PairView:
    return PairView(pair=pair, left=record_dict(pair.left_id), right=record_dict(pair.right_id))


def print_pair(pair: CandidatePair, say: Callable[[str], Any]) -> None:
    view = pair_view(pair)
    say(f"\n#{pair.pk}  score {pair.score:.3f} ({pair.band or 'review'})  {pair.left_id}  ~  {pair.right_id}")
    for name, left, right in view.rows:
        say(f"  {name:<13} {left[:40]:<42} {right[:40]}")
    for feature in pair.features:
        say(f"  {float(feature.get('weight', 0)):+.3f}  {feature.get('name', '')}: {feature.get('detail', '')}")


def decision_dict(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk, "left": decision.left_id, "right": decision.right_id, "judgement": decision.judgement,
        "note": decision.note, "actor": decision.actor, "automatic": decision.automatic, "score": decision.score,
        "at": decision.at.isoformat(),
        "merge": {"canonical": decision.merge.canonical_id, "merged": decision.merge.merged_id}
        if decision.merge else None,
        "reversed_at": decision.reversed_at.isoformat() if decision.reversed_at else None,
        "reversed_by": decision.reversed_actor or None,
    }
