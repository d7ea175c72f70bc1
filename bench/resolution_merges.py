"""Benchmark of merges and of `tiewatch resolve run` on a test database of 20,000 entities.

Run: flock /tmp/tiewatch-bench.lock .venv/bin/python bench/resolution_merges.py [--ties 200000] [--moved 2000]

The registry is bench/resolution.py's (the demo seed, LESO agencies in another form, synthetic
agencies: 20,000 entities), on a test database (SQLite, or PostgreSQL when DATABASE_URL is set),
with --ties ties whose subjects and counterparts are drawn at random (fixed seed); one entity is
made the subject of --moved of them and a counterpart of as many more (and the entity it is
merged into the subject of more, so that it is the one kept).
Timed (wall and CPU):
- merging that entity into another (merges.merge_entities: set-based re-pointing) and unmerging it;
  baseline, same run, same ties: re-pointing them the plain ORM way (load each tie, set its subject,
  save; the same for each counterpart link), which is what a merge without bulk updates would do;
- `resolve run --dry-run` (every entity matched against all the others, then each pair checked
  against the decisions); baseline, same run: the engine's match_many alone on the same queries.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from resolution import build_registry, leso_names, timed

KEPT = "us-nc-raleigh-police-department"


def fill(records: Sequence[object], ties: int, moved: int) -> str:
    from tiewatch.registry.models import Entity, Tie, TieCounterpart

    Entity.objects.bulk_create([Entity(id=r.id[:150], name=r.name[:300], kind=r.kind or "organization",  # type: ignore[attr-defined]
                                       country=r.country, aliases=list(r.aliases)) for r in records],  # type: ignore[attr-defined]
                               batch_size=2000)
    ids = list(Entity.objects.values_list("id", flat=True))
    rng = random.Random(1033)
    target = "us-nc-durham-police-department"
    rows, links = [], []
    for n in range(ties):
        # The entity it is merged into is named by more ties, so that it is the one kept.
        subject = target if n < moved else KEPT if 2 * moved <= n < 5 * moved else rng.choice(ids)
        rows.append(Tie(id=f"bench-tie-{n}", subject_id=subject, kind="training", year_from=2000 + n % 20))
        other = target if moved <= n < 2 * moved else rng.choice(ids)
        links.append(TieCounterpart(tie_id=f"bench-tie-{n}", entity_id=other if other != subject else ids[0]))
    Tie.objects.bulk_create(rows, batch_size=5000)
    TieCounterpart.objects.bulk_create(links, batch_size=5000)
    return target


def plain_orm_repoint(old: str, new: str) -> None:
    from django.db import transaction

    from tiewatch.registry.models import Tie, TieCounterpart

    with transaction.atomic():
        for tie in Tie.objects.filter(subject_id=old):
            tie.subject_id = new
            tie.save()
        for link in TieCounterpart.objects.filter(entity_id=old):
            link.entity_id = new
            link.save()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=200_000)
    parser.add_argument("--moved", type=int, default=2_000, help="ties naming the merged entity, per role")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_tests")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tiewatch.resolution.engine import Query
    from tiewatch.resolution.index import current_index, record_for
    from tiewatch.resolution.merges import merge_entities, unmerge
    from tiewatch.resolution.run import run

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        records, _truth = build_registry(leso_names())
        target = fill(records, args.ties, args.moved)
        other = KEPT
        print(f"{connection.vendor}: {len(records):,} entities, {args.ties:,} ties; the merged entity is the subject "
              f"of {args.moved:,} and a counterpart in {args.moved:,}")
        wall, cpu, merge = timed(lambda: merge_entities(other, target, actor="bench"))
        print(f"merge: {wall:.2f} s wall, {cpu:.2f} s CPU (kept {merge.canonical_id}, folded {merge.merged_id})")
        u_wall, u_cpu, _ = timed(lambda: unmerge(merge, actor="bench"))
        print(f"unmerge: {u_wall:.2f} s wall, {u_cpu:.2f} s CPU")
        b_wall, b_cpu, _ = timed(lambda: plain_orm_repoint(merge.merged_id, merge.canonical_id))
        print(f"baseline, plain ORM re-pointing of the same ties (no snapshot, no audit): {b_wall:.2f} s wall, "
              f"{b_cpu:.2f} s CPU; merge is {b_wall / wall:.1f}x faster wall, {b_cpu / cpu:.1f}x CPU")
        plain_orm_repoint(merge.canonical_id, merge.merged_id)  # put them back for the run below
        from tiewatch.registry.models import Entity

        queries = [Query(name=r.name, country=r.country, state=r.state, jurisdiction=r.jurisdiction, kind=r.kind,
                         aliases=r.aliases) for r in (record_for(e) for e in Entity.objects.order_by("id"))]
        index = current_index()
        e_wall, e_cpu, _ = timed(lambda: index.match_many(queries, limit=5))
        r_wall, r_cpu, counts = timed(lambda: run(dry_run=True))
        print(f"resolve run --dry-run: {r_wall:.2f} s wall, {r_cpu:.2f} s CPU ({counts.as_dict()}); "
              f"baseline, match_many alone: {e_wall:.2f} s wall, {e_cpu:.2f} s CPU; "
              f"ratio {r_wall / e_wall:.2f}x wall")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
