"""Equipment categories on REAL rows of the shared DLA LESO files (../shared/data/leso/)."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from conftest import SHARED_DATA
from tiewatch.core.inputs import InputError
from tiewatch.datasets.leso.categories import (
    CATEGORIES_FILE,
    categorize,
    default_categorizer,
    fsc_of,
    load_categories,
    row_of_tsv,
    unclassified_report,
)

LESO = SHARED_DATA / "leso" / "dla_leso_merged_2021-03-31_barbh1307"
PROHIBITED = ["tracked_armored_vehicle", "weaponized_vehicle", "firearm_50_cal_or_larger",
              "ammunition_50_cal_or_larger", "grenade_launcher", "bayonet", "camouflage_uniform"]
CONTROLLED = ["manned_aircraft", "drone", "wheeled_armored_vehicle", "command_vehicle", "specialized_firearm",
              "explosives", "breaching_apparatus", "riot_gear"]


def read_rows(state: str) -> list[dict[str, str]]:
    """The rows of one state's file (tab-separated, quoted fields may hold line breaks)."""
    with open(LESO / f"{state}_leso.tsv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def row_at(state: str, line: int) -> dict[str, str]:
    """The row that starts on `line` of the file (line 1 is the header)."""
    with open(LESO / f"{state}_leso.tsv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        start = 2
        for row in reader:
            if start == line:
                return row
            start = reader.line_num + 1
    raise AssertionError(f"no row starts on line {line}")


def slugs_of(row: dict[str, str]) -> list[str]:
    fsc, demil, item, _ = row_of_tsv(row)
    return categorize(fsc, demil, item)


def all_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(LESO.glob("*_leso.tsv")):
        rows += read_rows(path.name[:2])
    return rows


@pytest.fixture(scope="module")
def every_row() -> list[dict[str, str]]:
    return all_rows()


def test_the_fixed_slugs_of_the_interfaces_are_the_lists() -> None:
    rules = default_categorizer()
    assert rules.on_list("eo13688_prohibited") == PROHIBITED
    assert rules.on_list("eo13688_controlled") == CONTROLLED


@pytest.mark.parametrize(("state", "line", "item", "expected", "absent"), [
    ("NC", 2, "TRUCK,UTILITY", ["wheeled_armored_vehicle", "munitions_list_item"], ["vehicle"]),
    ("NC", 30, "MINE RESISTANT VEHICLE", ["wheeled_armored_vehicle", "mrap"], []),
    ("NH", 2, "RIFLE,5.56 MILLIMETER", ["specialized_firearm", "firearm"], ["firearm_50_cal_or_larger"]),
    ("DC", 33, "BAYONET-KNIFE", ["bayonet"], ["knife"]),
    ("PA", 1002, "SCABBARD,BAYONET-KNIFE", ["other_weapon"], ["bayonet"]),
    ("AZ", 3669, "DRONE SYSTEM", ["drone"], []),
    ("AL", 1656, "AIRCRAFT, FIXED WING", ["manned_aircraft"], []),
    ("NC", 117, "HELICOPTER,OBSERVATION", ["manned_aircraft"], ["drone"]),
    ("AL", 680, "TROUSERS,CAMOUFLAGE PATTERN", ["camouflage_uniform"], ["clothing"]),
    ("MN", 1338, "RAM,BATTERING", ["breaching_apparatus"], []),
    ("AL", 2927, "SUPPRESSOR,SMALL ARMS WEAPON", ["silencer"], ["specialized_firearm"]),
])
def test_known_real_rows(state: str, line: int, item: str, expected: list[str], absent: list[str]) -> None:
    row = row_at(state, line)
    assert row["ItemDescription"].strip() == item
    slugs = slugs_of(row)
    assert set(expected) <= set(slugs), slugs
    assert not set(absent) & set(slugs), slugs


def test_no_weapon_row_is_unclassified_and_coverage_is_recorded(every_row: list[dict[str, str]]) -> None:
    report = unclassified_report(row_of_tsv(row) for row in every_row)
    assert report.rows == 140_500
    weapons = [row for row in every_row if row["Item_FSG"] in {"10", "13"}]
    assert len(weapons) == 75_725
    assert all(default_categorizer().classify(*row_of_tsv(row)[:3])[1] for row in weapons)
    # the figures docs/datasets.md records
    assert report.classified_rows == 140_500 and report.row_share == 1.0
    assert round(report.value) == 2_104_277_342
    assert (report.rule_rows, round(report.rule_value)) == (91_766, 1_619_141_514)


def test_list_counts_on_the_real_files(every_row: list[dict[str, str]]) -> None:
    report = unclassified_report(row_of_tsv(row) for row in every_row)
    counts = {slug: report.by_category[slug] for slug in PROHIBITED + CONTROLLED}
    assert counts == {
        "tracked_armored_vehicle": 0, "weaponized_vehicle": 0, "firearm_50_cal_or_larger": 0,
        "ammunition_50_cal_or_larger": 0, "grenade_launcher": 0, "bayonet": 2, "camouflage_uniform": 28,
        "manned_aircraft": 380, "drone": 1, "wheeled_armored_vehicle": 4594, "command_vehicle": 0,
        "specialized_firearm": 69_060, "explosives": 42, "breaching_apparatus": 1, "riot_gear": 31,
    }


def test_unclassified_report_counts_rows_and_value_by_description() -> None:
    rows = [("2320-01-128-9551", "C", "TRUCK,UTILITY", 50_458.0), ("", "", "SOMETHING  odd", 10.0),
            ("not in file", "not in file", "something odd", 5.0), ("", "", "OTHER", 1.0)]
    report = unclassified_report(rows)
    assert (report.rows, report.classified_rows) == (4, 1)
    assert report.rule_rows == 1 and "by a rule" in report.lines()[1]
    assert report.unclassified.most_common() == [("SOMETHING ODD", 2), ("OTHER", 1)]
    assert report.unclassified_value["SOMETHING ODD"] == 15.0
    assert report.value_share == pytest.approx(50_458 / 50_474)
    assert report.as_dict()["unclassified"][0] == {"item": "SOMETHING ODD", "rows": 2, "value": 15.0}
    assert "1 of 4 rows classified" in report.lines()[0]


def test_nsn_fsc_and_missing_codes() -> None:
    assert fsc_of("2320-01-128-9551") == "2320"
    assert fsc_of("1510-DS-FIX-WNGA") == "1510"
    assert fsc_of("not in file") == "" and fsc_of("23") == ""
    assert categorize("2320-01-128-9551", "C", "truck,  utility") == categorize("2320", " c ", "TRUCK,UTILITY")
    # a DEMIL code alone is a marker, not a classification
    assert default_categorizer().classify("", "D", "WIDGET") == (("munitions_list_item",), False)


def test_fifty_caliber_and_launchers_by_description() -> None:
    assert "firearm_50_cal_or_larger" in categorize("1005", "D", "RIFLE,CALIBER .50,SEMIAUTOMATIC")
    assert "specialized_firearm" not in categorize("1005", "D", "RIFLE,CALIBER .50,SEMIAUTOMATIC")
    assert "specialized_firearm" in categorize("1005", "D", "GUNS, THROUGH 30MM")
    assert "firearm_50_cal_or_larger" in categorize("1010", "D", "GUN,AUTOMATIC,30 MILLIMETER")
    assert categorize("1010", "D", "LAUNCHER,GRENADE,40 MILLIMETER")[:1] == ["grenade_launcher"]
    assert "grenade_launcher" not in categorize("1010", "D", "BARREL,GRENADE LAUNCHER")
    assert "ammunition_50_cal_or_larger" in categorize("1305", "", "CARTRIDGE,CALIBER .50,BALL")
    assert "weaponized_vehicle" in categorize("1520", "C", "HELICOPTER,ATTACK")


def test_classifies_the_whole_files_quickly(every_row: list[dict[str, str]]) -> None:
    triples = [row_of_tsv(row)[:3] for row in every_row]
    rules = load_categories()            # a fresh, empty cache
    started = time.process_time()
    for fsc, demil, item in triples:
        rules.categorize(fsc, demil, item)
    assert time.process_time() - started < 2.0


@pytest.mark.parametrize(("text", "message"), [
    ("categories: {a: {label: A}}\nrules:\n  - {categories: [b]}\n", "unknown category 'b'"),
    ("categories: {a: {label: A}}\nrules:\n  - {categories: [a], item: [nope]}\n", "no pattern named 'nope'"),
    ("categories: {a: {label: A}}\npatterns: {p: '('}\n", "not a regular expression"),
    ("categories: {a: {label: A}}\nrules:\n  - {categories: [a], fsc: ['23']}\n", "'23' is not 4 digits"),
    ("categories: {a: {label: A}}\nrules:\n  - {categories: [a], colour: red}\n", "unknown condition 'colour'"),
    ("categories: {a: {label: A, list: eo99}}\n", "list must be one of"),
])
def test_a_bad_categories_file_names_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "categories.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_categories(path)
    problem = caught.value.problems[0]
    assert message in problem.message and problem.file == str(path) and problem.line


def test_the_shipped_file_loads() -> None:
    assert load_categories(CATEGORIES_FILE).rules
