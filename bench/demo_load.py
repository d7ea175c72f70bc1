"""`tiewatch demo load` with and without the shared data beside the checkout, in the same run.

Each round migrates a fresh SQLite database (in a temporary folder) and times `tiewatch demo load`
twice on it: once on the bundled data alone (TIEWATCH_DEMO_DATA empty: the baseline, as a fresh clone
runs it) and once with the shared data (../shared/data: the North Carolina LESO rows and the newest SIPRI
Trade Register imported, the arms files cached), then a reload of the latter (files already imported are
skipped). Wall time and CPU time (user + system of the command and its children) are printed per round,
with the median and the extra over the baseline.

    .venv/bin/python bench/demo_load.py [--rounds 3] [--shared ../shared/data]
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

REPO = Path(__file__).resolve().parents[1]


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one `tiewatch` command; its output is checked, not shown."""
    cpu, wall = cpu_of_children(), time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "tiewatch"), *args], env=env, cwd=REPO, check=True,
                   capture_output=True)
    return time.perf_counter() - wall, cpu_of_children() - cpu


def one_round(folder: Path, shared: str, index: int) -> dict[str, tuple[float, float]]:
    out = {}
    for name, data in (("bundled only (baseline)", ""), ("with shared data", shared)):
        env = {**os.environ, "DEBUG": "true", "TIEWATCH_DEMO_DATA": data,
               "DATABASE_URL": f"sqlite:///{folder / f'{index}-{bool(data)}.sqlite3'}",
               "TIEWATCH_ARMS_CACHE": str(folder / f"arms-{index}-{bool(data)}"), "TIEWATCH_ARMS_DATA": ""}
        run(["migrate"], env)
        out[name] = run(["demo", "load"], env)
        if data:
            out["reload with shared data"] = run(["demo", "load"], env)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    args = parser.parse_args()
    if not Path(args.shared, "leso").is_dir():
        print(f"no shared data at {args.shared}", file=sys.stderr)
        return 1
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="tiewatch-demo-bench-") as tmp:
        for i in range(args.rounds):
            for name, timing in one_round(Path(tmp), args.shared, i).items():
                results.setdefault(name, []).append(timing)
                print(f"round {i + 1}: {name}: wall {timing[0]:.2f} s, cpu {timing[1]:.2f} s", flush=True)
    base_wall = statistics.median(w for w, _ in results["bundled only (baseline)"])
    base_cpu = statistics.median(c for _, c in results["bundled only (baseline)"])
    for name, timings in results.items():
        wall, cpu = statistics.median(w for w, _ in timings), statistics.median(c for _, c in timings)
        print(f"median {name}: wall {wall:.2f} s (+{wall - base_wall:.2f} s), cpu {cpu:.2f} s "
              f"(+{cpu - base_cpu:.2f} s), wall ratio {wall / base_wall:.2f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
