"""The thin adapter from registry rows to the plain records the pure cores take.

`published_only` (the default) gives what the public sees (visibility.py): the policy screening's
findings are public, so they never name a draft, nor rest on a draft source."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from django.db.models import QuerySet

from tiewatch.core.records import EntityRecord, SourceRecord, TieRecord
from tiewatch.registry import visibility
from tiewatch.registry.claimview import tie_claim_records
from tiewatch.registry.models import Entity, Source, Tie, TieCounterpart


def entity_records(published_only: bool = True) -> list[EntityRecord]:
    query = visibility.entities(drafts=not published_only)
    return [
        EntityRecord(id=eid, name=name, kind=kind, country=country or "", jurisdiction=jurisdiction or "",
                     parent=parent, aliases=tuple(aliases or ()))
        for eid, name, kind, country, jurisdiction, parent, aliases in query.values_list(
            "id", "name", "kind", "country", "jurisdiction_id", "parent_id", "aliases").iterator(chunk_size=5000)
    ]


def tie_records(published_only: bool = True, subjects: Collection[str] | None = None) -> list[TieRecord]:
    """Ties as plain records; `subjects` limits them to those entities' own ties (what a check of one
    proposed tie needs as evidence), which keeps a check fast on a large registry."""
    ties = visibility.ties(drafts=not published_only)
    links = TieCounterpart.objects.all()
    cited = Tie.sources.through.objects.all()
    # Few entities are drafts: reading their ids once is cheaper than joining every link.
    hidden: set[str] = set()
    if published_only:
        hidden = set(Entity.objects.filter(published=False).values_list("id", flat=True))
        cited = cited.filter(source__published=True)
    if subjects is not None:
        ties = ties.filter(subject_id__in=list(subjects))
        links = links.filter(tie__subject_id__in=list(subjects))
        cited = cited.filter(tie__subject_id__in=list(subjects))
    counterparts: dict[str, list[str]] = defaultdict(list)
    for tid, eid in links.order_by("tie_id", "position").values_list("tie_id", "entity_id") \
            .iterator(chunk_size=20000):
        if eid not in hidden:
            counterparts[tid].append(eid)
    sources = _tie_sources(cited)
    # Claims are few (curated facts), so all of those the reader sees are read at once.
    claims = tie_claim_records(None, drafts=not published_only)
    def shown(entity_id: str) -> bool:
        return entity_id not in hidden

    records = []
    for tie in ties.only("id", "subject_id", "program_id", "kind", "start_date", "start_precision", "end_date",
                         "end_precision", "status", "attributes", "years").iterator(chunk_size=5000):
        start, end = tie.start, tie.end
        records.append(TieRecord(
            id=tie.id, subject=tie.subject_id, counterparts=tuple(counterparts.get(tie.id, ())), kind=tie.kind,
            start=start.first_day if start else None, end=end.last_day if end else None, status=tie.status,
            program=None if tie.program_id in hidden else tie.program_id,
            attributes=visibility.keep_refs(tie.attributes, visibility.ENTITY_REF_ATTRIBUTES, shown),
            sources=tuple(sources.get(tie.id, ())),
            years=tuple(tie.years or ()), claims=claims.get(tie.id, ()),
        ))
    return records


def _tie_sources(cited: QuerySet[Any]) -> dict[str, list[SourceRecord]]:
    pairs = list(cited.values_list("tie_id", "source_id").iterator(chunk_size=20000))
    wanted = None if len(pairs) > 50_000 else {sid for _, sid in pairs}
    sources = Source.objects.only("id", "url", "title", "publisher")
    if wanted is not None:
        sources = sources.filter(pk__in=wanted)
    by_id = {s.id: SourceRecord(id=s.id, url=s.url, title=s.title, publisher=s.publisher)
             for s in sources.iterator(chunk_size=5000)}
    out: dict[str, list[SourceRecord]] = defaultdict(list)
    for tid, sid in pairs:
        out[tid].append(by_id[sid])
    return out
