"""Benchmark of the matching engine: every distinct LESO agency name against 20,000 entities.

Run: flock /tmp/tiewatch-bench.lock .venv/bin/python bench/resolution.py [--sample 40] [--registry-check]

The registry (built here, fixed seed, described in docs/benchmarks.md):
- the demo seed's entities (tiewatch/registry/demo/seed.yaml);
- ~85% of the LESO agencies written in another form, as a registry would hold them (words
  spelled out and title-cased by this script's own small table, not the engine's, some with the
  styles registries use: "City of X Police Department", "X Police Dept.", a dropped letter);
- synthetic agencies up to 20,000: town police, county sheriffs, township police, constables'
  precincts, university and school police, named from real LESO place words, and real LESO
  names moved to other states (the same town name in many states, as in the US).
Queries: the 6,437 distinct (state, RequestingAgency) pairs, each Query(name, state=state).
Timed (wall and CPU): building the Index, and matching all queries (Index.match_many, blocked).
Baseline, same run: the same scoring against every record without blocking
(Index.match_exhaustive) on --sample queries, extrapolated to all queries.
--registry-check also times current_index()'s version check and rebuild on a test database
(SQLite, or PostgreSQL when DATABASE_URL is set) holding the same 20,000 entities.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tiewatch.resolution.engine import Index, Query, Record

LESO = ROOT.parent / "shared" / "data" / "leso" / "dla_leso_merged_2021-03-31_barbh1307"
SEED = ROOT / "tiewatch" / "registry" / "demo" / "seed.yaml"
TARGET = 20_000
OCD = "ocd-division/country:us"
# This script's own spelling-out of LESO words (kept apart from the engine's tables on purpose).
WORDS = {"DEPT": "Department", "DEPTMENT": "Department", "PD": "Police Department", "SO": "Sheriff's Office",
         "CSO": "County Sheriff's Office", "CTY": "County", "CO": "County", "SHERIFFS": "Sheriff's",
         "TWP": "Township", "UNIV": "University", "HI_ED": "", "K-12": "", "ST": "St.", "ST.": "St.",
         "MT": "Mount", "FT": "Fort", "DPS": "Department of Public Safety", "DA": "District Attorney",
         "PCT": "Precinct", "OF": "of", "AND": "and", "ISD": "ISD", "DIV": "Division", "CNTY": "County"}
TYPE_WORDS = {"POLICE", "DEPT", "DEPARTMENT", "SHERIFF", "SHERIFFS", "SHERIFF'S", "OFFICE", "COUNTY", "CTY",
              "CO", "PD", "CSO", "SO", "TWP", "TOWNSHIP", "DPS", "PARISH", "CITY", "UNIV", "HI_ED", "K-12", "OF"}
STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
          "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
          "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"]


def leso_names() -> list[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    for path in sorted(LESO.glob("*_leso.tsv")):
        with open(path, encoding="utf-8", newline="") as handle:
            names.update((row["StateAbbreviation"], row["RequestingAgency"]) for row in csv.DictReader(handle, delimiter="\t"))
    return sorted(names)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:90]


def registry_form(name: str, rng: random.Random) -> str:
    """A LESO name as a registry might write it."""
    words = [WORDS.get(w, w.title()) for w in name.split()]
    text = " ".join(w for w in words if w)
    style = rng.random()
    if style < 0.10 and text.endswith(" Police Department"):
        text = "City of " + text.replace(" Police Department", "") + " Police Department"
    elif style < 0.25:
        text = text.replace("Department", "Dept.")
    elif style < 0.30 and len(text) > 12:
        cut = rng.randrange(3, len(text) - 3)
        text = text[:cut] + text[cut + 1 :] if text[cut].isalpha() else text
    return text


def place_words(names: Sequence[tuple[str, str]]) -> list[str]:
    places = []
    for _, name in names:
        words = [w for w in name.split() if w.isalpha() and w not in TYPE_WORDS]
        if words and len(words) <= 3:
            places.append(" ".join(words).title())
    return places


def collapsed(name: str) -> str:
    return " ".join(name.split())


def leso_places(names: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """(state, place words) of every LESO agency: no synthetic agency may take one (it would be
    the same body)."""
    return {(state, " ".join(w for w in name.upper().split() if w not in TYPE_WORDS)) for state, name in names}


def synthetic(count: int, names: Sequence[tuple[str, str]], rng: random.Random) -> list[Record]:
    places = place_words(names)
    taken = leso_places(names)
    movable = [(state, name) for state, name in names if "PARISH" not in name]
    patterns: list[tuple[str, str, str]] = [
        ("{p} Police Department", "police_agency", "place"), ("{p} County Sheriff's Office", "sheriff", "county"),
        ("{p} Township Police Department", "police_agency", "place"), ("University of {p} Police Department", "police_agency", ""),
        ("{p} Independent School District Police", "police_agency", "place"),
        ("{p} County Constable, Precinct {n}", "police_agency", "county"), ("{p} Fire Marshal's Office", "government", "place"),
        ("{p} Police Department", "police_agency", "place"), ("{p} County Sheriff's Office", "sheriff", "county"),
    ]
    records: list[Record] = []
    while len(records) < count:
        number, state = len(records), rng.choice(STATES)
        if number % 3 == 0:  # a real LESO name moved to another state
            _, real = rng.choice(movable)
            name, kind, level, place = registry_form(real, rng), "police_agency", "", ""
            key = (state, " ".join(w for w in real.upper().split() if w not in TYPE_WORDS))
        else:
            pattern, kind, level = rng.choice(patterns)
            place = rng.choice(places) + rng.choice(["", "", "", " Springs", " Heights", " Falls", " Valley"])
            name = pattern.format(p=place, n=rng.randint(1, 8))
            key = (state, place.upper())
        if key in taken:
            continue
        jurisdiction = f"{OCD}/state:{state.lower()}" + (f"/{level}:{slug(place).replace('-', '_')}" if level else "")
        records.append(Record(f"syn-{number}-{slug(name)}", name, kind, "US", "", jurisdiction))
    return records


def build_registry(names: Sequence[tuple[str, str]], seed: int = 1033) -> tuple[list[Record], dict[tuple[str, str], str]]:
    rng = random.Random(seed)
    with open(SEED, encoding="utf-8") as handle:
        seed_entities = yaml.safe_load(handle)["entities"]
    records = [Record(e["id"], e["name"], e.get("kind", ""), e.get("country", ""), "", e.get("jurisdiction", ""),
                      tuple(e.get("aliases", []))) for e in seed_entities]
    truth: dict[tuple[str, str], str] = {}
    for state, name in names:
        if (state, collapsed(name)) in truth:
            continue  # the same name with other spaces: one agency
        if rng.random() < 0.85:
            record_id = f"leso-{state.lower()}-{slug(name)}-{len(records)}"
            truth[(state, collapsed(name))] = record_id
            kind = "sheriff" if "SHERIFF" in name or "CSO" in name.split() else "police_agency"
            records.append(Record(record_id, registry_form(name, rng), kind, "US", "", f"{OCD}/state:{state.lower()}"))
    records += synthetic(TARGET - len(records), names, rng)
    return records, truth


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one call, and its result."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def accuracy(queries: Sequence[Query], results: Sequence[Sequence[Any]], truth: dict[tuple[str, str], str]) -> str:
    """Automatic links against the construction: a query's own registry form, or nothing."""
    own = other = absent_linked = 0
    for query, found in zip(queries, results):
        if not found or found[0].band != "auto":
            continue
        expected = truth.get((query.state, collapsed(query.name)), "")
        if found[0].record.id == expected:
            own += 1
        elif expected:
            other += 1
        else:
            absent_linked += 1
    held = sum(1 for q in queries if (q.state, collapsed(q.name)) in truth)
    return (f"automatic links: {own} to the query's own registry form (of {held} queries whose agency it holds), "
            f"{other} to another record, {absent_linked} for the {len(queries) - held} queries it does not hold")


