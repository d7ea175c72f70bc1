"""Resolving incoming names against the registry and the decisions people made (INTERFACES.md §3).

`resolve_incoming` only reads: importers call it before they write, then `queue_pairs` once the new
entities exist. Standing decisions win over the engine: a "match" links, a "no_match" rules that
candidate out, whatever the score says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from django.db.models import Q

from tiewatch.registry.importers.links import IncomingEntity, ResolverAnswer
from tiewatch.registry.models import Entity, EntityRedirect
from tiewatch.resolution.decisions import pair_q
from tiewatch.resolution.engine import Candidate, Index, Query, Record
from tiewatch.resolution.index import current_index
from tiewatch.resolution.merges import current_id
from tiewatch.resolution.models import CandidatePair, Decision

LINKED, CREATED_QUEUED, CREATED = "linked", "created_queued", "created"
CANDIDATE_LIMIT = 5
_STATE = re.compile(r"/state:([a-z]{2})(?:/|$)")


@dataclass
class Resolution:
    proposed_id: str
    entity_id: str      # the existing entity when linked, else the proposed id
    outcome: str        # "linked" | "created_queued" | "created"
    candidate: Candidate | None = None


@dataclass
class ResolutionCounts:
    """For import reports: how many incoming names were linked, created, and queued for review."""

    linked: int = 0
    created: int = 0
    queued: int = 0

    def add(self, resolutions: Sequence[Resolution]) -> ResolutionCounts:
        for found in resolutions:
            if found.outcome == LINKED:
                self.linked += 1
            else:
                self.created += 1
                self.queued += found.outcome == CREATED_QUEUED
        return self

    def as_dict(self) -> dict[str, int]:
        return {"linked": self.linked, "created": self.created, "queued": self.queued}


@dataclass
class _Standing:
    """The standing decisions naming the proposed ids: whom each was matched to, whom ruled out."""

    matched: dict[str, str] = field(default_factory=dict)
    excluded: dict[str, set[str]] = field(default_factory=dict)


Judged = tuple[str, str, str]  # (left id, right id, judgement) of a standing decision


def _standing(ids: Sequence[str], decisions: Iterable[Judged] | None = None,
              current: Callable[[str], str] = current_id) -> _Standing:
    """The standing decisions naming `ids`: read from the database, or picked from `decisions`
    (a snapshot's, oldest first) with `current` following merges."""
    found = _Standing()
    wanted = set(ids)
    if decisions is None:
        decisions = Decision.objects.filter(Q(left_id__in=wanted) | Q(right_id__in=wanted),
                                            reversed_at__isnull=True).order_by("at", "id") \
            .values_list("left_id", "right_id", "judgement")
    for left, right, judgement in decisions:
        for mine, other in ((left, right), (right, left)):
            if mine not in wanted:
                continue
            if judgement == "match":
                found.matched[mine] = current(other)
            elif judgement == "no_match":
                found.excluded.setdefault(mine, set()).add(current(other))
    return found


def _known(ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), 2000):
        part = list(ids[start:start + 2000])
        found.update((i, i) for i in Entity.objects.filter(pk__in=part).values_list("id", flat=True))
        found.update(EntityRedirect.objects.filter(old_id__in=part).values_list("old_id", "entity_id"))
    return found


@dataclass
class Snapshot:
    """The registry as resolution reads it, read once: for a load that resolves batch by batch while
    it writes (datasets/firstload.py), so that resolving needs no query on the connection its writer
    is busy with, and every batch is resolved against the same registry (the one before the load),
    as a two-pass import resolves all its names at once."""

    index: Index
    records: dict[str, Record]  # entity id -> the engine's record of it (drafts too)
    redirects: dict[str, str]  # merged-away id -> the entity it lives under
    decisions: list[Judged]  # standing decisions, oldest first
    drafts: set[str]  # unpublished entity ids

    def current(self, entity_id: str) -> str:
        return self.redirects.get(entity_id, entity_id)

    def known(self, ids: Sequence[str]) -> dict[str, str]:
        """`_known` from the snapshot: an id the registry holds is itself; a merged one, its entity."""
        found = {i: i for i in ids if i in self.records}
        found.update((i, self.redirects[i]) for i in ids if i in self.redirects)
        return found


