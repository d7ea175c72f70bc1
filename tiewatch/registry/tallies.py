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
from collections.abc import Iterable
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
    return spread(ties(drafts).order_by().values_list(*columns).annotate(n=Count("pk")).order_by())


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
            cursor.execute("DELETE FROM registry_tietally")
        public, everyone = fresh(False), fresh(True)
        rows = []
        for name in DIMENSIONS:
            for key, n in public[name].items():
                rows.append(TieTally(public=True, dimension=name, key=key, n=n))
            for key, n in everyone[name].items():
                if n - public[name][key]:
                    rows.append(TieTally(public=False, dimension=name, key=key, n=n - public[name][key]))
        TieTally.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
