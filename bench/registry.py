#!/usr/bin/env python
"""Registry benchmark: import a generated bundle of N ties among 20,000 entities, then time the entity
page and the filtered tie list (p50/p95), on SQLite and on a throwaway PostgreSQL 15 cluster.

Each page is measured twice in the same run: with the schema's indexes, and against a baseline with
the indexes the pages rely on dropped (registry_tie's and registry_tiecounterpart's secondary
indexes; primary keys and unique constraints stay). The ratio printed is baseline / indexed.

    .venv/bin/python bench/registry.py                  # 1,000,000 ties (the targets' size)
    .venv/bin/python bench/registry.py --ties 100000    # a quick check
    .venv/bin/python bench/registry.py --backends postgresql --explain
    # the streaming importer against the pre-streaming one (bench/import_baseline.py), same run:
    .venv/bin/python bench/registry.py --backends postgresql --import-only --importers current,baseline \
        --rounds 2 --database-url postgres://postgres@127.0.0.1:55432/NAME

Targets (PostgreSQL, 1,000,000 ties): import >= 20,000 ties/s; entity page and filtered list p95 < 100 ms.
Pages are requested through Django's test client (URL routing, view, queries, template rendering).
PostgreSQL is started with initdb/pg_ctl as the `postgres` user (root cannot run it) and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")

KINDS = ["exchange", "training", "delegation", "conference", "partnership", "funding", "equipment_transfer"]
STATUSES = ["reported", "reported", "reported", "confirmed", "disputed", "planned"]
FOREIGN = ["IL", "IL", "IL", "PS", "GB", "FR", "DE", "JO", "EG", "CO"]
STATES = ["nc", "ny", "ca", "tx", "ga", "il", "fl", "wa", "ma", "mi"]


# --- the bundle ------------------------------------------------------------------------------

def generate(folder: Path, n_ties: int, n_entities: int, seed: int = 1) -> dict[str, Any]:
    """JSON lines: sources, entities (half US agencies, a tenth foreign forces, 1% programs), ties."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_sources = max(100, n_ties // 200)
    n_subjects = n_entities // 2
    n_foreign = n_entities // 10
    n_programs = max(10, n_entities // 100)
    subjects = [f"us-{STATES[i % len(STATES)]}-agency-{i:05d}" for i in range(n_subjects)]
    foreign = [f"foreign-force-{i:05d}" for i in range(n_foreign)]
    programs = [f"program-{i:04d}" for i in range(n_programs)]
    others = [f"org-{i:05d}" for i in range(n_entities - n_subjects - n_foreign - n_programs)]
    foreign_country = {eid: FOREIGN[i % len(FOREIGN)] for i, eid in enumerate(foreign)}
    with (folder / "1-sources-entities.jsonl").open("w", encoding="utf-8") as out:
        for i in range(n_sources):
            out.write(json.dumps({"type": "sources", "id": f"s{i:06d}", "url": f"https://news.example.org/{i}",
                                  "title": f"Report {i}", "publisher": f"Paper {i % 50}",
                                  "published_on": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}"}) + "\n")
        for i, eid in enumerate(subjects):
            state = STATES[i % len(STATES)]
            out.write(json.dumps({"type": "entities", "id": eid, "name": f"Agency {i} Police Department",
                                  "kind": "police_agency" if i % 5 else "sheriff", "country": "US",
                                  "jurisdiction": f"ocd-division/country:us/state:{state}",
                                  "aliases": [f"APD{i}"], "sources": [f"s{i % n_sources:06d}"]}) + "\n")
        for eid in foreign:
            out.write(json.dumps({"type": "entities", "id": eid, "name": f"Force {eid[-5:]}",
                                  "kind": "foreign_police", "country": foreign_country[eid]}) + "\n")
        for eid in programs:
            out.write(json.dumps({"type": "entities", "id": eid, "name": f"Exchange program {eid[-4:]}",
                                  "kind": "program", "country": "US"}) + "\n")
        for i, eid in enumerate(others):
            out.write(json.dumps({"type": "entities", "id": eid, "name": f"Organization {i}",
                                  "kind": "organization", "country": "US", "published": i % 10 != 0}) + "\n")
    per_file = 250_000
    for part in range(0, n_ties, per_file):
        with (folder / f"2-ties-{part // per_file:03d}.jsonl").open("w", encoding="utf-8") as out:
            for i in range(part, min(part + per_file, n_ties)):
                year = 2000 + rng.randrange(25)
                tie: dict[str, Any] = {
                    "type": "ties", "id": f"t{i:07d}", "subject": subjects[rng.randrange(n_subjects)],
                    "counterparts": sorted({foreign[rng.randrange(n_foreign)] for _ in range(1 + (i % 3 == 0))}),
                    "kind": KINDS[rng.randrange(len(KINDS))], "status": STATUSES[rng.randrange(len(STATUSES))],
                    "sources": [f"s{rng.randrange(n_sources):06d}"],
                }
                if i % 3 == 0:
                    tie["program"] = programs[rng.randrange(n_programs)]
                shape = i % 4
                if shape == 0:
                    tie["years"] = sorted({year, year + rng.randrange(3)})
                elif shape == 1:
                    tie["date"] = f"{year}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
                elif shape == 2:
                    tie["dates"] = f"{year}-0{1 + rng.randrange(9)}/{year + rng.randrange(2)}-1{rng.randrange(3)}"
                else:
                    tie["date"] = str(year)
                if i % 7 == 0:
                    tie["note"] = f"Reported in the press; event {i}."
                if i % 50 == 0:
                    tie["published"] = False
                out.write(json.dumps(tie) + "\n")
    return {"subjects": subjects, "foreign": foreign, "programs": programs, "sources": n_sources,
            "entities": n_entities, "ties": n_ties}


# --- PostgreSQL --------------------------------------------------------------------------------

class Postgres:
    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="tiewatch-pg-"))
        self.data = self.dir / "data"

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        options = (f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=1GB "
                   "-c work_mem=64MB -c maintenance_work_mem=512MB -c max_wal_size=4GB -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                          "-l", str(self.dir / "log"), "-w", "start")
        self._as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                          "tiewatch_bench")
        return f"postgres://postgres@127.0.0.1:{self.port}/tiewatch_bench"

    def stop(self) -> None:
        try:
            self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- one backend, in a child process (Django settings are per process) --------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(client: Any, urls: list[str]) -> dict[str, float]:
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return {"p50": percentile(times, 50), "p95": percentile(times, 95), "n": len(times),
            "mean": statistics.fmean(times)}


# The secondary indexes the pages rely on; the baseline runs without them.
BASELINE_TABLES = ("registry_tie", "registry_tiecounterpart")


def drop_indexes() -> list[str]:
    from django.db import connection

    dropped = []
    with connection.cursor() as cursor:
        for table in BASELINE_TABLES:
            constraints = connection.introspection.get_constraints(cursor, table)
            for name, info in constraints.items():
                if info["index"] and not info["primary_key"] and not info["unique"]:
                    cursor.execute(f'DROP INDEX "{name}"')
                    dropped.append(name)
        cursor.execute("ANALYZE")
    return dropped


LEAN_TABLES = ("registry_tie", "registry_tiecounterpart", "registry_tie_sources", "registry_entity_sources",
               "registry_changerecord")


def drop_redundant_indexes() -> list[str]:
    """An experiment (--lean-indexes, PostgreSQL): drop the indexes no query needs, to measure what a
    leaner schema would give the import: `varchar_pattern_ops` twins (only LIKE 'x%' uses them), and
    single-column indexes whose column leads a multi-column index or unique constraint."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.indexrelid::regclass::text, i.indrelid, i.indkey::text, i.indisunique,
                   pg_get_indexdef(i.indexrelid), c.oid IS NOT NULL
            FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
            WHERE i.indrelid = ANY(%s::regclass[])""", [list(LEAN_TABLES)])
        rows = cursor.fetchall()
        leading = {(rel, key.split()[0]) for _, rel, key, _, _, _ in rows if len(key.split()) > 1}
        dropped = []
        for name, rel, key, unique, definition, constraint in rows:
            if unique or constraint:
                continue
            if "_pattern_ops" in definition or (len(key.split()) == 1 and (rel, key) in leading):
                cursor.execute(f"DROP INDEX {name}")
                dropped.append(name)
    return dropped


