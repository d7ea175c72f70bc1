#!/usr/bin/env python
"""Site search benchmark: /search/ (every record type, grouped) at N entities, beside the entity-only
list search (/entities/?q=, what /search/ was before) as the baseline, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/search_bench .venv/bin/python bench/search.py --entities 20000
    .venv/bin/python bench/search.py --entities 20000          # SQLite, in a temporary file

A PostgreSQL database named in DATABASE_URL is dropped and created again. Written with bulk_create:
N entities named from 1,600 invented town names ("Belford Police Department", alias "Belford PD"),
one place per town, N / 4 sources, 200 campaigns with a petition each. Requests go through Django's
test client (routing, view, queries, templates), --requests times each, over random towns:

- exact: a town's name (matches in several types);
- typo: the same name with one letter dropped (no exact match: close matches and "did you mean");
- baseline: /entities/?q=<town> (entity-only search, one page).
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HEADS = ["bel", "cor", "dan", "fal", "gar", "hal", "kin", "lan", "mar", "nor", "ox", "pem", "ral", "sal", "tor",
         "wen", "ash", "brook", "clay", "dun", "elm", "fair", "glen", "hart", "iver", "jas", "kel", "lor", "mill",
         "new", "port", "quin", "ros", "stan", "tal", "un", "val", "wes", "york", "zel"]
TAILS = ["ford", "ton", "ville", "burg", "field", "wood", "dale", "mont", "ham", "by", "stead", "wick", "more",
         "ridge", "haven", "port", "water", "land", "croft", "shaw", "bury", "well", "ley", "side", "gate", "mouth",
         "view", "worth", "stone", "brook", "holm", "thorpe", "combe", "ness", "pool", "marsh", "hurst", "ing",
         "ow", "ly"]
SUFFIXES = [("Police Department", "PD"), ("County Sheriff's Office", "SO"), ("Fire Department", "FD"),
            ("Emergency Management", "EM"), ("Port Authority Police", "PAP")]


def towns() -> list[str]:
    return sorted({(h + t).capitalize() for h in HEADS for t in TAILS})


def populate(n_entities: int) -> list[str]:
    from tiewatch.campaigns.models import Campaign, Petition
    from tiewatch.registry.models import Entity, Jurisdiction, Source, build_search_text

    names = towns()
    Jurisdiction.objects.create(id="ocd-division/country:us", name="United States")
    Jurisdiction.objects.bulk_create(
        [Jurisdiction(id=f"ocd-division/country:us/place:{t.lower()}", name=t, parent_id="ocd-division/country:us")
         for t in names], batch_size=2000)
    entities = []
    for i in range(n_entities):
        town, (suffix, short) = names[i % len(names)], SUFFIXES[(i // len(names)) % len(SUFFIXES)]
        name = f"{town} {suffix}" + (f" {i // (len(names) * len(SUFFIXES))}" if i >= len(names) * len(SUFFIXES) else "")
        aliases = [f"{town} {short}"]
        entities.append(Entity(id=f"e-{i}", name=name, kind="police_agency", country="US", aliases=aliases,
                               search_text=build_search_text(name, aliases), published=i % 50 != 0,
                               jurisdiction_id=f"ocd-division/country:us/place:{town.lower()}"))
    Entity.objects.bulk_create(entities, batch_size=2000)
    Source.objects.bulk_create([Source(id=f"s-{i}", url=f"https://news.example.org/{i}", publisher="Example News",
                                       title=f"{names[i % len(names)]} council hears exchange report {i}")
                                for i in range(n_entities // 4)], batch_size=2000)
    for i in range(200):
        town = names[(i * 7) % len(names)]
        campaign = Campaign.objects.create(slug=f"c-{i}", name=f"Demilitarize {town}", target_body=f"{town} council",
                                           jurisdiction=f"ocd-division/country:us/place:{town.lower()}")
        Petition.objects.create(campaign=campaign, slug=f"p-{i}", title=f"End {town} exchanges", text=".",
                                target=f"{town} council", jurisdiction=campaign.jurisdiction, status="open")
    return names


def timed(client: Any, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def setup(url: str, n: int) -> list[str]:
    if url.startswith("postgres"):
        import psycopg

        name, admin = url.rsplit("/", 1)[1], url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        handle, path = tempfile.mkstemp(suffix=".sqlite3")
        os.close(handle)
        atexit.register(os.remove, path)
        os.environ["DATABASE_URL"] = "sqlite:///" + path
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    names = populate(n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    print(f"{connection.vendor}: populated {n:,} entities in {time.perf_counter() - start:.1f} s")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    names = setup(os.environ.get("DATABASE_URL", ""), args.entities)
    from django.test import Client

    client = Client()
    rng = random.Random(1)
    picks = [rng.choice(names) for _ in range(args.requests)]
    typos = [t[:2] + t[3:] for t in picks]
    client.get("/search/?q=warm")
    cpu, wall = time.process_time(), time.perf_counter()
    base = timed(client, [f"/entities/?q={t}" for t in picks])
    rows = [("exact: a town's name", timed(client, [f"/search/?q={t}" for t in picks])),
            ("typo: one letter dropped (did you mean)", timed(client, [f"/search/?q={t}" for t in typos]))]
    print(f"{'search':42} {'p50':>7} {'p95':>7} {'base p50':>9} {'base p95':>9} {'ratio p95':>9}")
    for name, values in rows:
        print(f"{name:42} {pct(values, 50):7.1f} {pct(values, 95):7.1f} {pct(base, 50):9.1f} {pct(base, 95):9.1f} "
              f"{pct(values, 95) / pct(base, 95):8.2f}x")
    print(f"measuring: wall {time.perf_counter() - wall:.1f} s, CPU {time.process_time() - cpu:.1f} s "
          f"(load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