def registry_check(records: Sequence[Record]) -> None:
    """current_index() on a test database holding the same entities: version check, rebuild, cached call."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_tests")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tiewatch.registry.models import Entity
    from tiewatch.resolution import index as resolution_index

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        Entity.objects.bulk_create([Entity(id=r.id[:150], name=r.name[:300], kind=r.kind or "organization", country=r.country,
                                           aliases=list(r.aliases)) for r in records], batch_size=2000)
        checks = sorted(timed(resolution_index.registry_version)[0] for _ in range(50))
        build_wall, build_cpu, _ = timed(resolution_index.current_index)
        cached = sorted(timed(resolution_index.current_index)[0] for _ in range(50))
        print(f"\n{connection.vendor}, {Entity.objects.count():,} entities:")
        print(f"  registry_version() check: median {checks[25] * 1000:.2f} ms (p95 {checks[47] * 1000:.2f} ms)")
        print(f"  current_index() rebuild: {build_wall:.2f} s wall, {build_cpu:.2f} s CPU")
        print(f"  current_index() cached (check + hit): median {cached[25] * 1000:.2f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=30, help="queries timed without blocking (the baseline)")
    parser.add_argument("--registry-check", action="store_true", help="also time current_index() on a test database")
    args = parser.parse_args(argv)
    names = leso_names()
    records, truth = build_registry(names)
    queries = [Query(name, state=state) for state, name in names]
    print(f"registry: {len(records):,} entities ({len(truth):,} LESO agencies in another form); queries: {len(queries):,}")
    build_wall, build_cpu, index = timed(lambda: Index(records))
    print(f"Index build: {build_wall:.2f} s wall, {build_cpu:.2f} s CPU")
    wall, cpu, results = timed(lambda: index.match_many(queries))
    print(f"blocked match_many, all {len(queries):,} queries: {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({wall / len(queries) * 1000:.2f} ms a query)")
    sample = random.Random(7).sample(queries, args.sample)
    base_wall, base_cpu, exhaustive = timed(lambda: [index.match_exhaustive(q) for q in sample])
    scale = len(queries) / len(sample)
    print(f"all-pairs baseline, {len(sample)} queries x {len(index):,} records: {base_wall:.2f} s wall, {base_cpu:.2f} s CPU; "
          f"extrapolated to all queries: {base_wall * scale:.0f} s wall, {base_cpu * scale:.0f} s CPU")
    print(f"speed-up over all-pairs: {base_wall * scale / wall:.0f}x wall, {base_cpu * scale / cpu:.0f}x CPU")
    fast_wall, fast_cpu, _ = timed(lambda: [index.match_unblocked(q) for q in sample])
    print(f"second baseline, rapidfuzz's C loop over all {len(index):,} names then the same features, {len(sample)} queries: "
          f"{fast_wall:.2f} s wall, {fast_cpu:.2f} s CPU; extrapolated {fast_wall * scale:.1f} s wall, {fast_cpu * scale:.1f} s CPU: "
          f"{fast_wall * scale / wall:.0f}x wall, {fast_cpu * scale / cpu:.0f}x CPU")
    strong = [(index.match(q), found) for q, found in zip(sample, exhaustive) if found and found[0].band != "weak"]
    same = sum(1 for blocked, found in strong if blocked and blocked[0].record.id == found[0].record.id)
    print(f"sample queries whose all-pairs top candidate is auto or review: {len(strong)}; "
          f"blocked top candidate the same: {same}/{len(strong)}")
    print(accuracy(queries, results, truth))
    if args.registry_check:
        registry_check(records)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
