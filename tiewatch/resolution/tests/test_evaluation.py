"""The engine on the labelled evaluation set (tests/evaluation/): the issue's quality bar."""

from __future__ import annotations

from collections import Counter

import pytest

from tiewatch.core.records import ENTITY_KINDS
from tiewatch.resolution.engine import AUTO, REVIEW, Index
from tiewatch.resolution.tests.evaluation.harness import (
    Outcome,
    figures,
    load_pairs,
    load_records,
    outcomes,
    pair_score,
)


@pytest.fixture(scope="module")
def found() -> list[Outcome]:
    return outcomes(Index(load_records()), load_pairs())


def test_the_set_is_well_formed() -> None:
    records = {r.id: r for r in load_records()}
    pairs = load_pairs()
    assert len(pairs) >= 250
    assert len(records) == len({r.id for r in load_records()}), "duplicate record ids"
    assert all(r.kind in ENTITY_KINDS for r in records.values())
    assert all(p.record_id in records for p in pairs), [p.record_id for p in pairs if p.record_id not in records]
    assert {p.label for p in pairs} == {"match", "no_match"}
    matches = Counter((p.name, p.state, p.country) for p in pairs if p.label == "match")
    assert max(matches.values()) == 1, "a query with two true records"
    assert len({(p.name, p.state, p.country, p.record_id) for p in pairs}) == len(pairs), "a pair labelled twice"
    assert sum(1 for p in pairs if p.label == "no_match") >= 120


def test_precision_and_recall(found: list[Outcome]) -> None:
    result = figures(found, AUTO, REVIEW)
    print("\n" + "\n".join(result.lines()))
    assert result.auto_precision >= 0.99
    assert result.pair_auto_precision >= 0.99
    assert result.top_recall >= 0.95


@pytest.mark.parametrize(
    ("name", "state", "record_id"),
    [
        ("DURHAM POLICE DEPT", "NH", "us-nc-durham-police-department"),
        ("SAN BERNARDINO CTY SHERIFF", "CA", "us-ca-san-bernardino-police-department"),
        ("NORTH CHICAGO POLICE DEPT", "IL", "us-il-chicago-police-department"),
        ("DOJ/FBI CHICAGO", "IL", "us-federal-bureau-of-investigation"),
        ("DHS/ICE HSI BALTIMORE", "MD", "us-immigration-and-customs-enforcement"),
        ("STATE CAPITOL POLICE", "NC", "us-capitol-police"),
    ],
)
def test_the_issues_hard_negatives_score_low(found: list[Outcome], name: str, state: str, record_id: str) -> None:
    outcome = next(o for o in found if (o.query.name, o.query.state) == (name, state))
    assert outcome.labels[record_id] == "no_match"
    assert pair_score(outcome, record_id) < REVIEW
    assert outcome.candidates[0].record.id != record_id
