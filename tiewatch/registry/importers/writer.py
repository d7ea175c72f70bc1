"""Write a validated bundle in one transaction: create what is new, update what changed, leave
the rest untouched (so re-importing the same bundle changes nothing), and audit every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

from tiewatch.core.partial_dates import PartialDate
from tiewatch.registry.audit import entity_snapshot, source_snapshot, tie_snapshot
from tiewatch.registry.importers.validate import Bundle, EntityRow, SourceRow, TieRow
from tiewatch.registry.jurisdictions import ensure_jurisdictions
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie, TieCounterpart, build_search_text

BATCH = 5000
T = TypeVar("T")
Progress = Callable[[str, int], None]


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def chunks(items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def write_bundle(bundle: Bundle, actor: str, progress: Progress | None = None) -> dict[str, WriteCounts]:
    report = progress or (lambda _stage, _n: None)
    with transaction.atomic():
        ensure_jurisdictions(e.jurisdiction for e in bundle.entities.values() if e.jurisdiction)
        counts = {
            "sources": _write_sources(bundle.sources, actor, report),
            "entities": _write_entities(bundle.entities, actor, report),
            "ties": _write_ties(bundle.ties, actor, report),
        }
    return counts


def _existing(model: Any, ids: list[str], prefetch: Iterable[str] = ()) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in chunks(ids, 2000):
        query = model.objects.filter(pk__in=part)
        for name in prefetch:
            query = query.prefetch_related(name)
        found.update({obj.pk: obj for obj in query})
    return found


def _audit(model: str, changes: list[tuple[str, dict[str, Any] | None, dict[str, Any]]], actor: str) -> None:
    ChangeRecord.objects.bulk_create(
        [ChangeRecord(model=model, object_id=oid, action="import", before=before, after=after, actor=actor)
         for oid, before, after in changes],
        batch_size=BATCH,
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --- sources ---------------------------------------------------------------------------------

def _source_obj(row: SourceRow) -> Source:
    return Source(id=row.id, url=row.url, title=row.title, publisher=row.publisher,
                  published_on=_date(row.published_on), accessed_on=_date(row.accessed_on),
                  excerpt=row.excerpt, published=row.published)


def _write_sources(rows: dict[str, SourceRow], actor: str, report: Progress) -> WriteCounts:
    existing = _existing(Source, list(rows))
    counts, created, updated, changes = WriteCounts(), [], [], []
    for sid, row in rows.items():
        obj = _source_obj(row)
        after, old = source_snapshot(obj), existing.get(sid)
        before = source_snapshot(old) if old is not None else None
        if before == after:
            counts.unchanged += 1
            continue
        (updated if old is not None else created).append(obj)
        changes.append((sid, before, after))
    Source.objects.bulk_create(created, batch_size=BATCH)
    Source.objects.bulk_update(updated, ["url", "title", "publisher", "published_on", "accessed_on", "excerpt",
                                         "published"], batch_size=BATCH)
    _audit("source", changes, actor)
    counts.created, counts.updated = len(created), len(updated)
    report("sources", len(rows))
    return counts


# --- entities --------------------------------------------------------------------------------

def _entity_obj(row: EntityRow) -> Entity:
    return Entity(id=row.id, name=row.name, kind=row.kind, country=row.country, jurisdiction_id=row.jurisdiction,
                  parent_id=row.parent, aliases=row.aliases, note=row.note, uncertain=row.uncertain,
                  published=row.published, extra=row.extra, search_text=build_search_text(row.name, row.aliases))


ENTITY_FIELDS = ["name", "kind", "country", "jurisdiction", "parent", "aliases", "note", "uncertain", "published",
                 "extra", "search_text"]


def _write_entities(rows: dict[str, EntityRow], actor: str, report: Progress) -> WriteCounts:
    existing = _existing(Entity, list(rows), prefetch=["sources"])
    counts, created, updated, changes, resourced = WriteCounts(), [], [], [], []
    for eid, row in rows.items():
        obj = _entity_obj(row)
        after = entity_snapshot(obj, row.sources)
        old = existing.get(eid)
        before = entity_snapshot(old, [s.id for s in old.sources.all()]) if old is not None else None
        if before == after:
            counts.unchanged += 1
            continue
        (updated if old is not None else created).append(obj)
        changes.append((eid, before, after))
        if before is None or before["sources"] != after["sources"]:
            resourced.append(row)
    # Parents may point at entities later in the same bundle: create first, then set parents.
    parents = {obj.id: obj.parent_id for obj in created}
    for obj in created:
        obj.parent_id = None
    Entity.objects.bulk_create(created, batch_size=BATCH)
    for obj in created:
        obj.parent_id = parents[obj.id]
    Entity.objects.bulk_update([o for o in created if o.parent_id], ["parent"], batch_size=BATCH)
    Entity.objects.bulk_update(updated, ENTITY_FIELDS, batch_size=BATCH)
    through = Entity.sources.through
    through.objects.filter(entity_id__in=[r.id for r in resourced]).delete()
    through.objects.bulk_create([through(entity_id=r.id, source_id=s) for r in resourced for s in r.sources],
                                batch_size=BATCH)
    _audit("entity", changes, actor)
    counts.created, counts.updated = len(created), len(updated)
    report("entities", len(rows))
    return counts


# --- ties ------------------------------------------------------------------------------------

def _first(value: PartialDate | None) -> dt.date | None:
    return value.first_day if value else None


def _tie_obj(row: TieRow, countries: dict[str, str]) -> Tie:
    tie = Tie(id=row.id, subject_id=row.subject, program_id=row.program, kind=row.kind,
              start_date=_first(row.start), start_precision=row.start.precision if row.start else "day",
              end_date=_first(row.end), end_precision=row.end.precision if row.end else "day",
              years=row.years, status=row.status, attributes=row.attributes, note=row.note,
              uncertain=row.uncertain, published=row.published)
    tie.refresh_denormalised()
    found = [countries.get(c, "") for c in row.counterparts] + [str(row.attributes.get("counterpart_country", ""))]
    tie.counterpart_countries = ",".join(sorted({c for c in found if c}))
    return tie


TIE_FIELDS = ["subject", "program", "kind", "start_date", "start_precision", "end_date", "end_precision", "years",
              "year_from", "year_to", "status", "attributes", "note", "uncertain", "published",
              "counterpart_countries"]


def _existing_tie_snapshots(ids: list[str]) -> dict[str, dict[str, Any]]:
    snapshots: dict[str, dict[str, Any]] = {}
    for part in chunks(ids, 2000):
        ties = {t.id: t for t in Tie.objects.filter(pk__in=part)}
        if not ties:
            continue
        counterparts: dict[str, list[str]] = {tid: [] for tid in ties}
        for tid, eid in TieCounterpart.objects.filter(tie_id__in=ties).order_by("tie_id", "position") \
                .values_list("tie_id", "entity_id"):
            counterparts[tid].append(eid)
        sources: dict[str, list[str]] = {tid: [] for tid in ties}
        for tid, sid in Tie.sources.through.objects.filter(tie_id__in=ties).values_list("tie_id", "source_id"):
            sources[tid].append(sid)
        for tid, tie in ties.items():
            snapshots[tid] = tie_snapshot(tie, counterparts[tid], sources[tid])
    return snapshots


def _entity_countries(rows: dict[str, TieRow]) -> dict[str, str]:
    wanted = sorted({c for row in rows.values() for c in row.counterparts})
    countries: dict[str, str] = {}
    for part in chunks(wanted, 2000):
        countries.update(Entity.objects.filter(pk__in=part).values_list("id", "country"))
    return countries


def _write_ties(rows: dict[str, TieRow], actor: str, report: Progress) -> WriteCounts:
    existing = _existing_tie_snapshots(list(rows)) if rows else {}
    countries = _entity_countries(rows)
    counts, created, updated, changes, relinked = WriteCounts(), [], [], [], []
    for done, (tid, row) in enumerate(rows.items(), start=1):
        obj = _tie_obj(row, countries)
        after = tie_snapshot(obj, row.counterparts, row.sources)
        before = existing.get(tid)
        if before == after:
            counts.unchanged += 1
        else:
            (updated if before is not None else created).append(obj)
            changes.append((tid, before, after))
            relinked.append(row)
        if done % 50_000 == 0:
            report("ties (compared)", 50_000)
    for part in chunks(created):
        Tie.objects.bulk_create(part)
        report("ties", len(part))
    Tie.objects.bulk_update(updated, TIE_FIELDS, batch_size=BATCH)
    _relink(relinked, report)
    _audit("tie", changes, actor)
    counts.created, counts.updated = len(created), len(updated)
    return counts


def _relink(rows: list[TieRow], report: Progress) -> None:
    """Replace the counterpart and source links of new or changed ties."""
    through = Tie.sources.through
    ids = [r.id for r in rows]
    for part in chunks(ids):
        TieCounterpart.objects.filter(tie_id__in=part).delete()
        through.objects.filter(tie_id__in=part).delete()
    for part in chunks(rows):
        TieCounterpart.objects.bulk_create(
            [TieCounterpart(tie_id=r.id, entity_id=e, position=i) for r in part for i, e in enumerate(r.counterparts)])
        through.objects.bulk_create([through(tie_id=r.id, source_id=s) for r in part for s in r.sources])
        report("links", len(part))
