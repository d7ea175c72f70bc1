"""Writing a dataset's rows: its sources and fixed entities, the entities it creates, and its ties
in bounded batches, all inside the import's one transaction (the caller opens it).

New rows go in through the registry importer's `insert_rows` (COPY on PostgreSQL). A re-import
compares each tie with the stored one and writes only what changed, so the same files change
nothing. Every change is audited (ChangeRecord, action "import").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import orjson
from django.db import connection
from django.utils import timezone

from tiewatch.core.partial_dates import PartialDate
from tiewatch.datasets.copystream import NULL, CopyStream, Memo, copy_json, copy_text
from tiewatch.datasets.report import Counts
from tiewatch.datasets.resolve import QueuePairs, Resolved
from tiewatch.datasets.rows import FixedEntity, IncomingEntity, SourceSpec
from tiewatch.datasets.survey import Survey
from tiewatch.registry.audit import entity_snapshot, source_snapshot, tie_snapshot_of
from tiewatch.registry.importers.writer import chunks, insert_rows
from tiewatch.registry.jurisdictions import ensure_jurisdictions
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie, TieCounterpart, build_search_text

# The tables a big first load fills with their indexes and keys dropped, rebuilt once at the end
# (registry.importers.writer.bulk_load, copystream.unique_constraints_rebuilt).
BULK_TABLES = [Tie, TieCounterpart, Tie.sources.through, ChangeRecord]


def _encode(value: Any) -> str:
    """JSON text for COPY: orjson is ~10x faster than the json module on the audit snapshots and
    attributes, which were a third of the write stage's Python time. Values here are plain JSON
    (str, int, finite float, bool, None, lists, dicts with str keys: the readers refuse NaN)."""
    return orjson.dumps(value).decode()


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

# What a dataset owns of its ties is compared (subject, program, kind, date, status, attributes,
# counterparts, sources); staff-owned fields (published, note, uncertain) are left as a curator set
# them when a re-import updates a tie.
_TIE = Tie._meta.db_table
_COUNTERPART = TieCounterpart._meta.db_table
_CITES = Tie.sources.through._meta.db_table


def _select(sql: str, ids: list[str]) -> list[tuple[Any, ...]]:
    """Run `sql` with its `{}` made a membership test of `ids`: one array parameter on PostgreSQL
    (thousands of placeholders cost more to send than the rows to read), placeholders elsewhere."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format("= ANY(%s)"), [ids])
        else:
            cursor.execute(sql.format(f"IN ({', '.join(['%s'] * len(ids))})"), ids)
        return cursor.fetchall()


class TieItem(NamedTuple):
    """One tie to write, its entities resolved (what the import's spool holds between the passes)."""

    id: str
    subject: str
    counterparts: tuple[str, ...]
    program: str | None
    kind: str
    date: dt.date | None
    status: str
    attributes: str  # JSON text, encoded once when the row was read (the tie and its audit record reuse it)
    source: str
    precision: str = "day"  # of `date`: "year" for a year only


def _after(item: TieItem) -> dict[str, Any]:
    day = item.date
    start = (PartialDate(day.year) if item.precision == "year" else PartialDate(day.year, day.month, day.day)) \
        if day else None
    return tie_snapshot_of(item.subject, item.counterparts, item.program, item.kind, start, None, [], item.status,
                           orjson.loads(item.attributes), "", False, True, [item.source])


def after_json(item: TieItem, memo: Memo) -> str:
    """The JSON text of `_after(item)` (a new tie's audit form), written around the attributes' JSON
    text instead of encoding them a second time, from pieces the memo formats once (an agency's
    name, program and kind; a date and status; a source)."""
    named, dated = (item.subject, item.counterparts, item.program, item.kind), (item.date, item.precision, item.status)
    return ((memo.after_who.get(named) or memo.audit_who(named)) + (memo.after_when.get(dated) or memo.audit_when(dated))
            + item.attributes + (memo.after_tail.get(item.source) or memo.audit_tail(item.source)))


def _columns(model: Any, fields: list[str]) -> list[str]:
    return [model._meta.get_field(f).column for f in fields]


TIE_FIELDS = ["id", "subject", "program", "kind", "start_date", "start_precision", "end_date", "end_precision",
              "years", "year_from", "year_to", "status", "attributes", "note", "uncertain", "published",
              "counterpart_countries", "dataset"]
AUDIT_FIELDS = ["model", "object_id", "action", "user", "actor", "at", "before", "after"]


def tie_row(t: TieItem, countries: str, dataset: str) -> tuple[Any, ...]:
    """A new tie's `TIE_FIELDS` values, as `insert_rows` takes them."""
    year = t.date.year if t.date else None
    return (t.id, t.subject, t.program, t.kind, t.date.isoformat() if t.date else None, t.precision, None, "day",
            "[]", year, year, t.status, t.attributes, "", False, True, countries, dataset)


