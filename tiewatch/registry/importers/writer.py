"""Write validated rows inside the caller's transaction: create what is new, update what changed,
leave the rest untouched (so re-importing the same rows changes nothing), and audit every change.

The batch functions (`write_sources_batch`, `write_entities_batch`, `write_ties_batch`,
`audit_changes`, `existing_ids`) are documented in `importers.batches`, which other importers use.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Protocol, TypeVar

import orjson
from django.db import connection
from django.utils import timezone

from tiewatch.core.partial_dates import PartialDate
from tiewatch.registry.audit import entity_snapshot, source_snapshot, tie_snapshot, tie_snapshot_of
from tiewatch.registry.importers.validate import EntityRow, SourceRow, TieRow
from tiewatch.registry.jurisdictions import ensure_jurisdictions
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie, TieCounterpart, build_search_text

BATCH = 5000
# Rows per INSERT ... executemany (SQLite and others); PostgreSQL streams new rows with COPY.
INSERT_BATCH = 20_000
T = TypeVar("T")
Progress = Callable[[str, int], None]


def _silent(_stage: str, _count: int) -> None:
    """The progress callback when nobody listens."""


class _Record(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Record)


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Ids left as they are because someone changed them since this importer wrote them (protect_edited).
    kept: list[str] = field(default_factory=list)

    def add(self, other: WriteCounts) -> None:
        """Add the counts of another batch to these."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept.extend(other.kept)


def chunks(items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def existing_ids(model: Any, ids: Iterable[str]) -> set[str]:
    """Which of `ids` are primary keys of stored `model` rows (one query per 2,000 ids)."""
    found: set[str] = set()
    for part in chunks(sorted(set(ids)), 2000):
        found.update(model.objects.filter(pk__in=part).values_list("pk", flat=True))
    return found


def refresh_counterpart_countries(entity_ids: list[str]) -> int:
    """Recompute Tie.counterpart_countries (denormalised) of the ties naming these entities as
    counterparts, after their countries or `published` changed; returns how many ties changed.
    Only published counterparts count, so the country filter never reveals a hidden one."""
    if not entity_ids:
        return 0
    tie_ids: set[str] = set()
    for part in chunks(entity_ids, 2000):
        tie_ids.update(TieCounterpart.objects.filter(entity_id__in=part).values_list("tie_id", flat=True))
    changed: list[Tie] = []
    for part in chunks(sorted(tie_ids), 2000):
        countries: dict[str, set[str]] = {tid: set() for tid in part}
        for tid, country in TieCounterpart.objects.filter(tie_id__in=part, entity__published=True) \
                .values_list("tie_id", "entity__country"):
            if country:
                countries[tid].add(country)
        for tie in Tie.objects.filter(pk__in=part).only("id", "attributes", "counterpart_countries"):
            found = countries[tie.id]
            if (tie.attributes or {}).get("counterpart_country"):
                found.add(str(tie.attributes["counterpart_country"]))
            value = ",".join(sorted(found))
            if value != tie.counterpart_countries:
                tie.counterpart_countries = value
                changed.append(tie)
    Tie.objects.bulk_update(changed, ["counterpart_countries"], batch_size=BATCH)
    return len(changed)


def edited_since_import(model: str, actor: str, ids: list[str]) -> set[str]:
    """The ids (of stored records) whose latest audit entry is not an import by `actor`: changed by
    someone else since that importer last wrote them, or never written by it."""
    latest: dict[str, tuple[str, str]] = {}
    for part in chunks(ids, 2000):
        entries = ChangeRecord.objects.filter(model=model, object_id__in=part).order_by("-at", "-id")
        for oid, action, by in entries.values_list("object_id", "action", "actor"):
            latest.setdefault(oid, (action, by))
    return {oid for oid in ids if latest.get(oid) != ("import", actor)}


def _keep_edited(model: str, actor: str, updated: list[R], changes: list[Any], counts: WriteCounts) -> set[str]:
    """Take the records edited since `actor` imported them out of `updated` and `changes` (in place)."""
    kept = edited_since_import(model, actor, [row.id for row in updated])
    if kept:
        updated[:] = [row for row in updated if row.id not in kept]
        changes[:] = [change for change in changes if change[0] not in kept]
        counts.kept = sorted(kept)
    return kept


def _existing(model: Any, ids: list[str], prefetch: Iterable[str] = ()) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in chunks(ids, 2000):
        query = model.objects.filter(pk__in=part)
        for name in prefetch:
            query = query.prefetch_related(name)
        found.update({obj.pk: obj for obj in query})
    return found


def insert_rows(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert new rows fast, bypassing model instances: COPY on PostgreSQL, executemany elsewhere.

    `columns` are field names; values must already be in database form (JSON as text, dates as
    ISO strings, see `_json`). Used only for rows validated beforehand, inside the import's transaction.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    names = ", ".join(quote(meta.get_field(c).column) for c in columns)
    table = quote(meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= INSERT_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


# Loading this many new rows or more into a table at least as big: on PostgreSQL, drop the table's
# secondary indexes and foreign keys first and rebuild them after (in the same transaction), which
# is several times faster than maintaining them row by row.
BULK_LOAD_ROWS = 50_000


def is_bulk_load(models: list[Any], new_rows: int) -> bool:
    """Whether `bulk_load` rebuilds: on PostgreSQL, at least BULK_LOAD_ROWS new rows into tables
    holding fewer rows than that."""
    if connection.vendor != "postgresql" or new_rows < BULK_LOAD_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM " + " UNION ALL SELECT count(*) FROM ".join(
            connection.ops.quote_name(m._meta.db_table) for m in models))
        return sum(row[0] for row in cursor.fetchall()) <= new_rows


@contextmanager
def bulk_load(models: list[Any], new_rows: int) -> Iterator[None]:
    """Rebuild indexes and foreign keys of `models`' tables after a big load (PostgreSQL only).

    Runs inside the import's transaction: if anything fails, the rollback restores them. The foreign
    keys are re-added (and so checked) in one pass each, instead of one deferred check per row.
    """
    if not is_bulk_load(models, new_rows):
        yield
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')
            WHERE i.indrelid = ANY(%s::regclass[]) AND c.oid IS NULL""", [tables])
        indexes = cursor.fetchall()
        cursor.execute("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])""", [tables])
        foreign_keys = cursor.fetchall()
        # Run the checks already queued in this transaction, so the tables can be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


