#!/usr/bin/env python
"""Maps and charts benchmark: the home page and the tie list with their chart and maps, beside the same
pages without them (the baseline), at N ties on PostgreSQL, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/maps_bench .venv/bin/python bench/maps.py --ties 1000000

The database named in DATABASE_URL is dropped and created again. Ties, entities and places are written
with INSERT ... SELECT (the importer is measured by bench/registry.py): 10,000 US agencies, each in a
real county of ten states (so every tie lands on both maps), 2,000 foreign forces; N ties over
2000-2026 in seven kinds, 2 % drafts, a tenth from the "leso" dataset. Each page is requested
--requests times through Django's test client (routing, view, queries, templates):

- home and the unfiltered tie list: with the overview cached (what readers get), with the cache cleared
  before each request (the first reader after a change), and the baseline, where the overview is
  replaced by an empty one computed in no time;
- the filtered tie list (kind, country IL, a 1-3 year range: more than 500 ties, so its chart and maps
  are offered by a link), the same with ?overview=1 (counted afresh), and a broad one (kind only)
  with ?overview=1; their baseline is the list without chart and maps.

Ratio printed = page / baseline (how much the chart and maps cost).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
STATES = ["nc", "ny", "ca", "tx", "ga", "il", "fl", "wa", "ma", "mi"]
KINDS = ["exchange", "training", "delegation", "conference", "partnership", "funding", "equipment_transfer"]


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def populate(n_ties: int) -> None:
    from django.db import connection

    from tiewatch.core.maps.shapes import counties

    places = [(f"ocd-division/country:us/state:{s.state}/county:{s.name.removesuffix(' County').lower().replace(' ', '_')}",
               s.name, f"ocd-division/country:us/state:{s.state}")
              for s in counties().values() if s.state in STATES]
    with connection.cursor() as cur:
        cur.execute("INSERT INTO registry_jurisdiction (id, name, parent_id) VALUES ('ocd-division/country:us', 'United States', NULL)")
        cur.executemany("INSERT INTO registry_jurisdiction (id, name, parent_id) VALUES (%s, %s, 'ocd-division/country:us')",
                        [(f"ocd-division/country:us/state:{s}", s.upper()) for s in STATES])
        cur.executemany("INSERT INTO registry_jurisdiction (id, name, parent_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        places)
        cur.execute("CREATE TEMP TABLE bench_place AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id "
                    "FROM registry_jurisdiction WHERE id LIKE '%%/county:%%'", [])
        common = ("aliases, search_text, note, uncertain, extra, published, parent_id")
        cur.execute(f"INSERT INTO registry_entity (id, name, kind, country, jurisdiction_id, {common}) "
                    "SELECT 'agency-' || g, 'Agency ' || g, 'police_agency', 'US', p.id, '[]', 'agency ' || g, '', "
                    "false, '{}', g %% 50 <> 0, NULL FROM generate_series(0, 9999) g "
                    "JOIN bench_place p ON p.n = g %% (SELECT count(*) FROM bench_place)", [])
        cur.execute(f"INSERT INTO registry_entity (id, name, kind, country, jurisdiction_id, {common}) "
                    "SELECT 'force-' || g, 'Force ' || g, 'foreign_military', 'IL', NULL, '[]', 'force ' || g, '', "
                    "false, '{}', true, NULL FROM generate_series(0, 1999) g", [])
        cur.execute(
            "INSERT INTO registry_tie (id, subject_id, program_id, kind, start_date, start_precision, end_date, "
            "end_precision, years, year_from, year_to, status, attributes, note, uncertain, published, dataset, "
            "counterpart_countries) "
            "SELECT 'tie-' || g, 'agency-' || (g %% 10000), NULL, (%s::text[])[1 + g %% 7], NULL, 'year', NULL, "
            "'year', '[]', 2000 + (g / 7) %% 27, 2000 + (g / 7) %% 27 + g %% 3, 'reported', '{}', '', false, "
            "g %% 50 <> 1, CASE WHEN g %% 10 = 0 THEN 'leso' ELSE '' END, 'IL' "
            "FROM generate_series(0, %s) g", [KINDS, n_ties - 1])
        cur.execute("INSERT INTO registry_tiecounterpart (tie_id, entity_id, position) "
                    "SELECT 'tie-' || g, 'force-' || (g %% 2000), 0 FROM generate_series(0, %s) g", [n_ties - 1])
        cur.execute("INSERT INTO registry_changerecord (model, object_id, action, actor, at, before, after) "
                    "VALUES ('tie', 'tie-0', 'import', 'bench', now(), NULL, '{}')")
    connection.commit() if not connection.get_autocommit() else None
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def timed(client: Any, url: str, n: int, before: Any = None) -> list[float]:
    out = []
    for _ in range(n):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def measure(n: int) -> list[tuple[str, list[float], list[float]]]:
    from django.core.cache import cache
    from django.test import Client

    from tiewatch.core.maps.chart import stacked_bars
    from tiewatch.registry import atlas

    client = Client()
    empty = atlas.Overview(stacked_bars("Ties by year, by kind", [], []), [], [], {})
    real_registry, real_overview = atlas.registry_overview_html, atlas.overview

    def baseline(url: str) -> list[float]:
        atlas.registry_overview_html = lambda drafts, by_county=False: ""  # type: ignore[assignment]
        atlas.overview = lambda qs, by_county=True: empty  # type: ignore[assignment]
        try:
            return timed(client, url, n)
        finally:
            atlas.registry_overview_html, atlas.overview = real_registry, real_overview

    rng = random.Random(1)
    filtered = []
    for _ in range(n):
        year = rng.randint(2000, 2024)
        filtered.append(f"/ties/?kind={rng.choice(KINDS)}&country=IL&year_from={year}&year_to={year + rng.randint(0, 2)}")
    results = []
    for name, url in (("home", "/"), ("tie list, unfiltered", "/ties/")):
        client.get(url)  # warm the cache and the ZIP table
        results.append((f"{name}, overview cached", timed(client, url, n), baseline(url)))
        results.append((f"{name}, cache cleared", timed(client, url, max(5, n // 10), cache.clear), baseline(url)))
    base = [t for u in filtered for t in baseline(u)]
    results.append(("filtered list (maps offered by a link)", [t for u in filtered for t in timed(client, u, 1)], base))
    results.append(("filtered list, ?overview=1 (maps drawn)",
                    [t for u in filtered for t in timed(client, u + "&overview=1", 1)], base))
    broad = f"/ties/?kind={KINDS[1]}"
    results.append(("kind only (1/7 of ties), ?overview=1", timed(client, broad + "&overview=1", max(5, n // 5)),
                    baseline(broad)))
    return results


def run_paired(doc: str | None, measure: Callable[[int], list[tuple[str, list[float], list[float]]]],
               label: str, requests: int) -> int:
    """The shared driver of this benchmark and bench/facets.py: the million-tie registry (dropped and
    made again unless --reuse), then `measure(requests)`'s (name, timings, baseline timings) rows as
    p50/p95 beside the baseline, with the run's wall and CPU time."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database this benchmark may drop and create")
    if not args.reuse:
        recreate_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    if not args.reuse:
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        populate(args.ties)
        print(f"populated {args.ties:,} ties in {time.perf_counter() - start:.1f} s")
    cpu, wall = time.process_time(), time.perf_counter()
    print(f"{label:44} {'p50':>8} {'p95':>8} {'base p50':>9} {'base p95':>9} {'ratio p95':>9}")
    for name, timings, base in measure(args.requests):
        print(f"{name:44} {p(timings, 50):8.1f} {p(timings, 95):8.1f} {p(base, 50):9.1f} {p(base, 95):9.1f} "
              f"{p(timings, 95) / p(base, 95):8.2f}x")
    print(f"measuring: wall {time.perf_counter() - wall:.1f} s, CPU {time.process_time() - cpu:.1f} s "
          f"(load average {os.getloadavg()[0]:.1f})")
    return 0


def main() -> int:
    return run_paired(__doc__, measure, "page", 50)


if __name__ == "__main__":
    sys.exit(main())
