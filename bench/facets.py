#!/usr/bin/env python
"""Facet counts benchmark: the tie list with its facet counts (kind, counterpart country, year, program,
status, dataset) beside the same list without them (the baseline), at N ties on PostgreSQL, same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/facets_bench .venv/bin/python bench/facets.py --ties 1000000

The data is bench/maps.py's (same populate(); the database is dropped and created unless --reuse).
Each page --requests times through Django's test client:

- the unfiltered list, facets cached (what readers get) and with the cache cleared before each request;
- filtered lists (kind + country IL + a 1-3 year range, more than 500 ties): facets offered by a link,
  and the same with ?facets=1 (counted now);
- kind only (1/7 of the ties) with ?facets=1;
- a filtered list of at most 500 ties (one subject: facets counted on every request).

Baseline: the same URL with the facet counting replaced by empty counts (the cache-cleared row's
baseline clears the cache before each request too, so it recounts the overview as well). Ratio = page p95 / baseline p95.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maps import KINDS, run_paired, timed  # bench/ is not a package


def measure(n: int) -> list[tuple[str, list[float], list[float]]]:
    from django.core.cache import cache
    from django.test import Client

    from tiewatch.registry import facets

    client = Client()
    real = facets.tie_counts

    def baseline(urls: list[str], before: Any = None) -> list[float]:
        facets.tie_counts = lambda qs, drafts: {}  # type: ignore[assignment]
        cache.clear()
        try:
            return [t for u in urls for t in timed(client, u, 1, before)]
        finally:
            facets.tie_counts = real
            cache.clear()

    rng = random.Random(2)
    filtered = []
    for _ in range(n):
        year = rng.randint(2000, 2024)
        filtered.append(f"/ties/?kind={rng.choice(KINDS)}&country=IL&year_from={year}&year_to={year + rng.randint(0, 2)}")
    subjects = [f"/ties/?subject=agency-{rng.randint(0, 9999)}" for _ in range(n)]
    client.get("/ties/")  # warm the facet cache and the overview
    results = [("unfiltered, facets cached", timed(client, "/ties/", n), baseline(["/ties/"] * n)),
               ("unfiltered, cache cleared", timed(client, "/ties/", max(5, n // 10), cache.clear),
                baseline(["/ties/"] * max(5, n // 10), cache.clear))]
    results.append(("filtered > 500 ties: facets by a link", [t for u in filtered for t in timed(client, u, 1)],
                     baseline(filtered)))
    asked = [u + "&facets=1" for u in filtered]
    results.append(("the same with ?facets=1", [t for u in asked for t in timed(client, u, 1)], baseline(asked)))
    broad = [f"/ties/?kind={KINDS[1]}&facets=1"] * max(5, n // 5)
    results.append(("kind only (1/7 of ties), ?facets=1", [t for u in broad for t in timed(client, u, 1)],
                    baseline(broad)))
    results.append(("one subject (~100 ties): facets every time", [t for u in subjects for t in timed(client, u, 1)],
                    baseline(subjects)))
    return results


def main() -> int:
    return run_paired(__doc__, measure, "tie list", 40)


if __name__ == "__main__":
    sys.exit(main())