def copy_batch(items: list[TieItem], countries: dict[str, str], dataset: str, actor: str, at: str,
               memo: Memo) -> tuple[str, str, str, str]:
    """New ties, their counterpart and source links and audit records as COPY text: the values of
    `tie_row`, of `TieWriter._link` and of the audit rows, written straight into the format.

    A line is joined from pieces that repeat across rows (an agency's name, program and kind; a
    date and status; a source), each written once into the memo: formatting every field of
    every row was most of a first load's Python time after reading."""
    text = memo.copy
    audit_lead = f"\timport\t{NULL}\t{text(actor)}\t{at}\t{NULL}\t"
    ties: list[str] = []
    links: list[str] = []
    cites: list[str] = []
    audits: list[str] = []
    for t in items:
        tid, attributes, day = copy_text(t.id), copy_json(t.attributes), t.date
        who = (t.subject, t.program, t.kind)
        when = (day, t.precision, t.status)
        ties.append(tid + (memo.who.get(who) or memo.tie_who(who)) + (memo.when.get(when) or memo.tie_when(when))
                    + attributes + (memo.tail.get(countries[t.id]) or memo.tie_tail(countries[t.id], dataset)))
        links.extend(f"{tid}\t{text(e)}\t{i}\n" for i, e in enumerate(t.counterparts))
        cites.append(f"{tid}\t{text(t.source)}\n")
        audits.append("tie\t" + tid + audit_lead + copy_json(after_json(t, memo)) + "\n")
    return "".join(ties), "".join(links), "".join(cites), "".join(audits)


