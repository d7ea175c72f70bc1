"""parse_agency_name on real LESO rows (../shared/data/leso) and the tables' spellings."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from tiewatch.core.records import ENTITY_KINDS
from tiewatch.resolution.engine import parse_agency_name

LESO = SHARED_DATA / "leso" / "dla_leso_merged_2021-03-31_barbh1307"


def leso_names() -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    for path in sorted(Path(LESO).glob("*_leso.tsv")):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                names.add((row["StateAbbreviation"], row["RequestingAgency"]))
    return names


@pytest.fixture(scope="module")
def names() -> set[tuple[str, str]]:
    return leso_names()


@pytest.mark.parametrize(
    ("state", "name", "kind", "agency_type", "place", "county", "core"),
    [
        ("CA", "SAN BERNARDINO CTY SHERIFF", "sheriff", "county sheriff", "", "san bernardino", "san bernardino"),
        ("CA", "SAN BERNARDINO POLICE DEPT", "police_agency", "city police", "san bernardino", "", "san bernardino"),
        ("NH", "DURHAM POLICE DEPT", "police_agency", "city police", "durham", "", "durham"),
        ("FL", "GLADES CSO", "sheriff", "county sheriff", "", "glades", "glades"),
        ("LA", "EAST BATON ROUGE PARISH SO", "sheriff", "county sheriff", "", "east baton rouge", "east baton rouge"),
        ("LA", "ST CHARLES PARISH SHERIFFS OFFICE", "sheriff", "county sheriff", "", "saint charles", "saint charles"),
        ("KY", "UNIV OF KENTUCKY POLICE DEPT HI_ED", "police_agency", "university police", "", "", "university kentucky"),
        ("OH", "MOUNT ST. JOSEPH UNIV. PD HI_ED", "police_agency", "university police", "", "", "mount saint joseph university"),
        ("CO", "UNIV OF N CO POLICE DEPT  HI_ED", "police_agency", "university police", "", "", "university north colorado"),
        ("IA", "LE MARS POLICE DEPARTMENT", "police_agency", "city police", "le mars", "", "le mars"),
        ("VT", "STATE POLICE", "state_police", "state police", "", "", "vermont state"),
        ("AR", "AR STATE POLICE LITTLE ROCK", "state_police", "state police", "little rock", "", "arkansas state"),
        ("TX", "MONTGOMERY COUNTY CONSTABLE PCT 1", "police_agency", "constable", "", "montgomery", "montgomery constable precinct 1"),
        ("TX", "LA JOYA ISD POLICE DEPT K-12", "police_agency", "school police", "", "", "la joya independent school district"),
        ("NY", "WESTCHESTER CTY DPS", "police_agency", "county police", "", "westchester", "westchester"),
        ("MI", "BAY CITY DPS", "police_agency", "city police", "bay city", "", "bay city"),
        ("CA", "LOS ANGELES COUNTY DA", "government", "district attorney", "", "los angeles", "los angeles district attorney"),
        ("NJ", "MORRISTOWN  BUREAU OF POLICE", "police_agency", "city police", "morristown", "", "morristown"),
        ("AL", "COTTONWOOD POLICE DEPTMENT", "police_agency", "city police", "cottonwood", "", "cottonwood"),
    ],
)
def test_real_leso_names(
    names: set[tuple[str, str]], state: str, name: str, kind: str, agency_type: str, place: str, county: str, core: str
) -> None:
    assert (state, name) in names, "the example must be a real LESO row"
    parsed = parse_agency_name(name, state)
    assert (parsed.kind, parsed.agency_type, parsed.place, parsed.county, parsed.core) == (kind, agency_type, place, county, core)
    assert parsed.state == state and not parsed.uncertain


@pytest.mark.parametrize(
    ("state", "name", "body", "agency_type", "place"),
    [
        ("MD", "DHS/ICE HSI BALTIMORE", "ice", "federal field office", "baltimore"),
        ("IL", "DOJ/FBI CHICAGO", "fbi", "federal field office", "chicago"),
        ("MO", "DOJ/FBI SAINT LOUIS DIV", "fbi", "federal field office", "saint louis"),
        ("MA", "USPS/USPIS BOSTON", "uspis", "federal field office", "boston"),
        ("TX", "DHS/CBP PATROL EL PASO", "usbp", "federal field office", "el paso"),
    ],
)
def test_federal_field_offices(names: set[tuple[str, str]], state: str, name: str, body: str, agency_type: str, place: str) -> None:
    assert (state, name) in names
    parsed = parse_agency_name(name, state)
    assert (parsed.kind, parsed.federal_body, parsed.agency_type, parsed.place) == ("federal_agency", body, agency_type, place)


def test_a_state_departments_justice_is_not_the_federal_one(names: set[tuple[str, str]]) -> None:
    assert ("MT", "DOJ GAMBLING CONTROL DIV") in names
    parsed = parse_agency_name("DOJ GAMBLING CONTROL DIV", "MT")
    assert parsed.federal_body == "" and parsed.kind != "federal_agency"


def test_saint_and_state_by_position() -> None:
    assert parse_agency_name("ST CHARLES PARISH SO", "LA").core == "saint charles"
    assert parse_agency_name("AR ST UNIV POLICE", "AR").core == "arkansas state university"


def test_every_leso_name_parses(names: set[tuple[str, str]]) -> None:
    """All 6,437 distinct names: no crash, the hint kept, and nearly all given a kind."""
    assert len(names) == 6437
    kinds: Counter[str] = Counter()
    for state, name in names:
        parsed = parse_agency_name(name, state)
        assert parsed.state == state, name
        assert parsed.kind in ("", *ENTITY_KINDS)
        kinds[parsed.kind] += 1
    assert kinds[""] / len(names) < 0.01, kinds
    assert kinds["sheriff"] > 1700 and kinds["police_agency"] > 4300


@pytest.mark.parametrize("name", ["", "   ", "---", "()", "\u00e9\u00e8 \U0001f600", "x" * 5000, "(((", "POLICE" * 300])
def test_odd_input_does_not_crash(name: str) -> None:
    parsed = parse_agency_name(name, "zz")
    assert parsed.state == "" and isinstance(parsed.normalised, str)


def test_a_state_in_parentheses_is_the_state() -> None:
    parsed = parse_agency_name("Orange County Sheriff's Office (Florida)")
    assert (parsed.state, parsed.county, parsed.kind) == ("FL", "orange", "sheriff")
