"""Writing a dataset's rows: its sources and fixed entities, the entities it creates, and its ties
in bounded batches, all inside the import's one transaction (the caller opens it).

New rows go in through the registry importer's `insert_rows` (COPY on PostgreSQL). A re-import
compares each tie with the stored one and writes only what changed, so the same files change
nothing. Every change is audited (ChangeRecord, action "import").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from tiewatch.core.partial_dates import PartialDate
from tiewatch.datasets.rows import DatasetRow, FixedEntity, IncomingEntity, SourceSpec
from tiewatch.registry.audit import entity_snapshot, source_snapshot, tie_snapshot_of
from tiewatch.registry.importers.writer import chunks, insert_rows
from tiewatch.registry.jurisdictions import ensure_jurisdictions
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie, TieCounterpart, build_search_text

_encode = json.JSONEncoder(ensure_ascii=False).encode


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def audit(model: str, changes: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any]]], actor: str) -> None:
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    insert_rows(ChangeRecord, ["model", "object_id", "action", "user", "actor", "at", "before", "after"],
                ((model, oid, "import", None, actor, at, None if before is None else _encode(before),
                  _encode(after)) for oid, before, after in changes))


# --- sources and fixed entities -------------------------------------------------------------------

def _source(spec: SourceSpec) -> Source:
    return Source(id=spec.id, url=spec.url, title=spec.title, publisher=spec.publisher,
                  published_on=spec.published_on, excerpt=spec.excerpt)


def write_sources(specs: Iterable[SourceSpec], actor: str) -> Counts:
    """Create the sources that are new, update those whose metadata changed."""
    wanted = {spec.id: _source(spec) for spec in specs}
    stored = Source.objects.in_bulk(list(wanted))
    counts, changes = Counts(), []
    created: list[Source] = []
    updated: list[Source] = []
    for sid, source in wanted.items():
        after = source_snapshot(source)
        old = stored.get(sid)
        before = source_snapshot(old) if old is not None else None
        if before == after:
            counts.unchanged += 1
            continue
        (updated if old is not None else created).append(source)
        changes.append((sid, before, after))
    Source.objects.bulk_create(created)
    Source.objects.bulk_update(updated, ["url", "title", "publisher", "published_on", "excerpt"])
    audit("source", changes, actor)
    counts.created, counts.updated = len(created), len(updated)
    return counts


def ensure_fixed(fixed: list[FixedEntity], actor: str) -> int:
    """Create the dataset's fixed entities (and their sources) that are missing; returns how many."""
    stored = set(Entity.objects.filter(pk__in=[f.id for f in fixed]).values_list("pk", flat=True))
    missing = [f for f in fixed if f.id not in stored]
    if not missing:
        return 0
    write_sources({f.source.id: f.source for f in missing}.values(), actor)
    ensure_jurisdictions(f.jurisdiction for f in missing if f.jurisdiction)
    changes = []
    for f in missing:
        entity = Entity(id=f.id, name=f.name, kind=f.kind, country=f.country, jurisdiction_id=f.jurisdiction or None,
                        note=f.note, search_text=build_search_text(f.name, []))
        entity.save()
        entity.sources.through.objects.create(entity_id=f.id, source_id=f.source.id)
        changes.append((f.id, None, entity_snapshot(entity, [f.source.id])))
    audit("entity", changes, actor)
    return len(missing)


# --- incoming entities ----------------------------------------------------------------------------

def write_entities(created: list[IncomingEntity], sources_of: dict[str, set[str]], actor: str) -> None:
    """Insert the entities this import creates, each citing the files it appears in."""
    ensure_jurisdictions({e.jurisdiction for e in created if e.jurisdiction})
    columns = ["id", "name", "kind", "country", "jurisdiction", "aliases", "note", "uncertain", "published",
               "extra", "search_text"]
    insert_rows(Entity, columns, ((e.id, e.name, e.kind, e.country, e.jurisdiction or None, "[]", "", e.uncertain,
                                   True, _encode(e.extra), build_search_text(e.name, [])) for e in created))
    insert_rows(Entity.sources.through, ["entity", "source"],
                ((e.id, s) for e in created for s in sorted(sources_of.get(e.id, ()))))
    audit("entity", ((e.id, None, _entity_after(e, sources_of.get(e.id, set()))) for e in created), actor)


def _entity_after(e: IncomingEntity, sources: set[str]) -> dict[str, Any]:
    return {"name": e.name, "kind": e.kind, "country": e.country, "jurisdiction": e.jurisdiction or None,
            "aliases": [], "parent": None, "note": "", "uncertain": e.uncertain, "published": True,
            "extra": e.extra, "sources": sorted(sources)}


def add_entity_sources(sources_of: dict[str, set[str]]) -> int:
    """Existing entities the rows name cite the files too (their other facts are left as they are)."""
    through = Entity.sources.through
    have: set[tuple[str, str]] = set()
    for part in chunks(sorted(sources_of), 2000):
        have.update(through.objects.filter(entity_id__in=part).values_list("entity_id", "source_id"))
    new = [(eid, sid) for eid, sids in sources_of.items() for sid in sorted(sids) if (eid, sid) not in have]
    return insert_rows(through, ["entity", "source"], new)


# --- ties -----------------------------------------------------------------------------------------

# What a dataset owns of its ties. Staff-owned fields (published, note, uncertain) are left as a
# curator set them when a re-import updates a tie.
_COMPARED = ("subject_id", "program_id", "kind", "start_date", "status", "attributes", "dataset")


# (tie id, row, resolved subject id, resolved counterpart ids)
Item = tuple[str, DatasetRow, str, tuple[str, ...]]


