#!/usr/bin/env python
"""Public pages at a million ties on PostgreSQL, served by gunicorn on 127.0.0.1: the home page, the
entity page of the agency with the most (LESO-like) ties, a place page, the tie list and the entity
list with their facets, chart and maps, each (a) steady, (b) read right after a write (one write
before every sample), beside (c) the same pages without facets, chart, maps and count summaries,
served by a second gunicorn in the same run (bench/site_pages_app.py, SITE_PAGES_BASELINE=1).

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/siteperf_bench .venv/bin/python bench/site_pages.py

The database named is dropped and created (`--reuse` keeps it). Data: bench/maps.py's registry (10,000
agencies in the real counties of ten states, 2,000 foreign forces, --ties ties, 2 % drafts, a tenth
"leso"), plus --biggest LESO-like ties (quantity, acquisition value, categories; the Defense
Logistics Agency as counterpart) of one agency. The write before each (b) sample is what an editor's
save or a small import does: a new published tie of a random agency (or, with --own-writes, also of
the page's own agency), in a random kind, year and dataset, with its audit record, committed.

Printed per page: p50 and p95 wall time per request (client side), gunicorn's CPU per request (user +
system of its workers), the baseline's, and the ratio of the p95s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import maps  # bench/maps.py: the million-tie registry

BIG_AGENCY = "agency-1"
CATEGORIES = ["wheeled_armored_vehicle", "specialized_firearm", "night_vision", "riot_gear", "drone", "vehicle",
              "body_armor", "communications", "manned_aircraft", "explosives"]


def add_leso_agency(biggest: int) -> None:
    from django.db import connection

    rng = random.Random(2)
    rows = []
    for i in range(biggest):
        year = rng.randint(1995, 2021)
        attributes = {"item": f"ITEM {i % 500}", "quantity": rng.randint(1, 20),
                      "acquisition_value": round(rng.uniform(10, 700_000), 2),
                      "categories": rng.sample(CATEGORIES, rng.choice([0, 1, 1, 1, 2]))}
        rows.append((f"leso-big-{i:06d}", year, json.dumps(attributes)))
    with connection.cursor() as cur:
        cur.execute("INSERT INTO registry_entity (id, name, kind, country, jurisdiction_id, aliases, search_text, "
                    "note, uncertain, extra, published, parent_id) VALUES ('us-dla', 'Defense Logistics Agency', "
                    "'federal_agency', 'US', NULL, '[]', 'defense logistics agency', '', false, '{}', true, NULL)")
        cur.executemany(
            "INSERT INTO registry_tie (id, subject_id, program_id, kind, start_date, start_precision, end_date, "
            "end_precision, years, year_from, year_to, status, attributes, note, uncertain, published, dataset, "
            "counterpart_countries) VALUES (%s, %s, NULL, 'equipment_transfer', NULL, 'year', NULL, 'year', '[]', "
            "%s, %s, 'confirmed', %s, '', false, true, 'leso', 'US')",
            [(tie_id, BIG_AGENCY, year, year, attributes) for tie_id, year, attributes in rows])
        cur.executemany("INSERT INTO registry_tiecounterpart (tie_id, entity_id, position) VALUES (%s, 'us-dla', 0)",
                        [(r[0],) for r in rows])
        cur.execute("ANALYZE")


def serve(port: int, baseline: bool, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SITE_PAGES_BASELINE": "1" if baseline else "0", "PYTHONPATH": str(REPO),
           "DB_CONN_MAX_AGE": "60"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "--chdir", str(REPO / "bench"), "-b", f"127.0.0.1:{port}",
                                "-w", str(workers), "--log-level", "warning", "site_pages_app:application"],
                               env=env)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except OSError as error:
            if getattr(error, "code", None):  # an HTTP answer (404 or so): it is up
                break
            time.sleep(0.2)
    return process


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of gunicorn's master and workers so far."""
    def own(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return own(pid) + sum(own(int(c)) for c in children)


def get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        assert response.status == 200 and body, url
    return (time.perf_counter() - start) * 1000


def sample(port: int, pid: int, path: str, n: int, write: Any = None) -> dict[str, float]:
    for _ in range(4):  # every worker has read the page once
        get(f"http://127.0.0.1:{port}{path}")
    times = []
    cpu = server_cpu(pid)
    for _ in range(n):
        if write is not None:
            write()
        times.append(get(f"http://127.0.0.1:{port}{path}"))
    return {"p50": statistics.median(times), "p95": statistics.quantiles(times, n=20)[18],
            "cpu": (server_cpu(pid) - cpu) * 1000 / n}


def writer(own: str | None, n_ties: int) -> Any:
    """A write as an editor's save or a small import makes it: a new published tie (changing the
    total, a kind and year, a place: every count the pages draw), with its audit record."""
    from tiewatch.registry.audit import record_change
    from tiewatch.registry.models import Tie

    rng = random.Random(3)
    made = [0]

    def write() -> None:
        made[0] += 1
        subject = own or f"agency-{rng.randrange(10_000) | 1}"  # odd numbers: never a draft (g % 50 = 0)
        tie = Tie(id=f"bench-write-{os.getpid()}-{made[0]}-{rng.randrange(10**9)}", subject_id=subject,
                  kind=rng.choice(maps.KINDS), year_from=rng.randint(2000, 2026), status="reported",
                  dataset=rng.choice(["", "leso"]), counterpart_countries="IL")
        tie.year_to = tie.year_from
        tie.save()
        record_change("tie", tie.pk, "create", None, {"kind": tie.kind}, None, "bench")
    return write


PAGES = [("home", "/"), ("entity: agency with the most ties", f"/entities/{BIG_AGENCY}/"),
         ("entity: Defense Logistics Agency (counterpart)", "/entities/us-dla/"),
         ("place (a county)", "/jurisdictions/country:us/state:nc/county:durham/"),
         ("tie list, unfiltered", "/ties/"), ("tie list, one agency (facets counted)", "/ties/?subject=agency-5"),
         ("tie list, kind+country+years, ?facets=1", "/ties/?kind=training&country=IL&year_from=2010&year_to=2010&facets=1"),
         ("entity list", "/entities/")]


def import_overhead(rows: int, batch: int) -> None:
    """What the triggers cost a bulk import: `rows` ties written by the importers' writer (COPY, `batch`
    rows a statement) into the million-tie registry, with the triggers and without them (the same
    transaction with `session_replication_role = replica`, which skips triggers), rolled back each time."""
    from django.db import connection, transaction

    from tiewatch.registry.importers.writer import insert_rows
    from tiewatch.registry.models import Tie

    columns = ["id", "subject", "kind", "start_precision", "end_precision", "years", "year_from", "year_to",
               "status", "attributes", "note", "uncertain", "published", "counterpart_countries", "dataset"]
    timings = {}
    for label, replica in (("with triggers", False), ("without triggers", True)):
        start, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = %s", ["replica" if replica else "origin"])
            for first in range(0, rows, batch):
                insert_rows(Tie, columns, ((f"overhead-{i}", f"agency-{(i % 9_999) | 1}", "equipment_transfer", "day",
                                            "day", "[]", 2000 + i % 22, 2000 + i % 22, "confirmed", "{}", "", False,
                                            True, "US", "leso") for i in range(first, min(rows, first + batch))))
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")  # the statement triggers have run
            transaction.set_rollback(True)
        timings[label] = time.perf_counter() - start
        print(f"import overhead: {rows:,} ties by COPY of {batch:,} {label}: {timings[label]:.2f} s "
              f"({rows / timings[label]:,.0f} ties/s; this process's CPU {time.process_time() - cpu:.2f} s)")
    print(f"import overhead: ratio {timings['with triggers'] / timings['without triggers']:.2f}x")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(n: int, workers: int, own_writes: bool, n_ties: int, pages: list[str]) -> None:
    ports = free_port(), free_port()
    site, base = serve(ports[0], False, workers), serve(ports[1], True, workers)
    try:
        print(f"{'page':48} {'mode':12} {'p50':>7} {'p95':>7} {'cpu':>6} | {'base p50':>8} {'base p95':>8} "
              f"{'base cpu':>8} | {'p95 ratio':>9}")
        modes: list[tuple[str, Any]] = [("steady", None), ("after write", writer(None, n_ties))]
        if own_writes:
            modes.append(("own write", writer(BIG_AGENCY, n_ties)))
        for name, path in PAGES:
            if pages and not any(word in name for word in pages):
                continue
            for mode, write in modes:
                if mode == "own write" and BIG_AGENCY not in path and "us-dla" not in path:
                    continue
                mine = sample(ports[0], site.pid, path, n, write)
                theirs = sample(ports[1], base.pid, path, n, write)
                print(f"{name:48} {mode:12} {mine['p50']:7.1f} {mine['p95']:7.1f} {mine['cpu']:6.1f} | "
                      f"{theirs['p50']:8.1f} {theirs['p95']:8.1f} {theirs['cpu']:8.1f} | "
                      f"{mine['p95'] / theirs['p95']:8.2f}x", flush=True)
    finally:
        for process in (site, base):
            process.terminate()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--biggest", type=int, default=10_000, help="LESO-like ties of the agency with the most")
    parser.add_argument("--requests", type=int, default=40, help="samples per page, mode and server")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--own-writes", action="store_true",
                        help="also measure the agency pages right after a write to the agency's own ties")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--pages", nargs="*", default=[], help="only the pages whose name contains one of these words")
    parser.add_argument("--import-overhead", type=int, default=0, metavar="ROWS",
                        help="only measure what the tally triggers cost an import of ROWS ties")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database this benchmark may drop and create")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("DEBUG", "false")
    if not args.reuse:
        maps.recreate_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    if not args.reuse:
        call_command("migrate", verbosity=0)
        start, cpu = time.perf_counter(), time.process_time()
        maps.populate(args.ties)
        add_leso_agency(args.biggest)
        print(f"populated {args.ties + args.biggest:,} ties in {time.perf_counter() - start:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU (the tallies counted by the triggers on the way)")
    from tiewatch.registry import tallies

    if args.import_overhead:
        import_overhead(args.import_overhead, 5_000)
        return 0
    if not args.reuse:
        start = time.perf_counter()
        found = tallies.differences()
        print(f"tallies check: {'agree' if not found else found[:3]} ({time.perf_counter() - start:.1f} s)")
    wall, load = time.perf_counter(), os.getloadavg()
    measure(args.requests, args.workers, args.own_writes, args.ties, args.pages)
    print(f"measuring: wall {time.perf_counter() - wall:.1f} s; load average before {load[0]:.1f}, "
          f"after {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
