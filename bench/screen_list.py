"""Benchmark: `tiewatch screen-list` of a 10,000-row list against a registry of 20,000 entities.

A throw-away SQLite database holds the synthetic registry of bench/synthetic_registry.py, with one
tie per tenth entity and a stored screening run; the list is 10,000 messy names (a fifth of them
unknown to the registry) with state hints. Measured in the same run, each as a fresh process:

1. Baseline: `tiewatch export --format csv --table entities` (startup plus one read of the registry).
2. `tiewatch screen-list LIST --format csv`, then `--format json` and `--format html`.

For each: wall time, CPU (user+system of the child) and peak memory (the child's max RSS). Targets:
<= 30 s and < 500 MB for 10,000 rows.

    .venv/bin/python bench/screen_list.py [--entities 20000] [--rows 10000]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from match_api import populate
from synthetic_registry import make_registry, queries

VENV_BIN = Path(sys.executable).parent


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    wrapped = [sys.executable, "-c", "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]);"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)",
               *cmd]
    done = subprocess.run(wrapped, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_kb = int(done.stderr.strip().splitlines()[-1])  # the command's own peak, not this wrapper's
    return wall, cpu, peak_kb / 1024


def add_ties(env: dict[str, str]) -> None:
    from tiewatch.policies import services
    from tiewatch.registry.models import Entity, Tie, TieCounterpart

    ids = list(Entity.objects.order_by("id").values_list("id", flat=True))
    partner = next(i for i in ids if i.startswith("xf-"))
    ties = [Tie(id=f"t{n}", subject_id=eid, kind="training", status="reported") for n, eid in enumerate(ids[::10])]
    Tie.objects.bulk_create(ties, batch_size=2000)
    TieCounterpart.objects.bulk_create([TieCounterpart(tie_id=t.id, entity_id=partner, position=0) for t in ties],
                                       batch_size=2000)
    services.run_screening()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="tiewatch-screen-list-bench-"))
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}", "DEBUG": "false", "LOG_LEVEL": "ERROR",
                "SECRET_KEY": "tiewatch-bench-only-throwaway-database", "DJANGO_SETTINGS_MODULE": "config.settings",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))})
    subprocess.run([str(VENV_BIN / "tiewatch"), "migrate"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    registry = make_registry(args.entities)
    populate(env, registry)
    add_ties(env)
    listing = root / "list.csv"
    with listing.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "state"])
        for n, q in enumerate(queries(registry, args.rows, seed=5)):
            writer.writerow([f"R{n}", q["name"], q.get("state", "")])
    print(f"registry: {args.entities:,} entities, {args.entities // 10:,} ties; list: {args.rows:,} rows "
          f"({listing.stat().st_size:,} bytes); {os.cpu_count()} CPUs")

    tiewatch = str(VENV_BIN / "tiewatch")
    base = run([tiewatch, "export", "--format", "csv", "--table", "entities"], env)
    print(f"baseline tiewatch export (entities, csv): wall {base[0]:.1f} s, CPU {base[1]:.1f} s, peak {base[2]:.0f} MB")
    worst = 0.0
    for fmt in ("csv", "json", "html"):
        out = root / f"report.{fmt}"
        wall, cpu, peak = run([tiewatch, "screen-list", str(listing), "--format", fmt, "--out", str(out)], env)
        worst = max(worst, wall)
        print(f"screen-list {args.rows:,} rows --format {fmt}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak {peak:.0f} MB "
              f"({out.stat().st_size:,} bytes out); ratio to baseline wall {wall / base[0]:.1f}x")
        if peak >= 500:
            print("  memory target (< 500 MB) NOT met")
    print(f"target <= 30 s: {'met' if worst <= 30 else 'NOT met'}")
    return 0 if worst <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