# The json module's encoder, for what orjson refuses (integers beyond 64 bits, keys that are not text).
_json_encode = json.JSONEncoder(ensure_ascii=False).encode
_ORJSON_REFUSES = (orjson.JSONEncodeError, TypeError)


def _encode(value: Any) -> str:
    """JSON text of a row's years, aliases, attributes, extra and audit snapshots (three or four
    documents a tie): orjson is ~10x faster than the json module, which was the largest single cost
    of the write stage. The values are validated plain JSON (validate._plain refuses NaN and
    infinities, which orjson would write as null); the rare value orjson refuses goes through the
    json module, as before."""
    try:
        return orjson.dumps(value).decode()
    except _ORJSON_REFUSES:
        return _json_encode(value)


def _json(value: Any) -> str | None:
    return None if value is None else _encode(value)


Change = tuple[str, dict[str, Any] | None, dict[str, Any]]


def audit_changes(model: str, changes: Iterable[Change], actor: str) -> None:
    """One ChangeRecord (action "import") per (object id, before snapshot or None, after snapshot)."""
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    insert_rows(ChangeRecord, ["model", "object_id", "action", "user", "actor", "at", "before", "after"],
                ((model, oid, "import", None, actor, at, _json(before), _json(after)) for oid, before, after in changes))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --- sources ---------------------------------------------------------------------------------

def _source_obj(row: SourceRow) -> Source:
    return Source(id=row.id, url=row.url, title=row.title, publisher=row.publisher,
                  published_on=_date(row.published_on), accessed_on=_date(row.accessed_on),
                  excerpt=row.excerpt, published=row.published)


def write_sources_batch(rows: Mapping[str, SourceRow], actor: str, *, protect_edited: bool = False,
                        progress: Progress | None = None) -> WriteCounts:
    protect, report = protect_edited, progress or _silent
    existing = _existing(Source, list(rows))
    counts, changes = WriteCounts(), []
    created: list[Source] = []
    updated: list[Source] = []
    for sid, row in rows.items():
        obj = _source_obj(row)
        after, old = source_snapshot(obj), existing.get(sid)
        before = source_snapshot(old) if old is not None else None
        if before == after:
            counts.unchanged += 1
            continue
        (updated if old is not None else created).append(obj)
        changes.append((sid, before, after))
    if protect:
        _keep_edited("source", actor, updated, changes, counts)
    Source.objects.bulk_create(created, batch_size=BATCH)
    Source.objects.bulk_update(updated, ["url", "title", "publisher", "published_on", "accessed_on", "excerpt",
                                         "published"], batch_size=BATCH)
    audit_changes("source", changes, actor)
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


