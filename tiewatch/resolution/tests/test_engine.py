"""The pure matching engine: no database, records built here."""

from __future__ import annotations

import pytest

from tiewatch.resolution.engine import AUTO, REVIEW, Index, Query, Record, score

OCD = "ocd-division/country:us"
RECORDS = [
    Record("us-ga-atlanta-pd", "Atlanta Police Department", "police_agency", "US", jurisdiction=f"{OCD}/state:ga/place:atlanta"),
    Record("us-nc-durham-pd", "Durham Police Department", "police_agency", "US", jurisdiction=f"{OCD}/state:nc/place:durham"),
    Record("us-nh-durham-pd", "Durham Police Department", "police_agency", "US", jurisdiction=f"{OCD}/state:nh/place:durham"),
    Record("us-ca-sb-sheriff", "San Bernardino County Sheriff's Department", "sheriff", "US", jurisdiction=f"{OCD}/state:ca/county:san_bernardino"),
    Record("us-ca-sb-pd", "San Bernardino Police Department", "police_agency", "US", jurisdiction=f"{OCD}/state:ca/place:san_bernardino"),
    Record("us-il-chicago-pd", "Chicago Police Department", "police_agency", "US", jurisdiction=f"{OCD}/state:il/place:chicago"),
    Record("us-ice", "US Immigration and Customs Enforcement", "federal_agency", "US", jurisdiction=OCD),
    Record("us-fbi", "Federal Bureau of Investigation", "federal_agency", "US", jurisdiction=OCD),
    Record("us-vt-vsp", "Vermont State Police", "state_police", "US", jurisdiction=f"{OCD}/state:vt"),
    Record("il-idf", "Israel Defense Forces", "military", "IL", aliases=("IDF",)),
]


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(RECORDS)


def top(index: Index, name: str, state: str = "") -> tuple[str, float, str]:
    found = index.match(Query(name, state=state), limit=3)
    return (found[0].record.id, found[0].score, found[0].band) if found else ("", 0.0, "")


def test_thresholds_order() -> None:
    assert 0 < REVIEW < AUTO <= 1


def test_len(index: Index) -> None:
    assert len(index) == len(RECORDS)


@pytest.mark.parametrize(
    ("name", "state", "expected"),
    [
        ("ATLANTA POLICE DEPT", "GA", "us-ga-atlanta-pd"),
        ("Atlanta PD", "GA", "us-ga-atlanta-pd"),
        ("DURHAM POLICE DEPT", "NH", "us-nh-durham-pd"),
        ("DURHAM PD", "NC", "us-nc-durham-pd"),
        ("SAN BERNARDINO CTY SHERIFF", "CA", "us-ca-sb-sheriff"),
        ("STATE POLICE", "VT", "us-vt-vsp"),
        ("IDF", "", "il-idf"),
    ],
)
def test_true_matches_link_automatically(index: Index, name: str, state: str, expected: str) -> None:
    record_id, value, band = top(index, name, state)
    assert (record_id, band) == (expected, "auto"), value


def test_a_misspelt_place_is_found_but_queued(index: Index) -> None:
    """One letter off may be a typo or another town (Lewistown / Lewiston): a person decides."""
    found = index.match(Query("SAN BERNADINO POLICE DEPT", state="CA"))
    assert (found[0].record.id, found[0].band) == ("us-ca-sb-pd", "review")
    assert any(f.name == "place" and f.weight < 0 and "typo" in f.detail for f in found[0].features)


def test_same_city_other_state_scores_low() -> None:
    nh = Query("DURHAM POLICE DEPT", state="NH")
    assert score(nh, RECORDS[1]).score < REVIEW
    assert any(f.name == "state" and f.weight < 0 for f in score(nh, RECORDS[1]).features)


def test_sheriff_is_not_city_police() -> None:
    candidate = score(Query("SAN BERNARDINO CTY SHERIFF", state="CA"), RECORDS[4])
    assert candidate.score < REVIEW and candidate.band == "weak"
    assert any(f.name == "kind" and f.weight < 0 for f in candidate.features)


def test_north_chicago_is_not_chicago(index: Index) -> None:
    candidate = score(Query("NORTH CHICAGO POLICE DEPT", state="IL"), RECORDS[5])
    assert candidate.score < REVIEW
    assert top(index, "NORTH CHICAGO POLICE DEPT", "IL")[2] != "auto"


def test_field_office_is_not_its_agency() -> None:
    for name, state, record in (("DHS/ICE HSI BALTIMORE", "MD", RECORDS[6]), ("DOJ/FBI CHICAGO", "IL", RECORDS[7])):
        candidate = score(Query(name, state=state), record)
        assert candidate.score < REVIEW, candidate
        assert any(f.name == "parent" for f in candidate.features)


def test_same_name_two_states_without_hint_goes_to_review(index: Index) -> None:
    found = index.match(Query("Durham Police Department"), limit=2)
    assert {c.record.id for c in found} == {"us-nc-durham-pd", "us-nh-durham-pd"}
    assert all(c.band == "review" and any(f.name == "ambiguous" for f in c.features) for c in found)


def test_score_is_the_sum_of_its_features(index: Index) -> None:
    for candidate in index.match(Query("SAN BERNARDINO CTY SHERIFF", state="CA"), limit=5):
        expected = min(1.0, max(0.0, sum(f.weight for f in candidate.features)))
        assert candidate.score == pytest.approx(expected, abs=1e-4)
        assert all(f.detail for f in candidate.features)


def test_match_many_and_empty_names(index: Index) -> None:
    results = index.match_many([Query("ATLANTA PD", state="GA"), Query("  "), Query("---")])
    assert results[0][0].record.id == "us-ga-atlanta-pd"
    assert results[1] == [] and results[2] == []


@pytest.mark.parametrize("name", ["ATLANTA PD", "SAN BERNARDINO CTY SHERIFF", "DURHAM POLICE DEPT", "IDF"])
def test_blocking_finds_what_all_pairs_finds(index: Index, name: str) -> None:
    for state in ("", "GA", "CA", "NH"):
        query = Query(name, state=state)
        blocked, everything, unblocked = index.match(query), index.match_exhaustive(query), index.match_unblocked(query)
        strong = [c.record.id for c in everything if c.band != "weak"]
        assert [c.record.id for c in blocked if c.band != "weak"] == strong
        assert [c.record.id for c in unblocked if c.band != "weak"] == strong


def test_hints_jurisdiction_kind_country_and_aliases(index: Index) -> None:
    place = f"{OCD}/state:nc/place:durham"
    found = index.match(Query("Durham Police Department", jurisdiction=place))
    assert found[0].record.id == "us-nc-durham-pd" and found[0].band == "auto"
    assert any(f.name == "jurisdiction" and f.weight > 0 for f in found[0].features)
    other = score(Query("Durham Police Department", jurisdiction=f"{OCD}/state:nh/place:durham"), RECORDS[1])
    assert other.band == "weak"
    hinted = score(Query("Israel Defense Forces", kind="police_agency", country="IL"), RECORDS[-1])
    assert any(f.name == "kind" and f.weight < 0 for f in hinted.features)
    abroad = score(Query("Israel Defense Forces", country="US"), RECORDS[-1])
    assert any(f.name == "country" and f.weight < 0 for f in abroad.features) and abroad.band == "weak"
    by_alias = index.match(Query("Tsahal", aliases=("IDF",), country="IL"))
    assert by_alias[0].record.id == "il-idf" and any(f.name == "alias" for f in by_alias[0].features)
