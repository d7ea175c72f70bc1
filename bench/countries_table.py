"""Cost of reading the arms countries table through the core input layer (issue 9 item 8).

Run: .venv/bin/python bench/countries_table.py [--runs 31]

In one process, interleaved round-robin so that load on the machine hits both alike: `Countries.load()`
as shipped (core `load_yaml`: duplicate keys and aliases refused, lines kept) against the reader it
replaced (PyYAML's C `CSafeLoader` over the same text, building the same `Country` entries). Reported:
median wall and CPU milliseconds per load, and the new/old ratio. Also the cost of importing
`tiewatch.core.inputs` (what a warm arms query pays when a name is not canonical) against `import yaml`
alone, each in a fresh process that has first imported what a warm query has (the CLI and the arms
engine), medians of `--runs` processes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tiewatch.arms.engine.countries import TABLE, Countries, Country


def old_load() -> list[Country]:
    import yaml

    raw = yaml.load(TABLE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["countries"]
    return [Country(name=e["name"], kind=e["kind"], sipri_code=e.get("sipri_code", ""), iso2=e.get("iso2", ""),
                    iso3=e.get("iso3", ""), aliases=tuple(e.get("aliases", ()))) for e in raw]


def timed(function: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def import_cost(statement: str) -> float:
    code = ("import time, tiewatch.cli, tiewatch.arms.cli, tiewatch.arms.engine.datasets, tiewatch.arms.engine.queries"
            f"; t = time.perf_counter(); {statement}; print((time.perf_counter() - t) * 1000)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return float(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    assert old_load() == list(Countries.load().by_name.values())  # same table either way
    loads: dict[str, list[tuple[float, float]]] = {"old (CSafeLoader)": [], "new (core load_yaml)": []}
    imports: dict[str, list[float]] = {"import yaml": [], "import tiewatch.core.inputs": []}
    for _ in range(args.runs):
        loads["old (CSafeLoader)"].append(timed(old_load))
        loads["new (core load_yaml)"].append(timed(Countries.load))
        for statement in imports:
            imports[statement].append(import_cost(statement))
    medians = {}
    for name, runs in loads.items():
        medians[name] = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        print(f"{name}: wall {medians[name][0]:.2f} ms, CPU {medians[name][1]:.2f} ms")
    old, new = medians["old (CSafeLoader)"], medians["new (core load_yaml)"]
    print(f"ratio new/old: wall {new[0] / old[0]:.2f}, CPU {new[1] / old[1]:.2f}")
    for statement, runs in imports.items():
        print(f"{statement} (after the warm query's imports): {statistics.median(runs):.1f} ms")


if __name__ == "__main__":
    main()
