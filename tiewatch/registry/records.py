"""The thin adapter from registry rows to the plain records the pure cores take."""

from __future__ import annotations

from collections import defaultdict

from tiewatch.core.records import EntityRecord, SourceRecord, TieRecord
from tiewatch.registry.models import Entity, Source, Tie, TieCounterpart


def entity_records(published_only: bool = True) -> list[EntityRecord]:
    query = Entity.objects.all()
    if published_only:
        query = query.filter(published=True)
    return [
        EntityRecord(id=eid, name=name, kind=kind, country=country or "", jurisdiction=jurisdiction or "",
                     parent=parent, aliases=tuple(aliases or ()))
        for eid, name, kind, country, jurisdiction, parent, aliases in query.values_list(
            "id", "name", "kind", "country", "jurisdiction_id", "parent_id", "aliases").iterator(chunk_size=5000)
    ]


def tie_records(published_only: bool = True) -> list[TieRecord]:
    ties = Tie.objects.all()
    if published_only:
        ties = ties.filter(published=True)
    counterparts: dict[str, list[str]] = defaultdict(list)
    for tid, eid in TieCounterpart.objects.order_by("tie_id", "position").values_list("tie_id", "entity_id") \
            .iterator(chunk_size=20000):
        counterparts[tid].append(eid)
    sources = _tie_sources()
    records = []
    for tie in ties.only("id", "subject_id", "program_id", "kind", "start_date", "start_precision", "end_date",
                         "end_precision", "status", "attributes", "years").iterator(chunk_size=5000):
        start, end = tie.start, tie.end
        records.append(TieRecord(
            id=tie.id, subject=tie.subject_id, counterparts=tuple(counterparts.get(tie.id, ())), kind=tie.kind,
            start=start.first_day if start else None, end=end.last_day if end else None, status=tie.status,
            program=tie.program_id, attributes=dict(tie.attributes or {}), sources=tuple(sources.get(tie.id, ())),
            years=tuple(tie.years or ()),
        ))
    return records


def _tie_sources() -> dict[str, list[SourceRecord]]:
    by_id = {s.id: SourceRecord(id=s.id, url=s.url, title=s.title, publisher=s.publisher)
             for s in Source.objects.only("id", "url", "title", "publisher").iterator(chunk_size=5000)}
    out: dict[str, list[SourceRecord]] = defaultdict(list)
    for tid, sid in Tie.sources.through.objects.values_list("tie_id", "source_id").iterator(chunk_size=20000):
        out[tid].append(by_id[sid])
    return out
