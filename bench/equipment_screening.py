"""Benchmark: the shipped equipment law packs over every row of the shared LESO files, as of dates.

For each date (and the 2015 federal lists applied on 2021-03-31), screens the 140,500 real ties as they
stood that day: the compiled engine on all of them, and, as the same-run baseline, the naive evaluator
(every rule against every tie) on a random sample, scaled linearly (its cost is linear in ties); the
engine's findings on the sample are checked to be the naive ones. CPU time beside wall time.

    .venv/bin/python bench/equipment_screening.py [--sample 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tiewatch.policies.engine import Engine, load_policies
from tiewatch.policies.engine.bydate import as_of
from tiewatch.policies.engine.naive import naive_screen
from tiewatch.policies.tests.leso_records import leso_records
from tiewatch.policies.tests.records_from_seed import LAWS

VIEWS = [(dt.date(2016, 6, 30), None), (dt.date(2021, 3, 31), None), (dt.date(2021, 3, 31), dt.date(2016, 6, 30)),
         (dt.date(2022, 12, 31), None)]


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - start[0], time.process_time() - start[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = clock()
    entities, ties = leso_records()
    laws = load_policies([LAWS], {e.id for e in entities})
    wall, cpu = since(started)
    print(f"read {len(ties):,} ties, {len(entities):,} entities, {len(laws)} law packs: {wall:.1f} s wall, {cpu:.1f} s cpu")
    rng = random.Random(args.seed)
    for day, rules_of in VIEWS:
        instruments, day_ties = as_of(laws, ties, day, rules_of)
        started = clock()
        findings = Engine(instruments, entities).screen(day_ties)
        engine = since(started)
        sample = rng.sample(day_ties, min(args.sample, len(day_ties)))
        started = clock()
        naive = naive_screen(instruments, entities, sample)
        base = since(started)
        scale = len(day_ties) / len(sample)
        on_sample = {f.key for f in Engine(instruments, entities).screen(sample)}
        assert on_sample == {f.key for f in naive}, "engine and naive evaluator disagree"
        label = f"as of {day}" + (f" (rules of {rules_of})" if rules_of else "")
        print(f"{label:<38} {len(day_ties):>7,} ties {sum(len(i.rules) for i in instruments):>3} rules "
              f"{len(findings):>6,} findings | engine {engine[0]:6.2f} s wall {engine[1]:6.2f} s cpu | "
              f"naive (scaled x{scale:.1f}) {base[0] * scale:6.2f} s wall {base[1] * scale:6.2f} s cpu | "
              f"ratio {base[1] * scale / engine[1]:.1f}x (cpu)")


if __name__ == "__main__":
    main()
