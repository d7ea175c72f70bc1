"""Deciding candidate pairs and undoing decisions: the one way a judgement is stored.

A "match" merges the pair (merges.py); "no_match" and "unsure" only record the judgement. A person's
decision on a pair stands until a person undoes it: the automatic run never decides a pair anyone
decided before (see `decided_pair`). Every decision and undo is in the audit trail (ChangeRecord,
model "decision").
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tiewatch.core.errors import NotFound, Problem, ValidationFailed
from tiewatch.registry.audit import actor_name, record_change
from tiewatch.registry.models import Entity
from tiewatch.resolution.merges import MergeRefused, current_id, merge_entities, unmerge
from tiewatch.resolution.models import JUDGEMENTS, CandidatePair, Decision

NOTE_MAX = 2000


def pair_q(left_id: str, right_id: str) -> Q:
    """Either order of a pair."""
    return Q(left_id=left_id, right_id=right_id) | Q(left_id=right_id, right_id=left_id)


def decided_pair(left_id: str, right_id: str) -> bool:
    """Whether anyone ever decided this pair (an undone decision counts: undoing is a judgement too)."""
    return Decision.objects.filter(pair_q(left_id, right_id)).exists()


def decision_snapshot(decision: Decision) -> dict[str, Any]:
    return {
        "left": decision.left_id, "right": decision.right_id, "judgement": decision.judgement,
        "note": decision.note, "automatic": decision.automatic, "score": decision.score,
        "merge": decision.merge_id, "reversed": decision.reversed_at is not None,
    }


def _check(left_id: str, right_id: str, judgement: str, note: str) -> None:
    problems = []
    if judgement not in JUDGEMENTS:
        problems.append(Problem(f"unknown judgement {judgement!r}; use one of {', '.join(JUDGEMENTS)}",
                                field="judgement"))
    if len(note) > NOTE_MAX:
        problems.append(Problem(f"at most {NOTE_MAX} characters", field="note"))
    if left_id == right_id:
        problems.append(Problem("a pair needs two different entities", field="right"))
    for name, entity_id in (("left", left_id), ("right", right_id)):
        if not Entity.objects.filter(pk=current_id(entity_id)).exists():
            problems.append(Problem(f"no entity with id {entity_id!r}", field=name))
    if problems:
        raise ValidationFailed("the decision was not recorded", problems)


def decide(left_id: str, right_id: str, judgement: str, note: str = "", *, user: Any = None, actor: str = "",
           automatic: bool = False, score: float | None = None, features: list[dict[str, Any]] | None = None
           ) -> Decision:
    """Record a judgement on a pair (ids that were merged away are followed to their entity); a match
    merges the two. One transaction: a refused merge records nothing."""
    note = note.strip()
    _check(left_id, right_id, judgement, note)
    pair = CandidatePair.objects.filter(pair_q(left_id, right_id)).first()
    if pair is not None and score is None:
        score, features = pair.score, pair.features
    who = actor_name(user, actor)
    with transaction.atomic():
        merge = None
        if judgement == "match":
            left, right = current_id(left_id), current_id(right_id)
            if left == right:
                raise MergeRefused(f"{left_id!r} and {right_id!r} are one entity already ({left!r})")
            merge = merge_entities(left, right, actor=who, user=user)
        decision = Decision.objects.create(
            left_id=left_id, right_id=right_id, judgement=judgement, note=note, automatic=automatic,
            user=user if getattr(user, "is_authenticated", False) else None, actor=who,
            score=score, features=features or [], merge=merge)
        CandidatePair.objects.filter(pair_q(left_id, right_id)).update(status=CandidatePair.Status.DECIDED)
        record_change("decision", str(decision.pk), "decide", None, decision_snapshot(decision), user, who)
    return decision


def undo(decision_id: int, *, user: Any = None, actor: str = "") -> Decision:
    """Reverse a decision: recorded, never deleted; a match's merge is taken apart exactly. The pair
    goes back to the queue for a new decision, and the automatic run leaves it alone from then on."""
    who = actor_name(user, actor)
    with transaction.atomic():
        decision = Decision.objects.select_for_update().filter(pk=decision_id).first()
        if decision is None:
            raise NotFound(f"no decision with id {decision_id}")
        if decision.reversed_at is not None:
            raise MergeRefused(f"decision {decision_id} was undone already ({decision.reversed_at:%Y-%m-%d %H:%M})")
        before = decision_snapshot(decision)
        if decision.merge is not None:
            unmerge(decision.merge, actor=who, user=user)
        decision.reversed_at = timezone.now()
        decision.reversed_by = user if getattr(user, "is_authenticated", False) else None
        decision.reversed_actor = who
        decision.save(update_fields=["reversed_at", "reversed_by", "reversed_actor"])
        CandidatePair.objects.filter(pair_q(decision.left_id, decision.right_id)) \
            .update(status=CandidatePair.Status.PENDING)
        record_change("decision", str(decision.pk), "undo", before, decision_snapshot(decision), user, who)
    return decision


def active_judgements(entity_id: str) -> list[Decision]:
    """The standing (not undone) decisions naming an entity, newest first."""
    return list(Decision.objects.filter(Q(left_id=entity_id) | Q(right_id=entity_id), reversed_at__isnull=True))