def entity_row_snapshot(row: EntityRow) -> dict[str, Any]:
    """`audit.entity_snapshot` of the entity this row describes, without a model instance."""
    return {
        "name": row.name, "kind": row.kind, "country": row.country, "jurisdiction": row.jurisdiction,
        "aliases": list(row.aliases), "parent": row.parent, "note": row.note, "uncertain": row.uncertain,
        "published": row.published, "extra": row.extra or {}, "sources": sorted(row.sources),
    }


def _entity_values(row: EntityRow) -> tuple[Any, ...]:
    """The database row of a new entity, in `["id", *ENTITY_FIELDS]` order."""
    return (row.id, row.name, row.kind, row.country, row.jurisdiction, row.parent,
            _encode(row.aliases), row.note, row.uncertain, row.published,
            _encode(row.extra), build_search_text(row.name, row.aliases))


def write_entities_batch(rows: Mapping[str, EntityRow], actor: str, *, recountried: list[str] | None = None,
                         protect_edited: bool = False, all_new: bool = False,
                         progress: Progress | None = None) -> WriteCounts:
    protect, report = protect_edited, progress or _silent
    ensure_jurisdictions(row.jurisdiction for row in rows.values() if row.jurisdiction)
    stored = rows and not all_new and Entity.objects.exists()
    existing = _existing(Entity, list(rows), prefetch=["sources"]) if stored else {}
    counts, changes, resourced = WriteCounts(), [], []
    created: list[EntityRow] = []
    updated: list[EntityRow] = []
    for eid, row in rows.items():
        after = entity_row_snapshot(row)
        old = existing.get(eid)
        before = entity_snapshot(old, [s.id for s in old.sources.all()]) if old is not None else None
        if before == after:
            counts.unchanged += 1
            continue
        (updated if old is not None else created).append(row)
        changes.append((eid, before, after))
        if before is not None and recountried is not None and (
                before["country"] != after["country"] or before["published"] != after["published"]):
            recountried.append(eid)
        if before is None or before["sources"] != after["sources"]:
            resourced.append(row)
    kept = _keep_edited("entity", actor, updated, changes, counts) if protect else set()
    resourced = [row for row in resourced if row.id not in kept]
    if recountried is not None:
        recountried[:] = [eid for eid in recountried if eid not in kept]
    # Parents may be later in the same bundle: foreign keys are checked at commit (deferred).
    insert_rows(Entity, ["id", *ENTITY_FIELDS], (_entity_values(row) for row in created))
    Entity.objects.bulk_update([_entity_obj(row) for row in updated], ENTITY_FIELDS, batch_size=BATCH)
    through = Entity.sources.through
    for part in chunks([r.id for r in resourced if r.id in existing]):
        through.objects.filter(entity_id__in=part).delete()
    insert_rows(through, ["entity", "source"], ((r.id, s) for r in resourced for s in r.sources))
    audit_changes("entity", changes, actor)
    counts.created, counts.updated = len(created), len(updated)
    report("entities", len(rows))
    return counts


# --- ties ------------------------------------------------------------------------------------

def _first(value: PartialDate | None) -> dt.date | None:
    return value.first_day if value else None


def _countries_of(row: TieRow, countries: dict[str, str]) -> str:
    found = {countries.get(c, "") for c in row.counterparts}
    if row.attributes:
        found.add(str(row.attributes.get("counterpart_country", "")))
    found.discard("")
    return ",".join(sorted(found))


def _tie_obj(row: TieRow, countries: dict[str, str]) -> Tie:
    tie = Tie(id=row.id, subject_id=row.subject, program_id=row.program, kind=row.kind,
              start_date=_first(row.start), start_precision=row.start.precision if row.start else "day",
              end_date=_first(row.end), end_precision=row.end.precision if row.end else "day",
              years=row.years, status=row.status, attributes=row.attributes, note=row.note,
              uncertain=row.uncertain, published=row.published)
    tie.refresh_denormalised()
    tie.counterpart_countries = _countries_of(row, countries)
    return tie


