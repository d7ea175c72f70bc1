"""End-to-end latency of `tiewatch arms ...` queries as new processes, on a warm cache.

Run: .venv/bin/python bench/arms_cli_latency.py [--data ../shared/data/sipri] [--runs 15]

Each command runs `--runs` times as a new process (Python start-up, imports, warm load from the
Parquet cache, the query, printing), interleaved round-robin with the same-run baselines `python -c
pass` and `python -c "import numpy"` so that load on the machine hits every line alike. Reported:
median wall time and median CPU time of the child (user + system, from getrusage), and each median
minus the `python -c pass` median. The cache is warmed once first. Target (issue 8): <= 300 ms wall
for a warm-cache arms query.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {
    "top": ["top", "--role", "exporter", "--period", "2013-2017"],
    "change": ["change", "--country", "Israel", "--role", "exporter", "--from", "2008-2012", "--to", "2013-2017"],
    "partners": ["partners", "--country", "Israel", "--role", "exporter", "--period", "2013-2017"],
    "rank": ["rank", "--supplier", "Israel", "--recipient", "Azerbaijan", "--period", "2013-2017"],
    "series": ["series", "--country", "Israel", "--role", "exporter", "--period", "2008-2017"],
    "top --json": ["top", "--role", "importer", "--period", "2013-2017", "--json"],
    "releases": ["releases"],
}


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "sipri"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as cache:
        # The console script, as a user runs it (it imports tiewatch from PYTHONPATH, i.e. this checkout).
        script = Path(sys.executable).with_name("tiewatch")
        arms = [str(script) if script.exists() else sys.executable, *([] if script.exists() else
                                                                       ["-m", "tiewatch.cli"]), "arms"]
        lines = {"python -c pass": [sys.executable, "-c", "pass"],
                 "python -c 'import numpy'": [sys.executable, "-c", "import numpy"]}
        for name, argv in COMMANDS.items():
            lines[f"tiewatch arms {name}"] = [*arms, *argv, "--data", args.data, "--cache", cache]
        run(lines["tiewatch arms top"], env)  # warm the cache
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in lines}
        for _ in range(args.runs):
            for name, argv in lines.items():
                times[name].append(run(argv, env))
    base_wall = statistics.median(w for w, _ in times["python -c pass"])
    base_cpu = statistics.median(c for _, c in times["python -c pass"])
    print(f"{'command (new process, warm cache)':<40} {'wall ms':>9} {'cpu ms':>9} {'wall-base':>10} {'cpu-base':>9}")
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"{name:<40} {wall:>9.0f} {cpu:>9.0f} {wall - base_wall:>10.0f} {cpu - base_cpu:>9.0f}")
    print(f"(medians of {args.runs} runs each, interleaved; load average {os.getloadavg()[0]:.2f} at the end)")


if __name__ == "__main__":
    main()
