"""Tie tallies: the whole registry's tie counts by kind, status, dataset, counterpart country, year,
program, kind and first year (the chart) and dataset and subject's place (the maps), for the public
and for staff, read in a few milliseconds at a million ties and exact after every change.

On PostgreSQL the counts are kept by triggers (migration 0011): every statement that inserts,
updates or deletes ties, or changes an entity's publication or place, appends its changes to
`TieTally` in the same transaction, whatever wrote it (the admin, the API, importers, merges, raw
SQL, COPY). Nothing in Python has to remember to call anything, which is why triggers were chosen
over hooks in each write path. The log is folded as it grows; a count is SUM(n) of its rows.
Triggers also append `TieStamp` rows naming the entities whose ties changed: an entity page's
cached counts are kept until its own ties change (`entity_version`).

On SQLite (development) there are no triggers: the counts are made afresh from the ties, cached by
the newest audit record, as before. `tiewatch tallies check` compares the kept counts with a fresh
count; `tiewatch tallies rebuild` recounts (docs/registry.md#tie-tallies).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max

from tiewatch.registry.models import ChangeRecord, TieStamp, TieTally
from tiewatch.registry.visibility import ties

DIMENSIONS = ("total", "kind", "status", "dataset", "program", "kind_year", "place", "country", "year")
Tallies = dict[str, Counter[str]]
FRESH_CACHE_SECONDS = 60


def kept() -> bool:
    """Whether the database keeps the tallies (PostgreSQL, with migration 0011's triggers)."""
    return connection.vendor == "postgresql"


def spread(rows: Iterable[tuple[Any, ...]]) -> Tallies:
    """Tallies of grouped tie rows (kind, status, counterpart_countries, year_from, year_to, program,
    dataset, subject's jurisdiction, n): the rules the triggers apply in SQL."""
    out: Tallies = {name: Counter() for name in DIMENSIONS}
    for kind, status, countries, start, end, program, dataset, place, n in rows:
        out["total"][""] += n
        out["kind"][kind] += n
        out["status"][status] += n
        out["dataset"][dataset] += n
        if program:
            out["program"][program] += n
        out["kind_year"][f"{kind}|{'' if start is None else start}"] += n
        out["place"][f"{dataset}|{place or ''}"] += n
        for code in filter(None, (countries or "").split(",")):
            out["country"][code] += n
        if start is not None:
            for year in range(start, (end if end is not None and end >= start else start) + 1):
                out["year"][str(year)] += n
    return out


def fresh(drafts: bool) -> Tallies:
    """The tallies counted now from the ties the reader may see (one GROUP BY, spread in Python)."""
    columns = ("kind", "status", "counterpart_countries", "year_from", "year_to", "program_id", "dataset",
               "subject__jurisdiction_id")
    # Streamed (a server-side cursor on PostgreSQL): at a million ties the groups are many, and
    # holding them all cost a bulk load's recount ~350 MB.
    grouped = ties(drafts).order_by().values_list(*columns).annotate(n=Count("pk")).order_by()
    return spread(grouped.iterator(chunk_size=10_000))


def stored(drafts: bool, dimensions: Iterable[str] = DIMENSIONS) -> Tallies:
    """The tallies kept by the database: the public's, or everyone's for staff."""
    out: Tallies = {name: Counter() for name in dimensions}
    with connection.cursor() as cursor:
        cursor.execute("SELECT dimension, key, SUM(n) FROM registry_tietally WHERE (public OR %s) "
                       "AND dimension = ANY(%s) GROUP BY dimension, key HAVING SUM(n) <> 0",
                       [drafts, list(out)])
        for dimension, key, n in cursor.fetchall():
            out[dimension][key] = int(n)
    return out


def counts(drafts: bool, dimensions: Iterable[str] = DIMENSIONS) -> Tallies:
    """The tallies a page shows: kept ones on PostgreSQL; on SQLite counted afresh and cached for
    FRESH_CACHE_SECONDS by the newest audit record."""
    wanted = tuple(dimensions)
    if kept():
        return stored(drafts, wanted)
    latest = ChangeRecord.objects.aggregate(latest=Max("id"))["latest"] or 0
    key = f"tiewatch:tallies:{int(drafts)}:{latest}"
    found = cache.get(key)
    if not isinstance(found, dict):
        found = fresh(drafts)
        cache.set(key, found, FRESH_CACHE_SECONDS)
    return {name: found[name] for name in wanted}


def entity_version(entity_id: str) -> tuple[int, int] | None:
    """The version of one entity's tie counts: the newest stamp naming it and the newest "*" stamp
    (PostgreSQL); None where the database keeps no stamps."""
    if not kept():
        return None
    newest = TieStamp.objects.filter(entity__in=[entity_id, "*"]).values("entity").annotate(top=Max("id"))
    found = {row["entity"]: row["top"] for row in newest}
    return (found.get(entity_id, 0), found.get("*", 0))


def differences() -> list[str]:
    """Where the kept tallies differ from a fresh count ("" when they agree), public and staff."""
    if not kept():
        return []
    out = []
    for drafts in (False, True):
        want, have = fresh(drafts), stored(drafts)
        for name in DIMENSIONS:
            for key in sorted(set(want[name]) | set(have[name])):
                if want[name][key] != have[name][key]:
                    who = "staff" if drafts else "public"
                    out.append(f"{who} {name} {key!r}: kept {have[name][key]}, counted {want[name][key]}")
    return out


def rebuild() -> int:
    """Recount every tally from the ties (the writers wait meanwhile: the ties are locked against
    changes, so no change is counted twice or lost). Returns the rows written."""
    if not kept():
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE registry_tie, registry_entity IN SHARE MODE")
        return _recount()


def _recount() -> int:
    """Every tally counted afresh (inside the caller's transaction, its tables held against writers)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_tietally")
    rows = _tally_rows(fresh(False), fresh(True))
    TieTally.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _tally_rows(public: Tallies, everyone: Tallies) -> list[TieTally]:
    """Log rows adding `public` to the public's counts and the rest of `everyone` to staff's."""
    rows: list[TieTally] = []
    for name in DIMENSIONS:
        rows.extend(TieTally(public=True, dimension=name, key=key, n=n) for key, n in public[name].items())
        rows.extend(TieTally(public=False, dimension=name, key=key, n=n - public[name][key])
                    for key, n in everyone[name].items() if n - public[name][key])
    return rows


# Every tally trigger of migration 0011 (tests/test_tallies.py checks the list against the database).
ALL_TRIGGERS = (("registry_entity", "registry_entity_tally_insert"), ("registry_entity", "registry_entity_tally_delete"),
                ("registry_entity", "registry_entity_tally"), ("registry_tie", "registry_tie_tally_insert"),
                ("registry_tie", "registry_tie_tally_update"), ("registry_tie", "registry_tie_tally_delete"),
                ("registry_tiecounterpart", "registry_counterpart_stamp_insert"),
                ("registry_tiecounterpart", "registry_counterpart_stamp_update"),
                ("registry_tiecounterpart", "registry_counterpart_stamp_delete"))


def _switch(triggers: tuple[tuple[str, str], ...], on: bool) -> None:
    with connection.cursor() as cursor:
        # Run the key checks already queued in this transaction, so the tables can be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {trigger}")


@contextmanager
def recounted_after(bulk: bool) -> Iterator[None]:
    """For a bulk load (registry.importers.writer.is_bulk_load: a load bigger than the tables it
    fills): every tally trigger off while it writes, then every tally counted afresh once. Counted
    statement by statement, a 1,000,000-tie bundle cost PostgreSQL ~20 s more than the old
    in-memory importer's few big statements (the log folded ~200 times); a fresh count of all ties
    costs a few seconds, and is exact whatever the load inserted, updated or deleted. Inside the
    load's transaction, the tables held against other writers until it ends (ALTER TABLE); nothing
    is recounted when it raises: the rollback restores triggers and counts."""
    if not bulk or not kept():
        yield
        return
    _switch(ALL_TRIGGERS, on=False)
    yield
    _switch(ALL_TRIGGERS, on=True)
    _recount()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO registry_tiestamp (entity) VALUES ('*')")


# The insert triggers a first load of a dataset switches off (migration 0011).
_INSERT_TRIGGERS = tuple(pair for pair in ALL_TRIGGERS if pair[1].endswith("_insert"))


class LoadCount:
    """What a load inserted, grouped as `spread` takes it, told by the load as it writes."""

    def __init__(self) -> None:
        self.groups: Counter[tuple[Any, ...]] = Counter()

    def add(self, public: bool, kind: str, status: str, countries: str, year_from: int | None,
            year_to: int | None, program: str | None, dataset: str, place: str | None, n: int) -> None:
        self.groups[(public, kind, status, countries, year_from, year_to, program, dataset, place)] += n


@contextmanager
def counted_by_load() -> Iterator[LoadCount]:
    """For a first load of a dataset: the insert triggers off while it writes, and the ties it
    inserted counted from what it tells the yielded LoadCount (each tie once: whether the public
    sees it, i.e. it and its subject are published, and the fields `spread` reads). The triggers
    count each COPY batch as it lands (a GROUP BY of the batch, a log fold every 2,000 rows), and
    one GROUP BY of the loaded ties afterwards reads the whole table again: ~1.7 s and ~0.5 s of
    PostgreSQL's time for LESO's 140,500 rows, against a few ms for what the load counts itself
    (docs/benchmarks.md). The load's tests compare the result with a fresh count.

    Runs inside the load's transaction: ALTER TABLE ... DISABLE TRIGGER holds the three tables
    against other writers until it ends, so no other change goes uncounted, and a rollback undoes
    it. Inside, the load may only insert ties (updates and deletes are still counted by their
    triggers, and an update of a row inserted here would count what was never added). Nothing is
    counted if the block raises: the rollback drops what it wrote."""
    count = LoadCount()
    if not kept():
        yield count
        return
    _switch(_INSERT_TRIGGERS, on=False)
    yield count
    _switch(_INSERT_TRIGGERS, on=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM registry_tietally_id_seq")
        before = cursor.fetchone()[0]
        rows = [(*key[1:], n) for key, n in count.groups.items()]
        public = spread(row for row, key in zip(rows, count.groups, strict=True) if key[0])
        TieTally.objects.bulk_create(_tally_rows(public, spread(rows)), batch_size=2000)
        # Every entity page's cached counts are stale after a whole dataset's ties ("*").
        cursor.execute("INSERT INTO registry_tiestamp (entity) VALUES ('*')")
        cursor.execute("SELECT registry_tally_fold(%s)", [before])
