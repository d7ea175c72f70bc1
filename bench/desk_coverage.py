"""Benchmark of the coverage summary (counts per answer and per state) at registry scale.

Run: DATABASE_URL=sqlite:////tmp/desk-bench.sqlite3 DEBUG=true .venv/bin/python bench/desk_coverage.py \
         [--agencies 20000] [--researched 6000] [--repeat 5]
     (or DATABASE_URL=postgres://.../DBNAME for PostgreSQL; the database is migrated and its desk and
     registry tables are emptied first, so point it at a scratch database).

Times `tiewatch.desk.coverage.summary` (grouped queries) beside a baseline measured in the same run
that reads every published agency and every coverage record into Python and counts there (what a
page would do with one row per agency), checks that both give the same counts, and prints the
ratio, with CPU time beside wall time, and the coverage page's response time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
STATES = ["al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi", "id", "il", "in", "ia", "ks", "ky",
          "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd",
          "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy"]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), result


def populate(agencies: int, researched: int) -> None:
    from django.db import transaction

    from tiewatch.desk.models import Coverage
    from tiewatch.registry.models import Entity, Jurisdiction

    with transaction.atomic():
        Coverage.objects.all().delete()
        Entity.objects.filter(id__startswith="bench-desk-").delete()
        Jurisdiction.objects.filter(id__startswith="ocd-division/country:us/state:").filter(
            name__startswith="bench ").delete()
        country, _ = Jurisdiction.objects.get_or_create(id="ocd-division/country:us", defaults={"name": "US"})
        places = [Jurisdiction(id=f"ocd-division/country:us/state:{s}", name=f"bench {s}", parent=country)
                  for s in STATES]
        Jurisdiction.objects.bulk_create(places, ignore_conflicts=True)
        Entity.objects.bulk_create([Entity(id=f"bench-desk-{i}", name=f"Bench agency {i}", kind="police_agency",
                                           jurisdiction_id=places[i % len(places)].id, published=i % 47 != 0)
                                    for i in range(agencies)], batch_size=2000)
        Coverage.objects.bulk_create([Coverage(agency_id=f"bench-desk-{i * 3}", question="israel-ties",
                                               state="found" if i % 4 == 0 else "nothing_found",
                                               researched_on=dt.date(2026, 1, 1), method="bench")
                                      for i in range(min(researched, agencies // 3))], batch_size=2000)


def baseline(question: str) -> dict[str, int]:
    """Every published agency and every coverage record into Python, counted there."""
    from tiewatch.desk.coverage import AGENCY_KINDS
    from tiewatch.desk.models import Coverage
    from tiewatch.registry.models import Entity

    answers = {c.agency_id: c.state for c in Coverage.objects.filter(question=question)}
    totals = {"found": 0, "nothing_found": 0, "not_researched": 0}
    for agency in Entity.objects.filter(published=True, kind__in=AGENCY_KINDS):
        totals[answers.get(agency.pk, "not_researched")] += 1
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=20_000)
    parser.add_argument("--researched", type=int, default=6_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tiewatch.desk.coverage import summary
    from tiewatch.desk.questions import question

    call_command("migrate", interactive=False, verbosity=0)
    populate(args.agencies, args.researched)
    asked = question("israel-ties")
    assert asked is not None
    ours_ms, ours_cpu, ours = timed(lambda: summary(asked), args.repeat)
    base_ms, base_cpu, base = timed(lambda: baseline(asked.slug), args.repeat)
    assert ours.totals == base, (ours.totals, base)
    page_ms, page_cpu, response = timed(lambda: Client().get("/desk/coverage/israel-ties/"), args.repeat)
    assert response.status_code == 200
    print(f"[{connection.vendor}] {args.agencies:,} agencies, {sum(ours.totals.values()):,} published, "
          f"{ours.totals['found'] + ours.totals['nothing_found']:,} researched, {len(ours.states)} states")
    print(f"summary (grouped queries): {ours_ms:.1f} ms wall, {ours_cpu:.1f} ms CPU")
    print(f"baseline (rows into Python): {base_ms:.1f} ms wall, {base_cpu:.1f} ms CPU")
    print(f"ratio baseline / summary: {base_ms / ours_ms:.1f}x wall, {base_cpu / max(ours_cpu, 0.01):.1f}x CPU")
    print(f"coverage page: {page_ms:.1f} ms wall, {page_cpu:.1f} ms CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
