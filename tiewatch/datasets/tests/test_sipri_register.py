"""SIPRI Trade Registers as arms_transfer ties: our invented fixtures for the details, the real
registers in ../shared/data/sipri/ for the counts (SIPRI data is never committed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED_DATA
from tiewatch.core.errors import ValidationFailed
from tiewatch.datasets.importer import import_dataset
from tiewatch.datasets.report import DatasetReport
from tiewatch.datasets.sipri_register.mapping import map_file
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie

FIXTURES = Path(__file__).parent / "fixtures" / "sipri"
OLD, NEW = FIXTURES / "register-2024.csv", FIXTURES / "register-2025.csv"
REGISTERS = SHARED_DATA / "sipri" / "trade_register"
REAL_2025 = REGISTERS / "trade-register_generated-2025-03-13.csv"
REAL_2026 = REGISTERS / "trade-register_generated-2026-05-18.csv"


def load(path: Path) -> DatasetReport:
    return import_dataset("sipri_register", path, actor="tests")


def ties(report: DatasetReport) -> dict[str, int]:
    return report.as_dict()["ties"]


def _fga(**filters: Any) -> Tie:
    return Tie.objects.get(dataset="sipri_register", subject_id="us-united-states", counterparts__id="il-israel",
                           **filters)


@pytest.mark.django_db
def test_each_deal_is_an_arms_tie_from_supplier_to_recipient() -> None:
    report = load(OLD)
    assert ties(report) == {"created": 8, "updated": 0, "unchanged": 0, "superseded": 0}
    assert report.as_dict()["entities"]["created"] == 7 and report.rows == 8
    israel = Entity.objects.get(pk="il-israel")
    assert (israel.name, israel.kind, israel.country) == ("Israel", "government", "IL")
    assert israel.extra == {"national_government": True}
    assert Entity.objects.get(pk="sipri-nato").kind == "organization"
    assert Entity.objects.get(pk="de-germany").name == "Germany"  # SIPRI's "Germany (FRG)", canonical
    tie = _fga()
    assert (tie.kind, tie.status, tie.year_from, tie.when) == ("arms_transfer", "reported", 2015, "2015")
    assert tie.attributes == {
        "weapon_designation": "Demo-FGA", "weapon_description": "FGA aircraft", "number_ordered": 8,
        "number_delivered": 4, "order_year": 2015, "delivery_years": [2018, 2019], "condition": "New",
        "comments": "Invented", "tiv_per_unit": 40.0, "tiv_total_order": 320.0, "tiv_delivered": 160.0,
        "supplier": "United States", "recipient": "Israel", "release": "2024-03", "generated": "2024-03-18"}
    source = tie.sources.get()
    assert source.published_on.isoformat() == "2024-03-18" and "SIPRI" in source.publisher
    assert "(March 2024 release, data generated 18 March 2024)" in source.title  # read on pages: words
    assert Source.objects.count() == 1
    uav = Tie.objects.get(attributes__weapon_designation="Demo-UAV")
    assert uav.attributes["order_year_uncertain"] is True and uav.attributes["number_delivered_uncertain"] is True
    assert Tie.objects.get(attributes__weapon_designation="Demo-OPV").status == "planned"
    # Two identical deals (same supplier, recipient, year, weapon) stay two ties.
    assert Tie.objects.filter(attributes__weapon_designation="Demo-Sub").count() == 2


@pytest.mark.django_db
def test_reimport_changes_nothing() -> None:
    load(OLD)
    before = ChangeRecord.objects.count()
    assert ties(load(OLD)) == {"created": 0, "updated": 0, "unchanged": 8, "superseded": 0}
    assert ChangeRecord.objects.count() == before


@pytest.mark.django_db
def test_a_newer_release_updates_and_adds_without_duplicating() -> None:
    load(OLD)
    report = load(NEW)
    # Every deal now cites the newer file; one deal is new.
    assert ties(report) == {"created": 1, "updated": 8, "unchanged": 0, "superseded": 0}
    assert Tie.objects.filter(dataset="sipri_register").count() == 9
    fga = _fga()  # re-spelled DemoFGA in the newer release: still the same tie
    assert fga.attributes["number_delivered"] == 8 and fga.attributes["weapon_designation"] == "DemoFGA"
    assert fga.attributes["release"] == "2025-03" and fga.attributes["delivery_years"] == [2018, 2019, 2024]
    assert [s.published_on.year for s in fga.sources.all()] == [2025]
    assert Tie.objects.get(attributes__weapon_designation="Demo-OPV").status == "reported"
    assert ties(load(NEW))["unchanged"] == 9


@pytest.mark.django_db
def test_both_releases_in_one_folder_the_newest_wins() -> None:
    report = load(FIXTURES)
    assert [Path(f["file"]).name for f in report.as_dict()["files"]] == ["register-2024.csv", "register-2025.csv"]
    assert ties(report)["superseded"] == 8
    assert Tie.objects.filter(dataset="sipri_register").count() == 9
    assert _fga().attributes["release"] == "2025-03"


@pytest.mark.django_db
def test_a_state_lands_on_the_registrys_government_entity() -> None:
    curated = Entity.objects.create(id="il-government-of-israel", name="Government of Israel", kind="government",
                                    country="IL", note="curated")
    Entity.objects.create(id="il-israel-ministry-of-defense", name="Israel Ministry of Defense", kind="government",
                          country="IL")
    load(OLD)
    assert not Entity.objects.filter(pk="il-israel").exists()
    assert Tie.objects.filter(subject=curated, dataset="sipri_register").count() == 3
    curated.refresh_from_db()
    assert curated.note == "curated" and curated.name == "Government of Israel"


@pytest.mark.django_db
def test_bad_files_name_file_line_and_field_and_write_nothing(tmp_path: Path) -> None:
    text = OLD.read_text(encoding="latin-1")
    (tmp_path / "a-good.csv").write_text(text, encoding="latin-1")
    (tmp_path / "b-bad-year.csv").write_text(text.replace("2014; 2015; 2016", "2014; 20x5"), encoding="latin-1")
    (tmp_path / "c-undated.csv").write_text(text.replace("Data generated: 18 Mar 2024 6:13:50 PM", ""),
                                            encoding="latin-1")
    (tmp_path / "d-cut.csv").write_text(text[:text.index("Recipient,Supplier")], encoding="latin-1")
    with pytest.raises(ValidationFailed) as caught:
        load(tmp_path)
    found = {(Path(p.file or "").name, p.line, p.field) for p in caught.value.problems}
    assert ("b-bad-year.csv", 13, "Year(s) of delivery") in found
    assert ("c-undated.csv", 1, "Data generated") in found
    assert any(name == "d-cut.csv" for name, _, _ in found)
    assert Tie.objects.count() == 0 and Entity.objects.count() == 0 and Source.objects.count() == 0


@pytest.mark.django_db
def test_the_real_registers_import_release_by_release() -> None:
    first = load(REAL_2025)
    assert first.rows == 29_515 and ties(first)["created"] == 29_515  # every deal its own tie
    old_ids = set(Tie.objects.filter(dataset="sipri_register").values_list("id", flat=True))
    second = load(REAL_2026)
    counts = ties(second)
    assert second.rows == 29_916
    assert counts["created"] + counts["updated"] + counts["unchanged"] == 29_916
    new_ids = set(Tie.objects.filter(dataset="sipri_register").values_list("id", flat=True)) - old_ids
    assert counts["created"] == len(new_ids)
    # Most deals keep their id across releases (SIPRI re-dates or renames the others).
    assert counts["created"] < 0.1 * 29_916
    assert Tie.objects.filter(dataset="sipri_register").count() == len(old_ids) + counts["created"]
    assert ties(load(REAL_2026)) == {"created": 0, "updated": 0, "unchanged": 29_916, "superseded": 0}
    israel = Entity.objects.get(pk="il-israel")
    assert Tie.objects.filter(subject=israel, dataset="sipri_register").count() > 500
    assert Source.objects.filter(publisher__contains="SIPRI").count() == 2


def test_the_mapping_reads_the_real_register_whole() -> None:
    rows = list(map_file(REAL_2026))
    assert len(rows) == 29_916 and len({r.key for r in rows}) == 29_916


@pytest.mark.django_db
def test_the_command_imports_a_register_and_records_the_run(capsys: Any) -> None:
    from tiewatch.cli import main
    from tiewatch.datasets.models import ImportRun

    assert main(["datasets", "import", "sipri_register", "--path", str(FIXTURES), "--json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 17 and report["ties"]["created"] == 9 and report["ties"]["superseded"] == 8
    assert report["as_of"] == "2025-03-13"
    run = ImportRun.objects.get(dataset="sipri_register")
    assert run.rows == 17 and run.as_of.isoformat() == "2025-03-13"
