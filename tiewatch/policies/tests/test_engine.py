"""The shipped law packs screened against the sourced seed, and the four required kinds of rule."""

from __future__ import annotations

import datetime as dt

import pytest

from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import Engine, load_policies, verdict_of
from tiewatch.policies.engine.naive import naive_screen
from tiewatch.policies.tests.records_from_seed import LAWS, seed_records

DURHAM = "us-nc-durham-2018-international-police-exchanges"
NOLA = "us-la-new-orleans-2018-human-rights-investment-resolution"
DPD = "us-nc-durham-police-department"
IDF = "il-israel-defense-forces"
D = dt.date


@pytest.fixture(scope="module")
def seed():
    return seed_records()


@pytest.fixture(scope="module")
def policies(seed):
    entities, _ = seed
    return load_policies([LAWS], known_entities={e.id for e in entities})


@pytest.fixture(scope="module")
def extra_entities():
    return [
        EntityRecord("us-la-new-orleans-city", "City of New Orleans", "government", "US",
                     "ocd-division/country:us/state:la/place:new_orleans"),
        EntityRecord("xx-acme-surveillance", "Acme Surveillance Inc.", "company", "US"),
        EntityRecord("xx-exampleville-police", "Exampleville Police", "police_agency", "US",
                     "ocd-division/country:us/state:xx/place:exampleville"),
        EntityRecord("us-defense-logistics-agency", "Defense Logistics Agency", "federal_agency", "US",
                     "ocd-division/country:us"),
    ]


@pytest.fixture(scope="module")
def engine(seed, policies, extra_entities):
    entities, ties = seed
    eng = Engine(policies, entities + extra_entities)
    eng.prepare(ties)
    return eng


def tie(subject, counterparts, kind, start, end=None, **kw):
    return TieRecord("proposed", subject, tuple(counterparts), kind, start, end or start, **kw)


def test_durham_common_reading_prohibits_idf_exchange_after_adoption(engine):
    verdict, findings = engine.check(tie(DPD, [IDF], "exchange", D(2018, 5, 1)))
    assert verdict == "prohibited"
    rules = {(f.policy, f.rule) for f in findings}
    assert (DURHAM, "common-reading") in rules
    assert all("military-style training" in f.clause for f in findings)


def test_durham_literal_uses_disputed_2008_evidence(engine):
    _, findings = engine.check(tie(DPD, [IDF], "exchange", D(2019, 3, 1)))
    literal = [f for f in findings if f.rule == "literal"]
    assert len(literal) == 1
    ev = literal[0].evidence
    assert [e.tie for e in ev] == ["us-nc-durham-police-department--adl-ncts--2008"]
    assert ev[0].status == "disputed" and ev[0].country == "IL"
    assert literal[0].disputed
    assert any("disputed" in r for r in literal[0].reasons)


def test_durham_literal_is_country_level(engine):
    # Palestinian Civil Police: not Israel, no recorded training in PS -> literal does not catch it
    _, findings = engine.check(tie(DPD, ["ps-palestinian-civil-police"], "exchange", D(2019, 3, 1)))
    assert findings == []
    # An Israeli government body is not military/police (common reading) but is in IL (literal)
    v, findings = engine.check(tie(DPD, ["il-israel-ministry-of-public-security"], "exchange", D(2019, 3, 1)))
    assert v == "prohibited" and {f.rule for f in findings} == {"literal"}


def test_durham_before_adoption_is_allowed(engine):
    verdict, findings = engine.check(tie(DPD, [IDF], "exchange", D(2017, 6, 1)))
    assert verdict == "allowed" and findings == []


def test_durham_partial_year_2018_overlaps(engine):
    verdict, _ = engine.check(tie(DPD, [IDF], "training", D(2018, 1, 1), D(2018, 12, 31)))
    assert verdict == "prohibited"


def test_other_city_is_not_bound(engine):
    verdict, _ = engine.check(tie("us-nc-raleigh-police-department", [IDF], "exchange", D(2019, 1, 1)))
    assert verdict == "allowed"


def test_new_orleans_rescinded(engine):
    city = "us-la-new-orleans-city"
    attrs = {"human_rights_concern": True}
    during = tie(city, ["xx-acme-surveillance"], "procurement", D(2018, 1, 20), attributes=attrs)
    after = tie(city, ["xx-acme-surveillance"], "procurement", D(2018, 1, 25), attributes=attrs)
    v1, f1 = engine.check(during)
    assert v1 == "reported" and f1[0].policy == NOLA
    v2, f2 = engine.check(after)
    assert v2 == "allowed" and f2 == []


def test_surveillance_requires_approval_unless_approved(engine):
    police = "xx-exampleville-police"
    v, f = engine.check(tie(police, ["xx-acme-surveillance"], "procurement", D(2021, 3, 1),
                            attributes={"surveillance_technology": True}))
    assert v == "requires_approval" and f[0].effect == "require_approval"
    v, f = engine.check(tie(police, ["xx-acme-surveillance"], "procurement", D(2021, 3, 1),
                            attributes={"surveillance_technology": True, "council_approval": True}))
    assert v == "allowed" and f == []


