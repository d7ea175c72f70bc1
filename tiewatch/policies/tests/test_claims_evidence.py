"""Claims in the pure engine (docs/policies.md, "claims"): a tie's claims of the evidence attribute
count beside its value; conflicting or contested claims make the evidence disputed (as a disputed
attribute does); the evidence names every claim it relied on. The compiled engine and the naive
reference agree."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tiewatch.core.records import ClaimRecord, EntityRecord, TieRecord
from tiewatch.policies.engine import Engine, load_policies
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.facts import evidence_status
from tiewatch.policies.engine.naive import NaiveEvaluator
from tiewatch.policies.tests.records_from_seed import LAWS, seed_records

DURHAM = "us-nc-durham-2018-international-police-exchanges"
DPD = "us-nc-durham-police-department"
SEMINAR = "us-nc-durham-police-department--adl-ncts--2008"
MINISTRY = "il-israel-ministry-of-public-security"
MST = "military_style_training"
D = dt.date

MEMO = ClaimRecord(MST, False, "official_record", DPD, ("src-memo",), D(2026, 11, 28))
CAMPAIGN = ClaimRecord(MST, True, "party_claim", "us-demilitarize-durham2palestine-coalition", ("src-indy",))
REPORT = ClaimRecord(MST, True, "several_independent_sources", "a reporter", ("src-a", "src-b"))


def training(claims: tuple[ClaimRecord, ...], attributes: dict | None = None, status: str = "reported") -> TieRecord:
    return TieRecord(SEMINAR, DPD, ("il-israel-police",), "training", D(2008, 1, 1), D(2008, 12, 31), status,
                     attributes=attributes or {}, claims=claims)


@pytest.mark.parametrize(("claims", "attributes", "status", "expected"), [
    ((), {MST: "disputed"}, "reported", "disputed"),
    ((MEMO, CAMPAIGN), {}, "reported", "disputed"),  # the claims conflict
    ((MEMO, CAMPAIGN), {MST: "disputed"}, "reported", "disputed"),
    ((CAMPAIGN, REPORT), {}, "reported", "asserted"),  # they agree: asserted evidence
    ((CAMPAIGN, dataclasses.replace(REPORT, confidence="contested")), {}, "reported", "disputed"),
    ((CAMPAIGN, REPORT), {}, "disputed", "disputed"),  # a disputed tie stays disputed
    ((MEMO,), {}, "reported", None),  # nobody claims it is true: no evidence
    ((CAMPAIGN,), {}, "cancelled", None),
    ((ClaimRecord("participants", 3, "one_source", "x"),), {MST: True}, "reported", "asserted"),  # other facts
])
def test_evidence_status_reads_the_claims(claims: tuple, attributes: dict, status: str, expected: str | None) -> None:
    assert evidence_status(training(claims, attributes, status), MST) == expected


@pytest.fixture(scope="module")
def literal_only() -> tuple[list[s.Instrument], list[EntityRecord], list[TieRecord]]:
    entities, ties = seed_records()
    policies = load_policies([LAWS], known_entities={e.id for e in entities})
    durham = next(p for p in policies if p.id == DURHAM)
    return [dataclasses.replace(durham, rules=(durham.rule("literal"),))], entities, ties


def with_claims(ties: list[TieRecord], claims: tuple[ClaimRecord, ...], attributes: dict) -> list[TieRecord]:
    return [dataclasses.replace(t, claims=claims, attributes=attributes) if t.id == SEMINAR else t for t in ties]


@pytest.mark.parametrize(("claims", "attributes", "status"), [
    ((MEMO, CAMPAIGN), {MST: "disputed"}, "disputed"),
    ((MEMO, CAMPAIGN), {}, "disputed"),
    ((CAMPAIGN, REPORT), {}, "asserted"),
])
def test_findings_name_the_claims_relied_on(literal_only: tuple, claims: tuple, attributes: dict,
                                            status: str) -> None:
    policies, entities, seed_ties = literal_only
    ties = with_claims(seed_ties, claims, attributes)
    proposed = TieRecord("proposed", DPD, (MINISTRY,), "exchange", D(2019, 3, 1), D(2019, 3, 1))
    engine = Engine(policies, entities)
    engine.prepare(ties)
    _, compiled = engine.check(proposed)
    naive = NaiveEvaluator(policies, entities, ties).screen_tie(proposed)
    assert [f.as_dict() for f in compiled] == [f.as_dict() for f in naive]
    (finding,) = compiled
    (evidence,) = finding.evidence
    assert evidence.tie == SEMINAR and evidence.status == status and evidence.claims == claims
    assert finding.as_dict()["evidence"][0]["claims"] == [c.as_dict() for c in claims]
    assert any(f"rests on {len(claims)} claim(s), relied on as {status}" in r for r in finding.reasons)
    assert finding.disputed is (status == "disputed")


def test_a_tie_with_claims_and_no_attributes_is_evidence(literal_only: tuple) -> None:
    """The compiled engine indexed only ties with attributes as evidence; claims alone count too."""
    policies, entities, seed_ties = literal_only
    ties = with_claims(seed_ties, (CAMPAIGN, REPORT), {})
    engine = Engine(policies, entities)
    engine.prepare(ties)
    verdict, _ = engine.check(TieRecord("proposed", DPD, (MINISTRY,), "exchange", D(2019, 3, 1), D(2019, 3, 1)))
    assert verdict == "prohibited"
