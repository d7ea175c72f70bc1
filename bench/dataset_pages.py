#!/usr/bin/env python
"""Dataset browsing benchmark: the entity page of the agency with the most LESO ties (10,000 of
140,000), whose summary (categories x years, quantity and acquisition value) is grouped in SQL, and
the tie list filtered by dataset and category, p50/p95 through Django's test client.

Baseline in the same run: the same summary computed the naive way, by loading the agency's ties and
grouping them in Python. The ratio printed is baseline / page.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/sipri_bench .venv/bin/python bench/dataset_pages.py
    .venv/bin/python bench/dataset_pages.py --ties 20000     # SQLite (a temporary file), a quick check

Target (PostgreSQL, 140,000 LESO ties): the agency's page p95 <= 100 ms.
The database named by DATABASE_URL is emptied and rebuilt (migrate --run-syncdb on a fresh schema).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CATEGORIES = ["wheeled_armored_vehicle", "specialized_firearm", "night_vision", "riot_gear", "drone", "vehicle",
              "body_armor", "communications", "manned_aircraft", "explosives"]


def setup(database_url: str | None) -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DEBUG", "true")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='tiewatch-bench-')}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


def populate(n_ties: int, biggest: int, n_agencies: int, seed: int = 1) -> str:
    from tiewatch.registry.importers.writer import insert_rows
    from tiewatch.registry.models import Entity, Tie, TieCounterpart

    rng = random.Random(seed)
    agencies = [f"us-nc-agency-{i:05d}" for i in range(n_agencies)]
    insert_rows(Entity, ["id", "name", "kind", "country", "aliases", "extra", "search_text", "published", "note",
                         "uncertain"],
                [(a, f"Agency {i}", "police_agency", "US", "[]", "{}", f"agency {i}", True, "", False)
                 for i, a in enumerate(agencies)] +
                [("us-dla", "Defense Logistics Agency", "federal_agency", "US", "[]", "{}", "dla", True, "", False)])
    rows, links = [], []
    for i in range(n_ties):
        subject = agencies[0] if i < biggest else agencies[1 + i % (n_agencies - 1)]
        year = rng.randint(1995, 2021)
        day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        attributes = {"item": f"ITEM {i % 500}", "quantity": rng.randint(1, 20),
                      "acquisition_value": round(rng.uniform(10, 700_000), 2),
                      "categories": rng.sample(CATEGORIES, rng.choice([0, 1, 1, 1, 2]))}
        rows.append((f"leso-{i:07d}", subject, None, "equipment_transfer", day, "day", None, "day", "[]", year, year,
                     "confirmed", json.dumps(attributes), "", False, True, "US", "leso"))
        links.append((f"leso-{i:07d}", "us-dla", 0))
    insert_rows(Tie, ["id", "subject", "program", "kind", "start_date", "start_precision", "end_date",
                      "end_precision", "years", "year_from", "year_to", "status", "attributes", "note", "uncertain",
                      "published", "counterpart_countries", "dataset"], rows)
    insert_rows(TieCounterpart, ["tie", "entity", "position"], links)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return agencies[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Any, runs: int) -> dict[str, float]:
    fn()  # warm
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {"p50": statistics.median(wall), "p95": percentile(wall, 0.95), "cpu_p50": statistics.median(cpu)}


def naive_summary(agency: str) -> dict[tuple[str, int], list[float]]:
    """The baseline: every tie loaded, grouped in Python."""
    from tiewatch.registry.models import Tie

    out: dict[tuple[str, int], list[float]] = {}
    for year, attributes in Tie.objects.filter(subject_id=agency, dataset="leso").values_list("year_from",
                                                                                              "attributes"):
        for category in attributes.get("categories") or [""]:
            cell = out.setdefault((category, year), [0, 0.0, 0.0])
            cell[0] += 1
            cell[1] += attributes.get("quantity") or 0
            cell[2] += attributes.get("acquisition_value") or 0
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ties", type=int, default=140_000)
    parser.add_argument("--biggest", type=int, default=10_000, help="ties of the agency with the most")
    parser.add_argument("--agencies", type=int, default=6_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup(os.environ.get("DATABASE_URL"))
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    agency = populate(args.ties, args.biggest, args.agencies)
    print(f"{connection.vendor}: {args.ties:,} LESO ties ({args.biggest:,} of one agency) in "
          f"{time.perf_counter() - started:.1f} s")
    client = Client()

    def page() -> None:
        response = client.get(f"/entities/{agency}/")
        assert response.status_code == 200 and b"Quantity" in response.content

    def listed() -> None:
        response = client.get(f"/ties/?subject={agency}&dataset=leso&category=drone")
        assert response.status_code == 200

    results = {"entity page": timed(page, args.runs), "list by category": timed(listed, args.runs),
               "baseline: rows loaded, grouped in Python": timed(lambda: naive_summary(agency), args.runs)}
    for name, r in results.items():
        print(f"  {name:<42} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  (cpu p50 {r['cpu_p50']:.1f} ms)")
    base, mine = results["baseline: rows loaded, grouped in Python"], results["entity page"]
    print(f"  ratio baseline / page (p50): {base['p50'] / mine['p50']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
