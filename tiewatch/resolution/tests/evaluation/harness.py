"""The labelled evaluation set and its figures (pure Python: the test, the calibration script
and the docs all read the same numbers from here).

registry.yaml + the demo seed are the records; pairs.csv holds (query name, state, record id,
match | no_match, note). A query's truth is the record labelled "match" for it, or none: then
the registry does not hold that body, and any automatic link for it is wrong.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from tiewatch.resolution.engine import Candidate, Index, Query, Record

HERE = Path(__file__).parent
SEED = HERE.parents[2] / "registry" / "demo" / "seed.yaml"
OCD_US = "ocd-division/country:us"


@dataclass(frozen=True, slots=True)
class Pair:
    name: str
    state: str
    country: str
    record_id: str
    label: str
    note: str

    @property
    def query(self) -> Query:
        return Query(self.name, state=self.state, country=self.country)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the engine proposed for one query: its candidates and the labelled truth."""

    query: Query
    truth: str  # the record id labelled match, or ""
    candidates: tuple[Candidate, ...]
    labels: dict[str, str]  # record id -> match | no_match, as labelled for this query


def load_records() -> list[Record]:
    with open(SEED, encoding="utf-8") as handle:
        seed = yaml.safe_load(handle)["entities"]
    with open(HERE / "registry.yaml", encoding="utf-8") as handle:
        extra = yaml.safe_load(handle)["entities"]
    records = [
        Record(e["id"], e["name"], e.get("kind", ""), e.get("country", ""), "", e.get("jurisdiction", ""),
               tuple(e.get("aliases", [])), e.get("parent", ""))
        for e in seed
    ]
    for e in extra:
        jurisdiction = f"{OCD_US}/{e['j']}" if e["j"] else OCD_US
        records.append(Record(e["id"], e["name"], e["kind"], "US", "", jurisdiction, tuple(e.get("aliases", [])), e.get("parent", "")))
    return records


def load_pairs() -> list[Pair]:
    with open(HERE / "pairs.csv", encoding="utf-8", newline="") as handle:
        return [Pair(r["query_name"], r["query_state"], r["query_country"], r["record_id"], r["label"], r["note"]) for r in csv.DictReader(handle)]


def outcomes(index: Index, pairs: Iterable[Pair], limit: int = 10) -> list[Outcome]:
    grouped: dict[Query, dict[str, str]] = {}
    for pair in pairs:
        grouped.setdefault(pair.query, {})[pair.record_id] = pair.label
    found = []
    for query, labels in grouped.items():
        truth = next((rid for rid, label in labels.items() if label == "match"), "")
        found.append(Outcome(query, truth, tuple(index.match(query, limit=limit)), labels))
    return found


@dataclass(frozen=True, slots=True)
class Figures:
    queries: int
    with_truth: int
    auto_links: int
    auto_correct: int
    top_correct: int
    pairs: int
    pair_auto: int
    pair_auto_correct: int
    match_pairs: int
    match_pairs_at_review: int

    @property
    def auto_precision(self) -> float:
        return self.auto_correct / self.auto_links if self.auto_links else 1.0

    @property
    def auto_recall(self) -> float:
        return self.auto_correct / self.with_truth if self.with_truth else 1.0

    @property
    def top_recall(self) -> float:
        return self.top_correct / self.with_truth if self.with_truth else 1.0

    @property
    def pair_auto_precision(self) -> float:
        return self.pair_auto_correct / self.pair_auto if self.pair_auto else 1.0

    @property
    def review_recall(self) -> float:
        return self.match_pairs_at_review / self.match_pairs if self.match_pairs else 1.0

    def lines(self) -> list[str]:
        return [
            f"queries {self.queries} (with a true record: {self.with_truth}); labelled pairs {self.pairs}",
            f"automatic links: {self.auto_links}, correct {self.auto_correct}: precision {self.auto_precision:.3f}, recall {self.auto_recall:.3f}",
            f"top candidate correct: {self.top_correct}/{self.with_truth}: recall {self.top_recall:.3f}",
            f"labelled pairs at or above AUTO: {self.pair_auto}, labelled match: {self.pair_auto_correct}: precision {self.pair_auto_precision:.3f}",
            f"true pairs at or above REVIEW (link or queue): {self.match_pairs_at_review}/{self.match_pairs}: {self.review_recall:.3f}",
        ]


def pair_score(outcome: Outcome, record_id: str) -> float:
    """The score the engine gave this record for this query; 0 when it was not proposed."""
    return next((c.score for c in outcome.candidates if c.record.id == record_id), 0.0)


def figures(found: Sequence[Outcome], auto: float, review: float) -> Figures:
    auto_links = auto_correct = top_correct = pair_auto = pair_auto_correct = match_pairs = at_review = 0
    for outcome in found:
        top = outcome.candidates[0] if outcome.candidates else None
        if top is not None and top.score >= auto:
            auto_links += 1
            auto_correct += int(top.record.id == outcome.truth)
        top_correct += int(bool(outcome.truth) and top is not None and top.record.id == outcome.truth)
        for record_id, label in outcome.labels.items():
            value = pair_score(outcome, record_id)
            if value >= auto:
                pair_auto += 1
                pair_auto_correct += int(label == "match")
            if label == "match":
                match_pairs += 1
                at_review += int(value >= review)
    return Figures(
        queries=len(found), with_truth=sum(1 for o in found if o.truth), auto_links=auto_links,
        auto_correct=auto_correct, top_correct=top_correct, pairs=sum(len(o.labels) for o in found),
        pair_auto=pair_auto, pair_auto_correct=pair_auto_correct, match_pairs=match_pairs,
        match_pairs_at_review=at_review,
    )