def snapshot() -> Snapshot:
    index = current_index()
    return Snapshot(index=index, records={r.id: r for r in index.records},
                    redirects=dict(EntityRedirect.objects.values_list("old_id", "entity_id")),
                    decisions=list(Decision.objects.filter(reversed_at__isnull=True).order_by("at", "id")
                                   .values_list("left_id", "right_id", "judgement")),
                    drafts=set(Entity.objects.filter(published=False).values_list("id", flat=True)))


def resolve_incoming(items: Sequence[tuple[str, Query]], actor: str,
                     against: Snapshot | None = None) -> list[Resolution]:
    """For each (proposed new entity id, query): link, create and queue, or create (module docstring).
    A proposed id the registry already holds links to itself; one merged away links to its entity.
    `actor` names the caller in what it later queues; nothing is written here. With `against`, the
    registry is read from that snapshot instead of the database."""
    ids = [pid for pid, _ in items]
    if against is None:
        standing = _standing(ids)
        # An id the registry holds, or one merged into another entity, is that entity already.
        standing.matched.update(_known(ids))
        existing = set(Entity.objects.filter(pk__in=set(standing.matched.values())).values_list("id", flat=True))
        index = current_index()
    else:
        standing = _standing(ids, against.decisions, against.current)
        standing.matched.update(against.known(ids))
        existing = {target for target in standing.matched.values() if target in against.records}
        index = against.index
    results: list[Resolution | None] = [None] * len(items)
    todo: list[int] = []
    for position, (pid, _query) in enumerate(items):
        target = standing.matched.get(pid)
        if target is not None and target in existing:
            results[position] = Resolution(pid, target, LINKED)
        else:
            todo.append(position)
    answers = index.match_many([items[i][1] for i in todo], limit=CANDIDATE_LIMIT) if todo else []
    for position, candidates in zip(todo, answers):
        pid = items[position][0]
        ruled_out = standing.excluded.get(pid, set())
        kept = [c for c in candidates if c.record.id != pid and c.record.id not in ruled_out]
        best = kept[0] if kept else None
        if best is not None and best.band == "auto":
            results[position] = Resolution(pid, best.record.id, LINKED, best)
        elif best is not None and best.band == "review":
            results[position] = Resolution(pid, pid, CREATED_QUEUED, best)
        else:
            results[position] = Resolution(pid, pid, CREATED, best)
    return [r for r in results if r is not None]


def features_json(candidate: Candidate) -> list[dict[str, object]]:
    return [asdict(feature) for feature in candidate.features]


def queue_pairs(pairs: Sequence[tuple[str, str, Candidate]], actor: str) -> int:
    """Store review items for (existing id, new id, candidate) pairs (either order: the candidate's
    record is taken as the existing one). A pair already queued or ever decided is left alone.
    Returns how many were queued."""
    queued = 0
    seen: set[frozenset[str]] = set()
    for first, second, candidate in pairs:
        left, right = (first, second) if candidate.record.id != second else (second, first)
        key = frozenset((left, right))
        if left == right or key in seen:
            continue
        seen.add(key)
        if CandidatePair.objects.filter(pair_q(left, right)).exists() or Decision.objects.filter(
                pair_q(left, right)).exists():
            continue
        CandidatePair.objects.create(left_id=left, right_id=right, score=candidate.score, band=candidate.band,
                                     features=features_json(candidate), actor=actor)
        queued += 1
    return queued


def query_of(entity: IncomingEntity) -> Query:
    state = _STATE.search(entity.jurisdiction)
    return Query(name=entity.name, country=entity.country, state=state.group(1).upper() if state else "",
                 jurisdiction=entity.jurisdiction, kind=entity.kind, aliases=tuple(entity.aliases))


def bundle_resolver(incoming: Sequence[IncomingEntity], actor: str) -> ResolverAnswer:
    """The bundle importer's resolver (TIEWATCH_IMPORT_RESOLVER): links the certain, queues the doubtful."""
    found = resolve_incoming([(e.id, query_of(e)) for e in incoming], actor)
    links = {r.proposed_id: r.entity_id for r in found if r.outcome == LINKED}
    doubtful = [(r.candidate.record.id, r.proposed_id, r.candidate) for r in found
                if r.outcome == CREATED_QUEUED and r.candidate is not None]
    return ResolverAnswer(links=links, after_write=lambda: queue_pairs(doubtful, actor))
