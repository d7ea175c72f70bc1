"""Importing a few states' real LESO files: mapping, idempotence, later releases, resolution, refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.core.errors import NotFound, ValidationFailed
from tiewatch.core.urls import is_http_url
from tiewatch.datasets.importer import import_dataset
from tiewatch.datasets.tests.helpers import LESO, copy_states, read_rows, write_rows
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie

NH_FIRST_TWO = ("ALLENSTOWN POLICE DEPT", "RIFLE,5.56 MILLIMETER", "2002-12-10")


@pytest.fixture
def few(tmp_path: Path) -> Path:
    return copy_states(tmp_path / "leso")


def test_a_row_becomes_a_typed_sourced_tie(few: Path, db: Any) -> None:
    import_dataset("leso", few, actor="tests")
    tie = Tie.objects.filter(dataset="leso", subject__extra__leso_name="ALLENSTOWN POLICE DEPT",
                             attributes__nsn="1005-00-073-9421").order_by("id").first()
    assert tie is not None
    assert (tie.kind, tie.status, str(tie.start_date), tie.program_id) == (
        "equipment_transfer", "confirmed", "2002-12-10", "us-dod-1033-program")
    assert [e.id for e in tie.counterparts.all()] == ["us-dla"]
    attrs = tie.attributes
    assert attrs["quantity"] == 1 and isinstance(attrs["quantity"], int)
    assert attrs["acquisition_value"] == 499.0 and isinstance(attrs["acquisition_value"], float)
    assert (attrs["fsg"], attrs["fsc"], attrs["niin"], attrs["demil_code"], attrs["demil_ic"]) == (
        "10", "1005", "000739421", "D", "1")
    assert attrs["record_type"] == "inventory" and attrs["unit"] == "Each"
    assert "specialized_firearm" in attrs["categories"]
    assert "justification" not in attrs and "requisition_id" not in attrs  # "not in file" is left out
    source = tie.sources.get()
    assert is_http_url(source.url) and "AllStatesAndTerritories_03312021.xlsx" in source.url
    assert "as of 31 March 2021" in source.title
    agency = tie.subject
    assert agency.jurisdiction_id.startswith("ocd-division/country:us/state:nh")
    assert agency.kind == "police_agency" and agency.sources.filter(pk=source.pk).exists()
    for fixed in ("us-dla", "us-dod-1033-program"):
        assert Entity.objects.get(pk=fixed).sources.exists()


def test_identical_rows_are_kept_as_two_ties(few: Path, db: Any) -> None:
    import_dataset("leso", few, actor="tests")
    _, rows = read_rows(LESO / "NH_leso.tsv")
    assert rows[0] == rows[1]  # the file lists the same rifle twice
    same = Tie.objects.filter(dataset="leso", subject__extra__leso_name=NH_FIRST_TWO[0],
                              attributes__item=NH_FIRST_TWO[1], start_date=NH_FIRST_TWO[2])
    identical = sum(1 for r in rows if (r["RequestingAgency"], r["ItemDescription"], r["RecordDate"][:10])
                    == NH_FIRST_TWO)
    ids = sorted(same.values_list("id", flat=True))
    assert len(ids) == identical >= 2
    assert ids[1] == f"{ids[0]}-1"


def test_shipments_and_cancellations(few: Path, db: Any) -> None:
    import_dataset("leso", few, actor="tests")
    cancelled = Tie.objects.filter(dataset="leso", status="cancelled")
    assert cancelled.exists() and all(t.attributes["record_type"] == "cancellation" for t in cancelled)
    shipped = Tie.objects.filter(dataset="leso", attributes__record_type="shipment")
    assert shipped.exists() and all(t.status == "confirmed" and t.attributes.get("requisition_id")
                                    for t in shipped)
    assert all(t.attributes["nsn"].count("-") == 3 for t in shipped)


def test_a_reimport_changes_nothing(few: Path, db: Any) -> None:
    first = import_dataset("leso", few, actor="tests")
    counts = (Tie.objects.count(), Entity.objects.count(), Source.objects.count(), ChangeRecord.objects.count())
    again = import_dataset("leso", few, actor="tests")
    assert again.ties.as_dict() == {"created": 0, "updated": 0, "unchanged": first.rows}
    assert again.created == 0 and again.linked == first.proposed
    assert (Tie.objects.count(), Entity.objects.count(), Source.objects.count(),
            ChangeRecord.objects.count()) == counts


def test_a_later_release_updates_and_adds_never_duplicates(few: Path, db: Any, tmp_path: Path) -> None:
    import_dataset("leso", few, actor="tests")
    before = Tie.objects.filter(dataset="leso").count()
    later = copy_states(tmp_path / "later", ("NH",))
    header, rows = read_rows(later / "NH_leso.tsv")
    held = [r for r in rows if r["File"].startswith("AllStates")]
    for row in held:
        row["File"] = "AllStatesAndTerritories_06302021.xlsx"
    held[5]["Quantity"] = str(int(held[5]["Quantity"]) + 3)  # partly returned, say
    new = dict(held[6], ItemDescription="NIGHT VISION GOGGLES", NSN="5855-01-534-5931", RecordDate="2021-05-04")
    write_rows(later / "NH_leso.tsv", header, [*held, new])
    report = import_dataset("leso", later, actor="tests")
    assert report.ties.created == 1
    assert report.ties.updated == len(held)  # each now cites the later release
    assert Tie.objects.filter(dataset="leso").count() == before + 1
    assert Tie.objects.filter(dataset="leso", attributes__release="AllStatesAndTerritories_06302021.xlsx") \
        .count() == len(held) + 1


def test_both_releases_in_one_folder_keep_the_later(few: Path, db: Any) -> None:
    header, rows = read_rows(few / "VI_leso.tsv")
    later = [dict(r, File="AllStatesAndTerritories_06302021.xlsx") for r in rows if r["File"].startswith("All")]
    write_rows(few / "VI_later_leso.tsv", header, later)
    report = import_dataset("leso", few, actor="tests")
    assert report.superseded == len(later) > 0
    assert report.ties.created == report.rows - len(later)
    vi = Tie.objects.filter(dataset="leso", subject__extra__state="VI", attributes__record_type="inventory")
    assert {t.attributes["release"] for t in vi} == {"AllStatesAndTerritories_06302021.xlsx"}


def test_durham_nh_never_lands_on_durham_nc(seeded: Any, few: Path) -> None:
    nc = Entity.objects.get(pk="us-nc-durham-police-department")
    report = import_dataset("leso", few, actor="tests")
    durham = Tie.objects.filter(dataset="leso", subject__extra__leso_name="DURHAM POLICE DEPT")
    assert durham.count() == 4
    subjects = {t.subject for t in durham}
    assert len(subjects) == 1
    agency = subjects.pop()
    assert agency.pk != nc.pk and agency.jurisdiction_id.startswith("ocd-division/country:us/state:nh")
    assert not Tie.objects.filter(dataset="leso", subject=nc).exists()
    assert report.created >= 1


def test_a_durham_nc_row_lands_on_the_registry_s_durham_nc(seeded: Any, tmp_path: Path) -> None:
    folder = copy_states(tmp_path / "leso", ("NH",))
    header, rows = read_rows(folder / "NH_leso.tsv")
    nc_row = dict(rows[0], StateAbbreviation="NC", Sheet="North Carolina", RequestingAgency="DURHAM POLICE DEPT")
    write_rows(folder / "NH_leso.tsv", header, [*rows, nc_row])
    import_dataset("leso", folder, actor="tests")
    subjects = {(t.attributes["sheet"], t.subject_id) for t in
                Tie.objects.filter(dataset="leso", subject__name__iexact="durham police dept")
                | Tie.objects.filter(dataset="leso", subject_id="us-nc-durham-police-department")}
    assert ("North Carolina", "us-nc-durham-police-department") in subjects
    assert {s for sheet, s in subjects if sheet == "New Hampshire"} == {"us-nh-durham-police-department"}
    assert Entity.objects.get(pk="us-nc-durham-police-department").name == "Durham Police Department"


def test_the_command_prints_the_report_as_json(few: Path, db: Any, capsys: Any) -> None:
    assert main(["datasets", "import", "leso", "--path", str(few), "--json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == sum(f["rows"] for f in report["files"]) == Tie.objects.filter(dataset="leso").count()
    assert report["ties"]["created"] == report["rows"] and report["refused"] == []
    assert main(["datasets", "import", "leso", "--path", str(few), "--dry-run", "--quiet"]) == 0
    assert "0 created" in capsys.readouterr().out


def test_a_dry_run_writes_nothing(few: Path, db: Any) -> None:
    report = import_dataset("leso", few, actor="tests", dry_run=True)
    assert report.ties.created == report.rows > 0
    assert not Tie.objects.exists() and not Entity.objects.exists() and not Source.objects.exists()


def test_datasets_list(capsys: Any) -> None:
    assert main(["datasets", "list", "--json"]) == 0
    listed = {d["name"]: d for d in json.loads(capsys.readouterr().out)}
    assert listed["leso"]["expected_rows"]["total"] == 140_500
    assert is_http_url(listed["leso"]["source_url"])


def test_unknown_dataset(db: Any, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"no dataset 'lesso' \(did you mean 'leso'\?\)"):
        import_dataset("lesso", tmp_path)


def test_an_empty_folder_is_refused(db: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as error:
        import_dataset("leso", tmp_path)
    assert "no leso data files found" in str(error.value.problems[0])
