#!/usr/bin/env python
"""Dataset import benchmark: the whole shared LESO release (140,500 rows, 54 files) imported on
PostgreSQL into a registry of 20,000 entities, end to end (reading, checking, resolving the 6,401
agencies against the registry, writing), beside a baseline measured in the same run: the generic
bundle importer (`tiewatch import`) writing the same number of ties into the same registry.
Then a re-import (nothing changes) and the entity page of the agency with the most rows.

    .venv/bin/python bench/datasets.py
    .venv/bin/python bench/datasets.py --db postgres://postgres@127.0.0.1:55432/leso_bench --requests 100

Each step runs in its own child process on a fresh database, so its peak RSS is its own (a first
load's file-reading child is printed beside it: their sum bounds the import's memory). CPU is
printed for both sides: the Python process's (user + system, all its threads, and the child that
reads the files on a first load) and its PostgreSQL backend's (from /proc/<pid>/stat of `pg_backend_pid()`), with the load average before and after.
Targets (issue 11): >= 20,000 rows/s, peak RSS <= 500 MB, entity page p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LESO = REPO.parent / "shared" / "data" / "leso" / "dla_leso_merged_2021-03-31_barbh1307"
LESO_ROWS = 140_500


def _cpu() -> float:
    """CPU seconds of this process and of its children once they have ended (a first load reads its
    files in a forked child: tiewatch/datasets/forked.py)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _fresh(db_url: str) -> None:
    """Drop and create the benchmark database, then migrate it."""
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backend so far (user + system, from /proc: the server
    runs on this machine). Parallel workers of an index build are other processes, not counted."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(step: Any) -> dict[str, Any]:
    load, backend = os.getloadavg()[0], _backend_cpu()
    wall, cpu = time.perf_counter(), _cpu()
    result = step()
    seconds, cpu_seconds = time.perf_counter() - wall, _cpu() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "result": result,
            "backend_cpu_seconds": _backend_cpu() - backend, "load": [load, os.getloadavg()[0]],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def child_baseline(args: argparse.Namespace) -> dict[str, Any]:
    from tiewatch.registry.importers import import_bundle

    _fresh(args.db)
    bundle = Path(args.bundle)
    import_bundle([bundle / "1-sources-entities.jsonl"], actor="bench")
    ties = sorted(bundle.glob("2-ties-*.jsonl"))
    out = _timed(lambda: import_bundle(ties, actor="bench").counts["ties"].created)
    out["rows_per_s"] = out["result"] / out["seconds"]
    return out


def _percentiles(client: Any, url: str, n: int) -> dict[str, float]:
    client.get(url)
    times, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    cpu.sort()
    return {"p50_ms": statistics.median(times), "p95_ms": times[max(0, int(len(times) * 0.95) - 1)],
            "cpu_p95_ms": cpu[max(0, int(len(cpu) * 0.95) - 1)]}


def child_leso(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from tiewatch.datasets.importer import import_dataset
    from tiewatch.registry.importers import import_bundle
    from tiewatch.registry.models import Entity, Tie

    _fresh(args.db)
    import_bundle([Path(args.bundle) / "1-sources-entities.jsonl"], actor="bench")
    registry = Entity.objects.count()
    out = _timed(lambda: import_dataset("leso", LESO, actor="bench").as_dict())
    report = out.pop("result")
    out.update(rows=report["rows"], rows_per_s=report["rows"] / out["seconds"], registry_entities=registry,
               ties=report["ties"], entities=report["entities"], stages=report["stages"])
    again = _timed(lambda: import_dataset("leso", LESO, actor="bench").as_dict()["ties"])
    out["reimport"] = {key: again[key] for key in ("seconds", "cpu_seconds", "backend_cpu_seconds", "load")}
    out["reimport"]["ties"] = again["result"]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    top = Tie.objects.filter(dataset="leso").values("subject_id").annotate(n=Count("id")).order_by("-n").first()
    assert top is not None
    client = Client()
    out["pages"] = {
        f"agency with the most rows ({top['subject_id']}, {top['n']:,} ties)":
            _percentiles(client, f"/entities/{top['subject_id']}/", args.requests),
        "Defense Logistics Agency (counterpart of every row)": _percentiles(client, "/entities/us-dla/", args.requests),
        "1033 program (program of every row)": _percentiles(client, "/entities/us-dod-1033-program/", args.requests),
    }
    return out


def run_child(step: str, args: argparse.Namespace, bundle: Path) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        env = {**os.environ, "DATABASE_URL": args.db, "PYTHONPATH": str(REPO)}
        env.setdefault("SECRET_KEY", "bench-only")
        subprocess.run([sys.executable, __file__, "--child", step, "--bundle", str(bundle), "--db", args.db,
                        "--requests", str(args.requests), "--out", result.name], check=True, env=env)
        return dict(json.loads(Path(result.name).read_text()))


def _line(label: str, run: dict[str, Any], rows: int) -> str:
    return (f"{label}: {run['seconds']:.1f} s wall, {rows / run['seconds']:,.0f} rows/s; CPU {run['cpu_seconds']:.1f} s "
            f"Python ({rows / run['cpu_seconds']:,.0f} rows per CPU-second), {run['backend_cpu_seconds']:.1f} s "
            f"PostgreSQL backend ({rows / max(run['backend_cpu_seconds'], 0.01):,.0f}); "
            f"load average {run['load'][0]:.1f} -> {run['load'][1]:.1f}")


def show(baseline: dict[str, Any], leso: dict[str, Any]) -> None:
    print(f"registry: {leso['registry_entities']:,} entities; {leso['rows']:,} LESO rows; "
          f"agencies {leso['entities']}")
    for label, run in (("generic bundle importer, same number of ties (baseline)", baseline),
                       ("LESO dataset import, end to end", leso)):
        print(_line(label, run, LESO_ROWS) + f"; peak RSS {run['peak_rss_mb']:.0f} MB"
              + (f" + {run['children_peak_rss_mb']:.0f} MB (reading child)" if run["children_peak_rss_mb"] else ""))
    print(f"ratio LESO / baseline rows per second: {leso['rows_per_s'] / baseline['rows_per_s']:.2f} wall, "
          f"{baseline['cpu_seconds'] / leso['cpu_seconds']:.2f} Python CPU, "
          f"{baseline['backend_cpu_seconds'] / leso['backend_cpu_seconds']:.2f} backend CPU")
    print("LESO stages (wall s): " + ", ".join(f"{k} {v:.1f}" for k, v in leso["stages"].items()))
    again = leso["reimport"]
    print(_line(f"re-import (no change, {again['ties']})", again, LESO_ROWS))
    for page, timing in leso["pages"].items():
        print(f"entity page, {page}: p50 {timing['p50_ms']:.1f} ms, p95 {timing['p95_ms']:.1f} ms "
              f"(CPU p95 {timing['cpu_p95_ms']:.1f} ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:55432/leso_bench",
                        help="PostgreSQL URL of a database the benchmark may drop and re-create")
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--bundle", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        result = child_baseline(args) if args.child == "baseline" else child_leso(args)
        Path(args.out).write_text(json.dumps(result, default=str))
        return 0
    sys.path.insert(0, str(REPO / "bench"))
    from registry import generate

    with tempfile.TemporaryDirectory(prefix="tiewatch-datasets-bench-") as folder:
        generate(Path(folder), LESO_ROWS, args.entities)
        baseline = run_child("baseline", args, Path(folder))
        leso = run_child("leso", args, Path(folder))
    show(baseline, leso)
    if args.json:
        args.json.write_text(json.dumps({"baseline": baseline, "leso": leso}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
