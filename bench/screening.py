"""Benchmark: screen a synthetic registry of 1,000,000 ties and 20,000 entities against 1,000 rules.

Prints, from the same run: the naive evaluator's time (every rule against every tie), the compiled
engine's full-screen time and their ratio, plus the p99 latency of one `check` with the engine
loaded. The naive evaluator is far too slow to run on all 1,000,000 ties (1e9 rule-tie pairs), so
it is timed on a random sample of ties and scaled linearly (its cost is exactly linear in ties:
every rule is tried on every tie); the engine's findings on that sample are checked to be equal.

    .venv/bin/python bench/screening.py [--ties 1000000] [--entities 20000] [--rules 1000]
                                        [--sample 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import Engine
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.naive import NaiveEvaluator

LOCAL_KINDS = ["police_agency", "police_agency", "police_agency", "sheriff", "state_police"]
FOREIGN_KINDS = ["military", "foreign_police", "intelligence", "border_agency", "government", "company"]
COUNTRIES = ["IL", "PS", "GB", "FR", "DE", "MX", "CO", "EG", "JO", "TR", "CN", "RU", "BR", "IN", "AE", "SA"]
TIE_KINDS = ["exchange", "training", "delegation", "conference", "partnership", "funding", "equipment_transfer",
             "arms_transfer", "procurement"]
STATES = [f"s{i:02d}" for i in range(50)]
PLACES_PER_STATE = 40
EQUIPMENT = ["tracked_armored_vehicle", "grenade_launcher", "bayonet", "weaponized_aircraft", "office_furniture",
             "radios", "body_armor"]


def place(rng: random.Random) -> str:
    return f"ocd-division/country:us/state:{rng.choice(STATES)}/place:p{rng.randrange(PLACES_PER_STATE)}"


def make_entities(n: int, rng: random.Random) -> tuple[list[EntityRecord], list[str], list[str], list[str]]:
    n_local = n * 4 // 5
    n_programs = 200
    entities, local, foreign, programs = [], [], [], []
    for i in range(n_local):
        kind = rng.choice(LOCAL_KINDS)
        juris = place(rng) if kind != "state_police" else f"ocd-division/country:us/state:{rng.choice(STATES)}"
        entities.append(EntityRecord(f"l{i}", f"Local {i}", kind, "US", juris))
        local.append(f"l{i}")
    for i in range(n - n_local - n_programs):
        entities.append(EntityRecord(f"f{i}", f"Foreign {i}", rng.choice(FOREIGN_KINDS), rng.choice(COUNTRIES)))
        foreign.append(f"f{i}")
    for i in range(n_programs):
        entities.append(EntityRecord(f"p{i}", f"Program {i}", "program", "US"))
        programs.append(f"p{i}")
    return entities, local, foreign, programs


def make_ties(n: int, local: list[str], foreign: list[str], programs: list[str],
              rng: random.Random) -> list[TieRecord]:
    ties = []
    rand = rng.random
    choice = rng.choice
    base = dt.date(2000, 1, 1).toordinal()
    span = dt.date(2024, 12, 31).toordinal() - base
    fromord = dt.date.fromordinal
    for i in range(n):
        start = fromord(base + int(rand() * span))
        r = rand()
        end = start if r < 0.5 else (fromord(start.toordinal() + int(rand() * 14)) if r < 0.8 else
                                     dt.date(start.year, 12, 31))
        if r >= 0.8:
            start = dt.date(start.year, 1, 1)  # year precision
        k = rand()
        cps = (choice(foreign),) if k < 0.6 else ((choice(foreign), choice(foreign)) if k < 0.9 else
                                                   (choice(foreign), choice(foreign), choice(foreign)))
        attrs: dict = {}
        a = rand()
        if a < 0.04:
            attrs["military_style_training"] = True if a < 0.03 else "disputed"
        elif a < 0.06:
            attrs["surveillance_technology"] = True
            if a < 0.05:
                attrs["council_approval"] = True
        elif a < 0.08:
            attrs["equipment_category"] = choice(EQUIPMENT)
        ties.append(TieRecord(f"t{i}", choice(local), cps, choice(TIE_KINDS), start, end,
                              "cancelled" if rand() < 0.02 else "reported",
                              choice(programs) if rand() < 0.3 else None, attrs))
    return ties


def make_rules(n_rules: int, local: list[str], foreign: list[str], programs: list[str],
               rng: random.Random) -> list[s.Instrument]:
    instruments = []
    source = (s.PolicySource("https://example.org/bench"),)
    for i in range(n_rules // 2):
        adopted = dt.date(rng.randrange(2005, 2022), rng.randrange(1, 13), 1)
        rescinded = dt.date(adopted.year + rng.randrange(1, 5), 1, 1) if rng.random() < 0.1 else None
        rules = []
        for j in range(2):
            shape = rng.random()
            state = rng.choice(STATES)
            if shape < 0.1:  # state-wide rule: every local agency in a state (and its places)
                binds = s.Binds(jurisdiction=f"ocd-division/country:us/state:{state}",
                                entity_kinds=frozenset({"police_agency", "sheriff", "state_police"}))
            elif shape < 0.4:  # listed agencies
                binds = s.Binds(entities=frozenset(rng.sample(local, rng.randrange(1, 6))))
            else:  # city rule
                binds = s.Binds(jurisdiction=place(rng), entity_kinds=frozenset({"police_agency"}))
            kinds = frozenset(rng.sample(TIE_KINDS, rng.randrange(1, 4)))
            c = rng.random()
            effect = rng.choice(s.EFFECTS)
            approval = ""
            if c < 0.35:
                cond: s.Condition = s.All((s.CounterpartCountryIn(frozenset(rng.sample(COUNTRIES, 2))),
                                           s.CounterpartKindIn(frozenset(rng.sample(FOREIGN_KINDS, 3)))))
            elif c < 0.5:
                cond = s.Any_((s.CounterpartIdIn(frozenset(rng.sample(foreign, 20))),
                               s.ProgramIdIn(frozenset(rng.sample(programs, 5)))))
            elif c < 0.6:
                cond = s.All((s.Not(s.CounterpartCountryIn(frozenset({"US"}))),
                              s.CounterpartCountryWhereSubjectTrained(
                                  frozenset({"training", "exchange", "delegation"}), "military_style_training",
                                  rng.random() < 0.5)))
            elif c < 0.75:
                cond = s.AttributeTruthy("surveillance_technology")
                effect, approval = "require_approval", "council_approval"
            elif c < 0.85:
                cond = s.AttributeIn("equipment_category", tuple(EQUIPMENT[:4]))
            else:
                cond = s.All((s.CounterpartCountryIn(frozenset({rng.choice(COUNTRIES)})),
                              s.Not(s.StatusIn(frozenset({"planned"})))))
            rules.append(s.Rule(f"r{j}", "clause", effect, binds, kinds, cond,
                                s.Window(None, None, "overlaps" if rng.random() < 0.8 else "within"), approval))
        instruments.append(s.Instrument(f"pol{i}", f"Policy {i}", "ocd-division/country:us", "Council",
                                        "ordinance", True, adopted, None, rescinded, None, "clause", source,
                                        tuple(rules)))
    return instruments


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ties", type=int, default=1_000_000)
    ap.add_argument("--entities", type=int, default=20_000)
    ap.add_argument("--rules", type=int, default=1_000)
    ap.add_argument("--sample", type=int, default=2_000, help="ties the naive evaluator is timed on")
    ap.add_argument("--checks", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    t = time.perf_counter()
    entities, local, foreign, programs = make_entities(args.entities, rng)
    ties = make_ties(args.ties, local, foreign, programs, rng)
    instruments = make_rules(args.rules, local, foreign, programs, rng)
    gc.collect()
    gc.freeze()  # the generated registry is long-lived: keep the collector from rescanning it
    n_rules = sum(len(i.rules) for i in instruments)
    print(f"generated {len(ties):,} ties, {len(entities):,} entities, {n_rules:,} rules "
          f"in {time.perf_counter() - t:.1f} s (cores: {os.cpu_count()})")

    # ---- compiled engine
    t = time.perf_counter()
    engine = Engine(instruments, entities)
    compile_s = time.perf_counter() - t
    timings, cpu = [], []
    findings = []
    for _ in range(3):
        t, c = time.perf_counter(), time.process_time()
        findings = engine.screen(ties)
        timings.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    screen_s = min(timings)
    print(f"engine: compile {compile_s * 1000:.0f} ms; full screen {screen_s:.3f} s wall, {min(cpu):.3f} s CPU "
          f"(wall per run: {', '.join(f'{x:.3f}' for x in timings)}), {len(findings):,} findings")

    # ---- naive evaluator on a sample, scaled
    sample = rng.sample(ties, min(args.sample, len(ties)))
    naive = NaiveEvaluator(instruments, entities, ties)  # evidence lookups see the whole registry
    t, c = time.perf_counter(), time.process_time()
    naive_findings = naive.screen(sample)
    naive_sample_s = time.perf_counter() - t
    naive_cpu_s = (time.process_time() - c) * len(ties) / len(sample)
    naive_s = naive_sample_s * len(ties) / len(sample)
    sample_ids = {x.id for x in sample}
    fast_keys = sorted(f.as_dict().__repr__() for f in findings if f.tie in sample_ids)
    slow_keys = sorted(f.as_dict().__repr__() for f in naive_findings)
    same = fast_keys == slow_keys
    print(f"naive: {naive_sample_s:.2f} s for {len(sample):,} ties x {n_rules:,} rules -> "
          f"{naive_s:.0f} s estimated for {len(ties):,} ties; findings on the sample equal the engine's: {same}")
    ratio = naive_s / screen_s
    print(f"ratio naive/engine: {ratio:,.0f}x wall ({naive_cpu_s / min(cpu):,.0f}x CPU)")

    # ---- one check, engine loaded
    proposed = []
    for i in range(args.checks):
        base = rng.choice(ties)
        proposed.append(TieRecord(f"proposed{i}", base.subject, base.counterparts, rng.choice(TIE_KINDS),
                                  base.start, base.end, "planned", base.program, base.attributes))
    lat = []
    for tie in proposed:
        t = time.perf_counter()
        engine.check(tie)
        lat.append(time.perf_counter() - t)
    lat.sort()
    p50 = statistics.median(lat) * 1e6
    p99 = lat[int(len(lat) * 0.99) - 1] * 1e6
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores (other work inflates wall times)")
    print(f"check: p50 {p50:.1f} µs, p99 {p99:.1f} µs, max {lat[-1] * 1e6:.0f} µs over {len(lat):,} checks")
    ok = screen_s < 2.0 and ratio >= 50 and p99 < 1000 and same
    print(f"targets (screen < 2 s, >= 50x naive, check p99 < 1 ms, equal findings): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
