#!/usr/bin/env python
"""Live petition counts: what a reader with JavaScript costs every 15 s (GET /api/petitions/<slug>/counts)
beside what a reader without it pays to see a new count (reloading /petitions/<slug>/, the baseline),
on a petition with N confirmed signatures, same run, same database.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/live_counts_bench .venv/bin/python bench/live_counts.py \
        --signatures 100000 --requests 200

The database is dropped and created (PostgreSQL), migrated and filled with one petition and N confirmed
signatures. Ratio = counts p95 / page p95 (under 1: polling is cheaper than reloading).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maps import REPO, p, recreate_database, timed  # bench/ is not a package


def populate(n: int) -> str:
    from django.utils import timezone

    from tiewatch.campaigns.models import Campaign, Petition, Signature

    campaign = Campaign.objects.create(slug="bench", name="Bench", target_body="Council",
                                       jurisdiction="ocd-division/country:us/state:nc/place:durham")
    petition = Petition.objects.create(campaign=campaign, slug="bench", title="Bench petition", text="Please.",
                                       target="Council", jurisdiction=campaign.jurisdiction, status="open",
                                       thresholds=[1000, 10000, 1000000])
    now = timezone.now()
    for start in range(0, n, 10000):
        Signature.objects.bulk_create([
            Signature(petition=petition, name=f"Signer {i}", email=f"s{i}@example.org", postal_code="27701",
                      token_hash=hashlib.sha256(str(i).encode()).hexdigest(), confirmed_at=now)
            for i in range(start, min(n, start + 10000))])
    return petition.slug


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=100000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database (it is dropped and created)")
    recreate_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    slug = populate(args.signatures)
    client = Client()
    counts_url, page_url = f"/api/petitions/{slug}/counts", f"/petitions/{slug}/"
    timed(client, counts_url, 5), timed(client, page_url, 5)  # warm up
    cpu, wall = time.process_time(), time.perf_counter()
    polled = timed(client, counts_url, args.requests)
    reloaded = timed(client, page_url, args.requests)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{args.signatures:,} confirmed signatures, {args.requests} requests each; load {os.getloadavg()[0]:.2f}")
    print("| request | p50 ms | p95 ms |\n|---|---|---|")
    print(f"| GET {counts_url} (poll) | {p(polled, 50):.1f} | {p(polled, 95):.1f} |")
    print(f"| GET {page_url} (reload, baseline) | {p(reloaded, 50):.1f} | {p(reloaded, 95):.1f} |")
    print(f"ratio (poll p95 / reload p95): {p(polled, 95) / p(reloaded, 95):.2f}; measuring: wall {wall:.1f} s, "
          f"CPU {cpu:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