def test_military_equipment_category_ban(engine):
    police = "xx-exampleville-police"
    v, f = engine.check(tie(police, ["us-defense-logistics-agency"], "equipment_transfer", D(2021, 3, 1),
                            attributes={"equipment_category": "grenade_launcher"}))
    assert v == "prohibited" and f[0].policy == "example-military-equipment-ban"
    v, _ = engine.check(tie(police, ["us-defense-logistics-agency"], "equipment_transfer", D(2021, 3, 1),
                            attributes={"equipment_category": "office_furniture"}))
    assert v == "allowed"


def test_verdict_strongest_effect(engine):
    police = "xx-exampleville-police"
    v, f = engine.check(tie(police, ["us-defense-logistics-agency"], "equipment_transfer", D(2021, 3, 1),
                            attributes={"equipment_category": "bayonet", "surveillance_technology": True}))
    assert {x.effect for x in f} == {"prohibit", "require_approval"}
    assert v == "prohibited" == verdict_of(f)


def test_screen_seed_matches_naive(seed, policies, extra_entities):
    entities, ties = seed
    eng = Engine(policies, entities + extra_entities)
    fast = sorted(f.key for f in eng.screen(ties))
    slow = sorted(f.key for f in naive_screen(policies, entities + extra_entities, ties))
    assert fast == slow


def test_seed_screen_no_recorded_durham_violation(seed, policies):
    # The seed records no Durham tie after April 2018: screening finds nothing for Durham.
    entities, ties = seed
    findings = Engine(policies, entities).screen(ties)
    assert not [f for f in findings if f.policy == DURHAM]


def test_finding_json_shape(engine):
    _, findings = engine.check(tie(DPD, [IDF], "exchange", D(2018, 5, 1)))
    d = findings[0].as_dict()
    for key in ("policy", "rule", "clause", "effect", "reasons", "evidence", "sources"):
        assert key in d
    assert d["sources"] and d["reasons"]


def test_separate_years_are_tested_one_by_one(engine):
    # Reported in 2017 and 2019 (the span 2017..2019 covers the adoption, but so do the 2019 events)
    t2019 = TieRecord("p", DPD, (IDF,), "exchange", D(2017, 1, 1), D(2019, 12, 31), years=(2017, 2019))
    assert engine.check(t2019)[0] == "prohibited"
    # Reported in 2016 and 2017 only: before adoption
    t_before = TieRecord("p", DPD, (IDF,), "exchange", D(2016, 1, 1), D(2017, 12, 31), years=(2016, 2017))
    assert engine.check(t_before)[0] == "allowed"


def test_separate_years_skip_the_gap(engine):
    # New Orleans was in force 2018-01-11..2018-01-24: a contract reported in 2017 and 2019 spans that
    # period but did not happen in it.
    city, attrs = "us-la-new-orleans-city", {"human_rights_concern": True}
    gap = TieRecord("p", city, ("xx-acme-surveillance",), "procurement", D(2017, 1, 1), D(2019, 12, 31),
                    attributes=attrs, years=(2017, 2019))
    assert engine.check(gap)[0] == "allowed"
    hit = TieRecord("p", city, ("xx-acme-surveillance",), "procurement", D(2017, 1, 1), D(2019, 12, 31),
                    attributes=attrs, years=(2017, 2018, 2019))
    assert engine.check(hit)[0] == "reported"


def test_count_disputed_false_ignores_disputed_evidence(seed, policies):
    import dataclasses

    from tiewatch.policies.engine import schema as s

    entities, ties = seed
    durham = next(p for p in policies if p.id == DURHAM)
    literal = durham.rule("literal")
    strict_cond = s.All(tuple(
        dataclasses.replace(c, count_disputed=False) if isinstance(c, s.CounterpartCountryWhereSubjectTrained) else c
        for c in literal.condition.items))
    strict = dataclasses.replace(durham, rules=(dataclasses.replace(literal, condition=strict_cond),))
    eng = Engine([strict], entities)
    eng.prepare(ties)
    ministry = tie(DPD, ["il-israel-ministry-of-public-security"], "exchange", D(2019, 3, 1))
    assert eng.check(ministry)[0] == "allowed"
    # an asserted (undisputed) record of military-style training in IL makes it count again
    asserted = TieRecord("x", DPD, ("il-israel-police",), "training", D(2015, 1, 1), D(2015, 1, 1),
                         attributes={"military_style_training": True})
    eng.prepare([*ties, asserted])
    verdict, findings = eng.check(ministry)
    assert verdict == "prohibited" and [e.tie for e in findings[0].evidence] == ["x"]
    assert findings[0].evidence[0].status == "asserted"
