"""`tiewatch resolve run`: find records inside the registry that name the same body.

Every entity is matched against all the others. A pair scoring in the automatic band is merged and
recorded as an automatic decision; a pair in the review band is queued. A pair anyone ever decided
(or undid), or already queued, is left alone: the automatic run never overrides a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tiewatch.registry.models import Entity
from tiewatch.resolution.decisions import decide
from tiewatch.resolution.engine import Candidate, Query
from tiewatch.resolution.index import current_index, record_for
from tiewatch.resolution.models import CandidatePair, Decision
from tiewatch.resolution.services import features_json, queue_pairs

ACTOR = "resolve run"


@dataclass
class RunCounts:
    compared: int = 0
    merged: int = 0
    queued: int = 0
    left_alone: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"compared": self.compared, "merged": self.merged, "queued": self.queued,
                "left_alone": self.left_alone}


def candidate_pairs(limit: int = 5) -> dict[tuple[str, str], Candidate]:
    """The best candidate for each unordered pair of distinct entities (left: the entity queried)."""
    records = [record_for(e) for e in Entity.objects.order_by("id").iterator(chunk_size=2000)]
    queries = [Query(name=r.name, country=r.country, state=r.state, jurisdiction=r.jurisdiction, kind=r.kind,
                     aliases=r.aliases) for r in records]
    best: dict[tuple[str, str], Candidate] = {}
    for record, found in zip(records, current_index().match_many(queries, limit=limit)):
        for candidate in found:
            other = candidate.record.id
            if other == record.id or candidate.band == "weak":
                continue
            key = (record.id, other) if record.id < other else (other, record.id)
            if key not in best or candidate.score > best[key].score:
                best[key] = candidate
    return best


def run(dry_run: bool = False, report: Callable[[str], None] | None = None) -> RunCounts:
    say = report or (lambda _line: None)
    counts = RunCounts()
    pairs = candidate_pairs()
    counts.compared = Entity.objects.count()
    # Pairs anyone decided (undone or not) or queued before, read once rather than per pair.
    known = {frozenset(p) for p in Decision.objects.values_list("left_id", "right_id")}
    known |= {frozenset(p) for p in CandidatePair.objects.values_list("left_id", "right_id")}
    for (left, right), candidate in sorted(pairs.items(), key=lambda item: -item[1].score):
        if frozenset((left, right)) in known:
            counts.left_alone += 1
            continue
        if Entity.objects.filter(pk__in=[left, right]).count() != 2:
            continue  # one of them was merged earlier in this run; the next run looks again
        if candidate.band == "auto":
            say(f"merge {left} + {right} ({candidate.score:.3f})")
            if not dry_run:
                decide(left, right, "match", f"automatic: score {candidate.score:.3f} in the automatic band",
                       actor=ACTOR, automatic=True, score=candidate.score, features=features_json(candidate))
            counts.merged += 1
        else:
            say(f"queue {left} ~ {right} ({candidate.score:.3f})")
            other = right if candidate.record.id == left else left
            if not dry_run:
                queue_pairs([(candidate.record.id, other, candidate)], ACTOR)
            counts.queued += 1
    return counts