def _after(item: Item) -> dict[str, Any]:
    _, row, subject, counterparts = item
    start = PartialDate(row.date.year, row.date.month, row.date.day) if row.date else None
    return tie_snapshot_of(subject, counterparts, row.program, row.kind, start, None, [], row.status,
                           row.attributes, "", False, True, [row.source.id])


class TieWriter:
    """Writes ties batch by batch; `counts` adds up what each batch created, updated or left."""

    def __init__(self, dataset: str, actor: str, dry_run: bool = False) -> None:
        self.dataset, self.actor, self.dry_run = dataset, actor, dry_run
        self.counts = Counts()
        self.countries: dict[str, str] = {}
        self.any_stored = Tie.objects.filter(dataset=dataset).exists()

    def write(self, batch: list[Item]) -> None:
        if not batch:
            return
        stored = self._stored([item[0] for item in batch]) if self.any_stored else {}
        created, updated = [], []
        for item in batch:
            old = stored.get(item[0])
            if old is None:
                created.append(item)
            elif old != self._compared(item):
                updated.append(item)
            else:
                self.counts.unchanged += 1
        if not self.dry_run:
            self._insert(created)
            self._update(updated, stored)
        self.counts.created += len(created)
        self.counts.updated += len(updated)

    def _compared(self, item: Item) -> tuple[Any, ...]:
        _, row, subject, counterparts = item
        return (subject, row.program, row.kind, row.date, row.status, row.attributes, self.dataset,
                counterparts, (row.source.id,))

    def _countries(self, items: list[Item]) -> dict[str, str]:
        """Tie.counterpart_countries of each tie (published counterparts' countries, denormalised)."""
        unknown = {e for item in items for e in item[3] if e not in self.countries}
        if unknown:
            self.countries.update(dict.fromkeys(unknown, ""))
            self.countries.update(Entity.objects.filter(pk__in=unknown, published=True).values_list("id", "country"))
        return {item[0]: ",".join(sorted({self.countries[e] for e in item[3]} - {""})) for item in items}

    def _stored(self, ids: list[str]) -> dict[str, tuple[Any, ...]]:
        found: dict[str, tuple[Any, ...]] = {}
        for part in chunks(ids, 5000):
            values = {r[0]: r[1:] for r in Tie.objects.filter(pk__in=part).values_list("id", *_COMPARED)}
            if not values:
                continue
            links: dict[str, list[str]] = {tid: [] for tid in values}
            for tid, eid in TieCounterpart.objects.filter(tie_id__in=values).order_by("tie_id", "position") \
                    .values_list("tie_id", "entity_id"):
                links[tid].append(eid)
            cited: dict[str, list[str]] = {tid: [] for tid in values}
            for tid, sid in Tie.sources.through.objects.filter(tie_id__in=values).values_list("tie_id", "source_id"):
                cited[tid].append(sid)
            for tid, fields in values.items():
                found[tid] = (*fields, tuple(links[tid]), tuple(sorted(cited[tid])))
        return found

    def _insert(self, items: list[Item]) -> None:
        countries = self._countries(items)
        columns = ["id", "subject", "program", "kind", "start_date", "start_precision", "end_date", "end_precision",
                   "years", "year_from", "year_to", "status", "attributes", "note", "uncertain", "published",
                   "counterpart_countries", "dataset"]
        insert_rows(Tie, columns, (
            (tid, subject, row.program, row.kind, row.date.isoformat() if row.date else None, "day", None, "day",
             "[]", row.date.year if row.date else None, row.date.year if row.date else None, row.status,
             _encode(row.attributes), "", False, True, countries[tid], self.dataset)
            for tid, row, subject, _ in items))
        self._link(items)
        audit("tie", ((item[0], None, _after(item)) for item in items), self.actor)

    def _link(self, items: list[Item]) -> None:
        insert_rows(TieCounterpart, ["tie", "entity", "position"],
                    ((tid, e, i) for tid, _, _, counterparts in items for i, e in enumerate(counterparts)))
        insert_rows(Tie.sources.through, ["tie", "source"], ((item[0], item[1].source.id) for item in items))

    def _update(self, items: list[Item], stored: dict[str, tuple[Any, ...]]) -> None:
        if not items:
            return
        ties = Tie.objects.in_bulk([item[0] for item in items])
        countries = self._countries(items)
        changes = []
        for item in items:
            tid, row, subject, _ = item
            tie = ties[tid]
            before = tie_snapshot_of(tie.subject_id, stored[tid][-2], tie.program_id, tie.kind, tie.start, tie.end,
                                     tie.years, tie.status, tie.attributes, tie.note, tie.uncertain, tie.published,
                                     stored[tid][-1])
            tie.subject_id, tie.program_id, tie.kind, tie.status = subject, row.program, row.kind, row.status
            tie.start_date, tie.start_precision, tie.attributes, tie.dataset = row.date, "day", row.attributes, \
                self.dataset
            tie.counterpart_countries = countries[tid]
            tie.refresh_denormalised()
            changes.append((tid, before, {**_after(item), "note": tie.note,
                                          "uncertain": tie.uncertain, "published": tie.published}))
        Tie.objects.bulk_update(list(ties.values()), ["subject", "program", "kind", "status", "start_date",
                                                      "start_precision", "attributes", "dataset", "year_from",
                                                      "year_to", "counterpart_countries"], batch_size=2000)
        ids = [item[0] for item in items]
        TieCounterpart.objects.filter(tie_id__in=ids).delete()
        Tie.sources.through.objects.filter(tie_id__in=ids).delete()
        self._link(items)
        audit("tie", changes, self.actor)