class TieWriter:
    """Writes ties batch by batch; `counts` adds up what each batch created, updated or left.
    With a `stream` (PostgreSQL, no ties of the dataset stored yet), new ties go to its writer thread."""

    def __init__(self, dataset: str, actor: str, dry_run: bool = False) -> None:
        self.dataset, self.actor, self.dry_run = dataset, actor, dry_run
        self.counts = Counts()
        self.countries: dict[str, str] = {}
        self.any_stored = Tie.objects.filter(dataset=dataset).exists()
        self.stream: CopyStream | None = None
        self.memo = Memo()
        # Told of each batch of new ties with their counterpart countries (a load's own tallies).
        self.on_insert: Callable[[list[TieItem], dict[str, str]], None] | None = None

    def write(self, batch: list[TieItem]) -> None:
        if not batch:
            return
        stored = self._stored([item.id for item in batch]) if self.any_stored else {}
        created, updated = [], []
        for item in batch:
            old = stored.get(item.id)
            if old is None:
                created.append(item)
            elif old != (item.subject, item.program, item.kind, item.date, item.status, orjson.loads(item.attributes),
                         self.dataset, item.counterparts, (item.source,)):
                updated.append(item)
            else:
                self.counts.unchanged += 1
        if not self.dry_run:
            self._insert(created)
            self._update(updated, stored)
        self.counts.created += len(created)
        self.counts.updated += len(updated)

    def _countries(self, items: list[TieItem]) -> dict[str, str]:
        """Tie.counterpart_countries of each tie (published counterparts' countries, denormalised)."""
        unknown = {e for item in items for e in item.counterparts if e not in self.countries}
        if unknown:
            self.countries.update(dict.fromkeys(unknown, ""))
            self.countries.update(Entity.objects.filter(pk__in=unknown, published=True).values_list("id", "country"))
        return {item.id: ",".join(sorted({self.countries[e] for e in item.counterparts} - {""})) for item in items}

    def _stored(self, ids: list[str]) -> dict[str, tuple[Any, ...]]:
        """The compared fields of the stored ties among `ids`, read with plain SQL: the ORM's per-row
        work was most of a re-import's time."""
        found: dict[str, tuple[Any, ...]] = {}
        for part in chunks(ids, 5000):
            # attributes as text, decoded by orjson: the driver's json.loads was most of a re-import's decoding.
            values = {r[0]: list(r[1:]) for r in _select(
                "SELECT id, subject_id, program_id, kind, start_date, status, CAST(attributes AS text), dataset "
                f"FROM {_TIE} WHERE id {{}}", part)}
            if not values:
                continue
            links: dict[str, list[str]] = {tid: [] for tid in values}
            for tid, eid in _select(f"SELECT tie_id, entity_id FROM {_COUNTERPART} WHERE tie_id {{}} "
                                    "ORDER BY tie_id, position", part):
                links[tid].append(eid)
            cited: dict[str, list[str]] = {tid: [] for tid in values}
            for tid, sid in _select(f"SELECT tie_id, source_id FROM {_CITES} WHERE tie_id {{}}", part):
                cited[tid].append(sid)
            for tid, fields in values.items():
                day, attributes = fields[3], fields[5]
                fields[3] = dt.date.fromisoformat(day) if isinstance(day, str) else day
                fields[5] = orjson.loads(attributes) if attributes is not None else None
                found[tid] = (*fields, tuple(links[tid]), tuple(sorted(cited[tid])))
        return found

    def _insert(self, items: list[TieItem]) -> None:
        if not items:
            return
        countries = self._countries(items)
        if self.on_insert is not None:
            self.on_insert(items, countries)
        if self.stream is not None:
            self._send(items, countries, self.stream)
            return
        insert_rows(Tie, TIE_FIELDS, (tie_row(t, countries[t.id], self.dataset) for t in items))
        self._link(items)
        at = connection.ops.adapt_datetimefield_value(timezone.now())
        insert_rows(ChangeRecord, AUDIT_FIELDS, (("tie", t.id, "import", None, self.actor, at, None,
                                                  after_json(t, self.memo)) for t in items))

    def _send(self, items: list[TieItem], countries: dict[str, str], stream: CopyStream) -> None:
        ties, links, cites, audits = copy_batch(items, countries, self.dataset, self.actor,
                                                timezone.now().isoformat(), self.memo)
        stream.send(_TIE, _columns(Tie, TIE_FIELDS), ties)
        stream.send(_COUNTERPART, _columns(TieCounterpart, ["tie", "entity", "position"]), links)
        stream.send(_CITES, _columns(Tie.sources.through, ["tie", "source"]), cites)
        stream.send(ChangeRecord._meta.db_table, _columns(ChangeRecord, AUDIT_FIELDS), audits)

    def _link(self, items: list[TieItem]) -> None:
        insert_rows(TieCounterpart, ["tie", "entity", "position"],
                    ((t.id, e, i) for t in items for i, e in enumerate(t.counterparts)))
        insert_rows(Tie.sources.through, ["tie", "source"], ((t.id, t.source) for t in items))

    def _update(self, items: list[TieItem], stored: dict[str, tuple[Any, ...]]) -> None:
        if not items:
            return
        ties = Tie.objects.in_bulk([t.id for t in items])
        countries = self._countries(items)
        changes = []
        for item in items:
            tie = ties[item.id]
            before = tie_snapshot_of(tie.subject_id, stored[item.id][-2], tie.program_id, tie.kind, tie.start,
                                     tie.end, tie.years, tie.status, tie.attributes, tie.note, tie.uncertain,
                                     tie.published, stored[item.id][-1])
            tie.subject_id, tie.program_id, tie.kind, tie.status = item.subject, item.program, item.kind, item.status
            tie.start_date, tie.start_precision = item.date, item.precision
            tie.attributes = orjson.loads(item.attributes)
            tie.dataset, tie.counterpart_countries = self.dataset, countries[item.id]
            tie.refresh_denormalised()
            changes.append((item.id, before, {**_after(item), "note": tie.note, "uncertain": tie.uncertain,
                                              "published": tie.published}))
        Tie.objects.bulk_update(list(ties.values()), ["subject", "program", "kind", "status", "start_date",
                                                      "start_precision", "attributes", "dataset", "year_from",
                                                      "year_to", "counterpart_countries"], batch_size=2000)
        ids = [t.id for t in items]
        TieCounterpart.objects.filter(tie_id__in=ids).delete()
        Tie.sources.through.objects.filter(tie_id__in=ids).delete()
        self._link(items)
        audit("tie", changes, self.actor)


def tie_items(rows: Iterable[tuple[Any, ...]], ref: dict[str, str]) -> list[TieItem]:
    """Spooled rows as ties to write, each entity id replaced by the one it resolved to."""
    fromordinal = dt.date.fromordinal
    return [TieItem(tie_id, ref.get(subject, subject), tuple(ref.get(c, c) for c in counterparts), program, kind,
                    None if day is None else fromordinal(day), status, attributes, source, precision)
            for tie_id, _group, _as_of, subject, counterparts, program, kind, day, status, attributes, source,
            precision in rows]


def write_entity_side(survey: Survey, resolved: Resolved, actor: str, queue_pairs: QueuePairs | None) -> None:
    """The files as sources, the entities the import creates, the files cited by the existing
    entities the rows name, and the pairs to review."""
    write_sources(survey.sources.values(), actor)
    write_entities(resolved.created, survey.sources_of, actor)
    created = {e.id for e in resolved.created}
    add_entity_sources({resolved.ids[pid]: sids for pid, sids in survey.sources_of.items() if pid not in created})
    if queue_pairs is not None and resolved.queued:
        queue_pairs(resolved.queued, actor)