def tie_row_snapshot(row: TieRow) -> dict[str, Any]:
    """`audit.tie_snapshot` of the tie this row describes, without building a model instance
    (re-importing a bundle compares this with the stored tie's snapshot)."""
    return tie_snapshot_of(row.subject, row.counterparts, row.program, row.kind, row.start, row.end, row.years,
                           row.status, row.attributes, row.note, row.uncertain, row.published, row.sources)


TIE_FIELDS = ["subject", "program", "kind", "start_date", "start_precision", "end_date", "end_precision", "years",
              "year_from", "year_to", "status", "attributes", "note", "uncertain", "published",
              "counterpart_countries"]


def _tie_values(row: TieRow, countries: dict[str, str]) -> tuple[Any, ...]:
    """The database row of a new tie, in `["id", *TIE_FIELDS]` order (see Tie.refresh_denormalised)."""
    start, end = row.start, row.end
    year_from = start.year if start else (min(row.years) if row.years else None)
    year_to = end.year if end else (max(row.years) if row.years else year_from)
    return (row.id, row.subject, row.program, row.kind,
            start.first_day.isoformat() if start else None, start.precision if start else "day",
            end.first_day.isoformat() if end else None, end.precision if end else "day",
            _encode(row.years), year_from, year_to, row.status, _encode(row.attributes),
            row.note, row.uncertain, row.published, _countries_of(row, countries))


def _existing_tie_snapshots(ids: list[str], all_new: bool = False) -> dict[str, dict[str, Any]]:
    snapshots: dict[str, dict[str, Any]] = {}
    if not ids or all_new or not Tie.objects.exists():
        return snapshots  # an empty table: everything is new, nothing to compare
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


def _entity_countries(rows: Mapping[str, TieRow], countries: dict[str, str]) -> dict[str, str]:
    """`countries` completed with the country of each counterpart of `rows` not in it yet ("" for one
    that is not a published entity with a country): the counterparts of one batch are mostly those of
    the last, so each is looked up once, not once a batch."""
    wanted = sorted(set(chain.from_iterable(row.counterparts for row in rows.values())).difference(countries))
    for part in chunks(wanted, 2000):
        countries.update(dict.fromkeys(part, ""))
        countries.update(Entity.objects.filter(pk__in=part, published=True).values_list("id", "country"))
    return countries


def write_ties_batch(rows: Mapping[str, TieRow], actor: str, *, protect_edited: bool = False,
                     all_new: bool = False, progress: Progress | None = None,
                     countries: dict[str, str] | None = None) -> WriteCounts:
    protect, report = protect_edited, progress or _silent
    existing = _existing_tie_snapshots(list(rows), all_new)
    countries = _entity_countries(rows, {} if countries is None else countries)
    counts, changes = WriteCounts(), []
    created: list[TieRow] = []
    updated: list[TieRow] = []
    for tid, row in rows.items():
        after = tie_row_snapshot(row)
        before = existing.get(tid)
        if before == after:
            counts.unchanged += 1
        else:
            (updated if before is not None else created).append(row)
            changes.append((tid, before, after))
    report("ties (compared)", len(rows))
    if protect:
        _keep_edited("tie", actor, updated, changes, counts)
    insert_rows(Tie, ["id", *TIE_FIELDS], (_tie_values(row, countries) for row in created))
    report("ties", len(created))
    Tie.objects.bulk_update([_tie_obj(row, countries) for row in updated], TIE_FIELDS, batch_size=BATCH)
    _relink(created, updated, report)
    audit_changes("tie", changes, actor)
    counts.created, counts.updated = len(created), len(updated)
    return counts


def _relink(created: list[TieRow], updated: list[TieRow], report: Progress) -> None:
    """Write the counterpart and source links of new ties; replace those of changed ties."""
    through = Tie.sources.through
    for part in chunks([r.id for r in updated]):
        TieCounterpart.objects.filter(tie_id__in=part).delete()
        through.objects.filter(tie_id__in=part).delete()
    rows = created + updated
    insert_rows(TieCounterpart, ["tie", "entity", "position"],
                ((r.id, e, i) for r in rows for i, e in enumerate(r.counterparts)))
    insert_rows(through, ["tie", "source"], ((r.id, s) for r in rows for s in r.sources))
    report("links", len(rows))
