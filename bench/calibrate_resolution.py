"""Calibrate the matching engine's AUTO and REVIEW thresholds on the labelled evaluation set.

Run: .venv/bin/python bench/calibrate_resolution.py [--folds 5] [--write]

The set (tiewatch/resolution/tests/evaluation/) is split by query into folds (a query's pairs stay
together; the fold is a hash of the query, so the split is fixed). For each fold the thresholds
are chosen on the other folds only, then measured on the held-out fold:
- AUTO: the lowest score at which the training folds' automatic links (top candidates at or
  above it) and labelled pairs at or above it are both >= AUTO_PRECISION correct;
- REVIEW: the highest score at which >= REVIEW_RECALL (0.99) of the training folds' true pairs are at
  or above it (so nearly every true match is at least queued for a person).
The thresholds kept are the most careful over the folds: the highest AUTO and the lowest REVIEW.
--write stores them in tiewatch/resolution/engine/tables/thresholds.yaml.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tiewatch.resolution.engine import Index
from tiewatch.resolution.engine.tables import TABLES_DIR
from tiewatch.resolution.tests.evaluation.harness import Outcome, figures, load_pairs, load_records, outcomes

AUTO_PRECISION = 0.995
REVIEW_RECALL = 0.99
GRID = [round(0.30 + step / 100, 2) for step in range(71)]  # 0.30 .. 1.00


def fold_of(outcome: Outcome, folds: int) -> int:
    key = f"{outcome.query.name}|{outcome.query.state}|{outcome.query.country}".encode()
    return int(hashlib.sha1(key).hexdigest(), 16) % folds


def choose_auto(train: Sequence[Outcome]) -> float:
    for threshold in GRID:
        found = figures(train, threshold, threshold)
        if found.auto_precision >= AUTO_PRECISION and found.pair_auto_precision >= AUTO_PRECISION:
            return threshold
    return 1.0


def choose_review(train: Sequence[Outcome], auto: float) -> float:
    best = GRID[0]
    for threshold in GRID:
        if threshold > auto:
            break
        if figures(train, auto, threshold).review_recall >= REVIEW_RECALL:
            best = threshold
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="store the thresholds in thresholds.yaml")
    args = parser.parse_args(argv)
    found = outcomes(Index(load_records()), load_pairs())
    autos, reviews = [], []
    print(f"{args.folds}-fold cross-validation over {len(found)} queries")
    print("fold  queries  AUTO  REVIEW  held-out: auto precision  auto recall  top recall  true pairs >= REVIEW")
    for fold in range(args.folds):
        train = [o for o in found if fold_of(o, args.folds) != fold]
        test = [o for o in found if fold_of(o, args.folds) == fold]
        auto = choose_auto(train)
        review = choose_review(train, auto)
        held = figures(test, auto, review)
        autos.append(auto)
        reviews.append(review)
        print(f"{fold:>4}  {len(test):>7}  {auto:.2f}  {review:.2f}    {held.auto_precision:.3f} "
              f"({held.auto_correct}/{held.auto_links})      {held.auto_recall:.3f}        {held.top_recall:.3f}       {held.review_recall:.3f}")
    auto, review = max(autos), min(reviews)
    print(f"\nchosen: AUTO = {auto:.2f} (highest over folds), REVIEW = {review:.2f} (lowest over folds)")
    print("whole set at these thresholds:")
    for line in figures(found, auto, review).lines():
        print("  " + line)
    if args.write:
        path = TABLES_DIR / "thresholds.yaml"
        head = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        path.write_text("\n".join([*head, f"auto: {auto:.2f}", f"review: {review:.2f}", ""]), encoding="utf-8")
        print(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