def explain(label: str, qs: Any) -> None:
    from django.db import connection

    options = {"analyze": True} if connection.vendor == "postgresql" else {}
    print(f"--- EXPLAIN {label} ({connection.vendor})\n{qs.explain(**options)}", flush=True)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu_seconds() -> float | None:
    """CPU time (user + system) of this connection's PostgreSQL server process, from /proc (the
    server runs on this machine); None elsewhere. The importer's own rusage does not include it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # Fields 14 and 15 of stat (utime, stime), counted after the ")" that ends the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _importer(name: str) -> Any:
    """This tree's `import_bundle`, or the pre-streaming one (bench/import_baseline.py)."""
    if name == "baseline":
        sys.path.insert(0, str(REPO / "bench"))
        import import_baseline

        return import_baseline.load().import_bundle
    from tiewatch.registry.importers import import_bundle

    return import_bundle


def run_backend(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from tiewatch.registry import queries
    from tiewatch.registry.models import Entity, Tie

    meta = json.loads(Path(args.meta).read_text())
    call_command("migrate", interactive=False, verbosity=0)
    if args.lean_indexes:
        print(f"[{connection.vendor}] lean schema: dropped {', '.join(drop_redundant_indexes())}", flush=True)
    import_bundle = _importer(args.importer)
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    server_start = _backend_cpu_seconds()
    cpu_start, start = _cpu_seconds(), time.perf_counter()
    result = import_bundle([args.bundle], actor="bench")
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    server_end = _backend_cpu_seconds()
    server_cpu = None if server_start is None or server_end is None else server_end - server_start
    records = sum(c.created for c in result.counts.values())
    # ru_maxrss is the process's peak resident set (kB on Linux): Django's start-up plus the import.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out: dict[str, Any] = {"backend": connection.vendor, "importer": args.importer, "load_average": os.getloadavg(),
                           "import_seconds": seconds, "import_cpu_seconds": cpu, "server_cpu_seconds": server_cpu,
                           "ties_per_s": meta["ties"] / seconds, "records_per_s": records / seconds,
                           "ties": Tie.objects.count(), "entities": Entity.objects.count(),
                           "rss_before_import_mb": before_rss, "import_peak_rss_mb": peak, "max_rss_mb": peak}
    Path(args.out).write_text(json.dumps(out))  # kept if the page timings fail
    server = "" if server_cpu is None else f", {server_cpu:.1f} s in the PostgreSQL server process"
    print(f"[{connection.vendor}, {args.importer} importer] imported {records:,} records ({meta['ties']:,} ties) "
          f"in {seconds:.1f} s (CPU {cpu:.1f} s in this process{server}): {meta['ties'] / seconds:,.0f} ties/s, "
          f"{records / seconds:,.0f} records/s; peak RSS {peak:,.0f} MB ({before_rss:,.0f} MB before the import)",
          flush=True)
    if args.import_only:
        return out
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    rng = random.Random(2)
    pool = meta["subjects"][:2000] + meta["foreign"] + meta["programs"]

    def entity_urls(n: int) -> list[str]:
        return [f"/entities/{rng.choice(pool)}/" for _ in range(n)]

    def list_urls(n: int) -> list[str]:
        urls = []
        for _ in range(n):
            year = 2000 + rng.randrange(20)
            country = rng.choice(["IL", "PS", "GB", "JO"])
            urls.append(f"/ties/?kind={rng.choice(KINDS)}&country={country}&year_from={year}"
                        f"&year_to={year + rng.randrange(1, 6)}")
        return urls

    client = Client()
    timed(client, entity_urls(5) + list_urls(5))  # warm-up
    n, nb = args.requests, max(5, args.requests // 10)
    indexed = {"entity page": timed(client, entity_urls(n)), "filtered tie list": timed(client, list_urls(n))}
    heavy = meta["foreign"][0]  # a foreign force: the counterpart of ~N/1,500 ties
    sample_list = queries.filter_ties(queries.ties(False), queries.TieFilters(
        kind="training", country="IL", year_from=2010, year_to=2014))[:51]
    # The entity page's two queries per role: counts by kind and year, and the most recent ties.
    as_counterpart = queries.entity_role_ties(Entity(pk=heavy), False)["counterpart"]
    sample_counts = as_counterpart.order_by().values_list("kind", "year_from").annotate(n=Count("id"))
    sample_entity = as_counterpart.order_by(*queries.SMALL_SET_SORTS["-year"])[:queries.ENTITY_TIE_LIMIT]
    if args.explain:
        explain("filtered tie list (indexed)", sample_list)
        explain("entity page, ties as counterpart by kind and year (indexed)", sample_counts)
        explain("entity page, ties as counterpart, most recent (indexed)", sample_entity)
    dropped = drop_indexes()
    baseline = {"entity page": timed(client, entity_urls(nb)), "filtered tie list": timed(client, list_urls(nb))}
    if args.explain:
        explain("filtered tie list (baseline, no indexes)", sample_list)
        explain("entity page, ties as counterpart by kind and year (baseline, no indexes)", sample_counts)
        explain("entity page, ties as counterpart, most recent (baseline, no indexes)", sample_entity)
    out["pages"] = {name: {"indexed": indexed[name], "baseline": baseline[name]} for name in indexed}
    out["dropped_indexes"] = dropped
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def report(results: list[dict[str, Any]], n_ties: int) -> None:
    print(f"\nRegistry benchmark: {n_ties:,} ties (load average at the end: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs)")
    for r in results:
        server = r.get("server_cpu_seconds")
        print(f"\n{r['backend']} ({r.get('importer', 'current')} importer, load {r.get('load_average', [0])[0]:.1f}): "
              f"import {r['ties_per_s']:,.0f} ties/s ({r['records_per_s']:,.0f} records/s, "
              f"{r['import_seconds']:.1f} s, CPU {r.get('import_cpu_seconds', 0):.1f} s"
              + ("" if server is None else f" + server {server:.1f} s")
              + f", import peak RSS {r.get('import_peak_rss_mb', r.get('max_rss_mb', 0)):,.0f} MB)"
              + ("  [target >= 20,000 ties/s]" if r["backend"] == "postgresql" else ""))
        for name, page in r.get("pages", {}).items():
            ix, base = page["indexed"], page["baseline"]
            print(f"  {name:18s} p50 {ix['p50']:8.1f} ms  p95 {ix['p95']:8.1f} ms   "
                  f"baseline (no indexes) p50 {base['p50']:9.1f} ms  p95 {base['p95']:9.1f} ms   "
                  f"ratio p50 {base['p50'] / ix['p50']:6.1f}x  p95 {base['p95'] / ix['p95']:6.1f}x"
                  + ("  [target p95 < 100 ms]" if r["backend"] == "postgresql" else ""))
    compare_importers(results, n_ties)


def compare_importers(results: list[dict[str, Any]], n_ties: int) -> None:
    """With --importers current,baseline: medians per importer and the ratios baseline / current.
    On a shared machine the CPU seconds per 1M ties are the fair measure; wall time follows the load."""
    per_million = 1_000_000 / n_ties
    for backend in dict.fromkeys(r["backend"] for r in results):
        runs = {name: [r for r in results if r["backend"] == backend and r.get("importer") == name]
                for name in ("current", "baseline")}
        if not all(runs.values()):
            continue
        med: dict[str, dict[str, float]] = {}
        for name, rs in runs.items():
            med[name] = {"ties/s": statistics.median(r["ties_per_s"] for r in rs),
                         "CPU s per 1M ties": statistics.median(r["import_cpu_seconds"] for r in rs) * per_million,
                         "peak RSS MB": max(r["import_peak_rss_mb"] for r in rs)}
            servers = [r["server_cpu_seconds"] for r in rs if r.get("server_cpu_seconds") is not None]
            if servers:
                med[name]["server CPU s per 1M ties"] = statistics.median(servers) * per_million
                med[name]["importer + server CPU s per 1M ties"] = statistics.median(
                    r["import_cpu_seconds"] + r["server_cpu_seconds"] for r in rs
                    if r.get("server_cpu_seconds") is not None) * per_million
        print(f"\n{backend}: streaming (current) against the pre-streaming importer (baseline), medians of "
              f"{len(runs['current'])} and {len(runs['baseline'])} runs; ratio = baseline / current for "
              f"times (> 1: streaming is cheaper), current / baseline for ties/s (> 1: streaming is faster)")
        for key in med["current"]:
            cur, base = med["current"][key], med["baseline"][key]
            ratio = cur / base if key == "ties/s" else base / cur
            print(f"  {key:38s} current {cur:10,.1f}   baseline {base:10,.1f}   ratio {ratio:5.2f}")


def fresh_database(url: str) -> None:
    """An empty database at `url` on an existing PostgreSQL server (--database-url): dropped and created."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_child(args: argparse.Namespace, work: Path, backend: str, importer: str,
              env: dict[str, str]) -> list[dict[str, Any]]:
    """One import (and the pages unless --import-only) into an empty database, in a child process."""
    if backend == "sqlite":
        (work / "bench.sqlite3").unlink(missing_ok=True)
    else:
        fresh_database(env["DATABASE_URL"])
    out = work / f"{backend}-{importer}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, __file__, "--child", "--bundle", str(work / "bundle"),
               "--meta", str(work / "meta.json"), "--out", str(out), "--importer", importer,
               "--requests", str(args.requests)] + (["--explain"] if args.explain else []) \
        + (["--lean-indexes"] if args.lean_indexes else []) \
        + (["--import-only"] if args.import_only else [])
    done = subprocess.run(command, env=env, cwd=REPO, check=False)
    if done.returncode:
        print(f"{backend}: the benchmark failed (exit {done.returncode}); results so far are kept", file=sys.stderr)
    return [json.loads(out.read_text())] if out.exists() else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per page kind (indexed)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--port", type=int, default=54329, help="port of the throwaway PostgreSQL")
    parser.add_argument("--explain", action="store_true", help="print query plans")
    parser.add_argument("--lean-indexes", action="store_true",
                        help="experiment: drop redundant indexes before importing (PostgreSQL)")
    parser.add_argument("--import-only", action="store_true",
                        help="time the import only (rows/s, CPU, peak RSS), not the pages")
    parser.add_argument("--importers", default="current",
                        help="importers to time, in order: current (streaming), baseline (the pre-streaming "
                             "importer of bench/import_baseline.py); e.g. current,baseline")
    parser.add_argument("--rounds", type=int, default=1, help="times to run the importers (alternating)")
    parser.add_argument("--database-url", help="PostgreSQL: an existing server's database (dropped and "
                                               "created before each run) instead of a throwaway cluster")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bundle", help=argparse.SUPPRESS)
    parser.add_argument("--meta", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--importer", default="current", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        Path(args.out).write_text(json.dumps(run_backend(args)))
        return 0

    work = Path(tempfile.mkdtemp(prefix="tiewatch-bench-"))
    try:
        start = time.perf_counter()
        meta = generate(work / "bundle", args.ties, args.entities)
        (work / "meta.json").write_text(json.dumps(meta))
        print(f"generated {args.ties:,} ties among {args.entities:,} entities in "
              f"{time.perf_counter() - start:.1f} s ({work / 'bundle'})", flush=True)
        results = []
        importers = [name.strip() for name in args.importers.split(",") if name.strip()]
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            pg = None
            env = {**os.environ, "TIEWATCH_VAR_DIR": str(work / "var"), "DEBUG": "false",
                   "SECRET_KEY": os.environ.get("SECRET_KEY") or "tiewatch-bench-only-throwaway-database"}
            if backend == "sqlite":
                env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
            elif backend == "postgresql" and args.database_url:
                env["DATABASE_URL"] = args.database_url
            elif backend == "postgresql":
                pg = Postgres(args.port)
                env["DATABASE_URL"] = pg.start()
            else:
                raise SystemExit(f"unknown backend {backend!r}")
            try:
                for _ in range(args.rounds):
                    for importer in importers:
                        results.extend(run_child(args, work, backend, importer, env))
            finally:
                if pg is not None:
                    pg.stop()
        report(results, args.ties)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
