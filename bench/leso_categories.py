"""Equipment categories over the shared LESO files: coverage, the rows no rule classifies, and speed.

    python bench/leso_categories.py [DIR] [--unclassified N] [--repeat R]

Prints the coverage report of `tiewatch.datasets.leso.categories.unclassified_report` (share of rows
and of acquisition value classified, and the N most frequent unclassified item descriptions), then
times classifying every row: the cached categorizer against a baseline measured in the same run, the
same rules without the cache (every row matched afresh), CPU time beside wall time.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from tiewatch.datasets.leso.categories import Categorizer, load_categories, row_of_tsv, unclassified_report

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "leso" / "dla_leso_merged_2021-03-31_barbh1307"


def read_rows(folder: Path) -> list[tuple[str, str, str, float]]:
    rows = []
    for path in sorted(folder.glob("*_leso.tsv")):
        with open(path, newline="", encoding="utf-8") as handle:
            rows += [row_of_tsv(row) for row in csv.DictReader(handle, delimiter="\t")]
    return rows


def timed(label: str, work: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()  # type: ignore[operator]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<34} wall {wall * 1000:8.1f} ms   cpu {cpu * 1000:8.1f} ms")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", default=str(DEFAULT_DIR))
    parser.add_argument("--unclassified", type=int, default=30, metavar="N")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = read_rows(Path(args.dir))
    print("\n".join(unclassified_report(rows, load_categories()).lines(args.unclassified)), "\n")
    triples = [row[:3] for row in rows]

    def cached() -> None:
        rules = load_categories()
        for fsc, demil, item in triples:
            rules.categorize(fsc, demil, item)

    def uncached() -> None:
        rules: Categorizer = load_categories()
        for fsc, demil, item in triples:
            rules._compute(fsc, demil, item)

    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for label, work in (("baseline: rules without the cache", uncached), ("categorize (cached)", cached)):
            wall, cpu = timed(f"{label}, {len(triples):,} rows", work)
            old = best.get(label, (float("inf"), float("inf")))
            best[label] = (min(old[0], wall), min(old[1], cpu))
    base, fast = best["baseline: rules without the cache"], best["categorize (cached)"]
    print(f"best of {args.repeat}: cached {fast[0] * 1000:.0f} ms wall / {fast[1] * 1000:.0f} ms cpu; "
          f"baseline {base[0] * 1000:.0f} ms / {base[1] * 1000:.0f} ms; ratio {base[0] / fast[0]:.1f}x faster")


if __name__ == "__main__":
    main()
