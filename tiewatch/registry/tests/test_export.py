"""`tiewatch export`: CSV and JSON round-trip through `tiewatch import`; FollowTheMoney output parses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model

from tiewatch.cli import main
from tiewatch.registry.importers import import_bundle
from tiewatch.registry.models import ChangeRecord, Entity, Jurisdiction, Source, Tie, TieCounterpart

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
BUNDLE = FIXTURES / "bundle.yaml"
DEMO_SEED = Path(__file__).parents[1] / "demo" / "seed.yaml"


def wipe() -> None:
    """Empty every registry table, as a fresh database."""
    for m in (TieCounterpart, Tie.sources.through, Tie, Entity.sources.through, ChangeRecord, Source):
        m.objects.all().delete()
    Entity.objects.update(parent=None)
    Entity.objects.all().delete()
    Jurisdiction.objects.update(parent=None)
    Jurisdiction.objects.all().delete()
    assert not any(m.objects.exists() for m in (Entity, Tie, Source, Jurisdiction, TieCounterpart, ChangeRecord))


def export(capsys: Any, *args: str) -> str:
    assert main(["export", *args]) == 0
    return capsys.readouterr().out


def read_files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("bundle", [BUNDLE, DEMO_SEED], ids=["fixture", "demo-seed"])
def test_json_export_round_trips(db: Any, tmp_path: Path, capsys: Any, bundle: Path) -> None:
    import_bundle([bundle])
    first = tmp_path / "first.json"
    assert main(["export", "--format", "json", "--include-drafts", "--out", str(first)]) == 0
    wipe()
    assert main(["import", str(first), "--quiet"]) == 0
    capsys.readouterr()
    second = tmp_path / "second.json"
    assert main(["export", "--format", "json", "--include-drafts", "--out", str(second)]) == 0
    assert second.read_text() == first.read_text()
    data = json.loads(first.read_text())
    assert {len(data[k]) for k in ("sources", "entities", "ties")} and data["ties"]


@pytest.mark.parametrize("bundle", [BUNDLE, DEMO_SEED], ids=["fixture", "demo-seed"])
def test_csv_export_round_trips(db: Any, tmp_path: Path, capsys: Any, bundle: Path) -> None:
    import_bundle([bundle])
    assert main(["export", "--format", "csv", "--include-drafts", "--out", str(tmp_path / "first")]) == 0
    assert "wrote sources.csv, entities.csv, ties.csv to" in capsys.readouterr().err
    first = read_files(tmp_path / "first")
    assert sorted(first) == ["entities.csv", "sources.csv", "ties.csv"]
    wipe()
    assert main(["import", str(tmp_path / "first"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""  # no unused-column notices: the export writes only known columns
    assert main(["export", "--format", "csv", "--include-drafts", "--out", str(tmp_path / "second")]) == 0
    assert read_files(tmp_path / "second") == first


def test_csv_and_json_exports_describe_the_same_registry(db: Any, tmp_path: Path, capsys: Any) -> None:
    """Importing the CSV export gives exactly what importing the JSON export gives."""
    import_bundle([BUNDLE])
    as_json = export(capsys, "--format", "json", "--include-drafts")
    main(["export", "--format", "csv", "--include-drafts", "--out", str(tmp_path / "csv")])
    wipe()
    import_bundle([tmp_path / "csv"])
    capsys.readouterr()
    assert export(capsys, "--format", "json", "--include-drafts") == as_json


def test_exports_keep_drafts_flags(db: Any, capsys: Any) -> None:
    import_bundle([BUNDLE])
    data = json.loads(export(capsys, "--format", "json", "--include-drafts"))
    entities = {e["id"]: e for e in data["entities"]}
    ties = {t["id"]: t for t in data["ties"]}
    assert entities["il-israel-defense-forces"]["published"] is False
    assert "published" not in entities["il-israel-police"]  # the default, left out
    delegation = ties["us-nc-durham-police-department--unknown--2015"]
    assert delegation == {
        "id": "us-nc-durham-police-department--unknown--2015", "subject": "us-nc-durham-police-department",
        "kind": "delegation", "date": "2015-06", "status": "reported",
        "attributes": {"counterpart_country": "IL"}, "uncertain": True, "published": False,
        "sources": ["src-bbe37d70d1b3"],
    }
    assert entities["program-example-exchange"] == {
        "id": "program-example-exchange", "name": "Example Exchange Program", "kind": "program", "country": "US",
        "parent": "us-example-league", "sponsor": "us-example-league", "years_active": "2002 to present",
    }


def test_public_export_leaves_drafts_out_and_still_imports(db: Any, tmp_path: Path, capsys: Any) -> None:
    import_bundle([BUNDLE])
    public = tmp_path / "public.json"
    assert main(["export", "--format", "json", "--out", str(public)]) == 0
    data = json.loads(public.read_text())
    assert "il-israel-defense-forces" not in {e["id"] for e in data["entities"]}
    ties = {t["id"]: t for t in data["ties"]}
    assert "us-nc-durham-police-department--unknown--2015" not in ties
    # The draft counterpart is not named by the published tie either.
    assert ties["us-nc-durham-police-department--program-example-exchange--2009-2011"]["counterparts"] == [
        "il-israel-police"]
    wipe()
    result = import_bundle([public])
    assert (result.counts["entities"].created, result.counts["ties"].created) == (4, 2)


def test_ftm_export_parses_with_followthemoney(db: Any, capsys: Any) -> None:
    import_bundle([BUNDLE])
    lines = export(capsys, "--format", "ftm", "--include-drafts").splitlines()
    assert capsys.readouterr().err == ""
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    by_id = {p.id: p for p in proxies}
    assert len(by_id) == len(proxies)
    schemata = {p.schema.name for p in proxies}
    assert {"PublicBody", "UnknownLink", "Organization"} <= schemata
    durham = by_id["tiewatch-us-nc-durham-police-department"]
    assert durham.schema.name == "PublicBody"
    assert durham.get("name") == ["Durham Police Department"]
    assert sorted(durham.get("alias")) == ["DPD", "Durham PD"] and durham.get("country") == ["us"]
    assert durham.get("sourceUrl") == ["https://news.example.org/durham-exchange"]
    links = [p for p in proxies if p.schema.name == "UnknownLink"]
    # One link per counterpart: 1 (exchange) + 2 (training); the delegation has no known counterpart.
    assert len(links) == 3
    for link in links:
        assert link.get("subject")[0] in by_id and link.get("object")[0] in by_id
    exchange = by_id["tiewatch-us-nc-durham-police-department--il-israel-police--2018--il-israel-police"]
    assert exchange.get("role") == ["exchange"] and exchange.get("startDate") == ["2018-12-02"]
    assert exchange.get("endDate") == ["2018-12-11"]
    assert exchange.get("recordId") == ["us-nc-durham-police-department--il-israel-police--2018"]
    program = by_id["tiewatch-program-example-exchange"]
    assert program.schema.name == "Organization" and program.get("parent") == ["tiewatch-us-example-league"]


def test_public_ftm_export_names_only_published_entities(db: Any, capsys: Any) -> None:
    import_bundle([BUNDLE])
    lines = export(capsys, "--format", "ftm").splitlines()
    assert capsys.readouterr().err == ""
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    ids = {p.id for p in proxies}
    assert "tiewatch-il-israel-defense-forces" not in ids
    links = [p for p in proxies if p.schema.name == "UnknownLink"]
    assert len(links) == 2 and all(link.get("object")[0] in ids for link in links)


def test_ftm_export_of_the_demo_seed(db: Any, tmp_path: Path, capsys: Any) -> None:
    import_bundle([DEMO_SEED])
    out = tmp_path / "seed.ftm.jsonl"
    assert main(["export", "--format", "ftm", "--out", str(out)]) == 0
    count = int(capsys.readouterr().err.split()[0])
    proxies = [model.get_proxy(json.loads(line)) for line in out.read_text().splitlines()]
    assert len(proxies) == count > 100
    assert {"PublicBody", "UnknownLink"} <= {p.schema.name for p in proxies}


def test_csv_table_to_standard_output(db: Any, capsys: Any) -> None:
    import_bundle([BUNDLE])
    lines = export(capsys, "--format", "csv", "--table", "ties").splitlines()
    assert lines[0] == ("id,subject,counterparts,program,kind,date,dates,years,status,note,uncertain,published,"
                        "sources,attr.participants")
    assert lines[1] == ("us-nc-durham-police-department--il-israel-police--2018,us-nc-durham-police-department,"
                        "il-israel-police,,exchange,,2018-12-02/2018-12-11,,reported,,,,src-herald-2018,3")
    assert len(lines) == 3  # the unpublished delegation is left out
    entities = export(capsys, "--format", "csv", "--table", "entities").splitlines()
    assert entities[0].startswith("id,name,kind,country,jurisdiction,aliases,")
    assert [line.split(",")[0] for line in entities[1:]] == [
        "il-israel-police", "program-example-exchange", "us-example-league", "us-nc-durham-police-department"]
    assert entities[4] == ("us-nc-durham-police-department,Durham Police Department,police_agency,US,"
                           "ocd-division/country:us/state:nc/place:durham,DPD;Durham PD,,,,,src-herald-2018,,,,")


def test_export_usage_errors_exit_2(db: Any, capsys: Any) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", "--format", "xml"])
    assert caught.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err
