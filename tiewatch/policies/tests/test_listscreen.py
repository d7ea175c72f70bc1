"""`tiewatch screen-list`: every row's best matches, their ties and policy findings, as CSV, JSON and
HTML; the invented Exampleville demo against the example law pack modelled on New Orleans 2018; bad
lists refused whole, naming line and column."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.policies import services
from tiewatch.registry.importers import import_bundle

DEMO = Path(__file__).resolve().parent.parent / "listscreen" / "demo"
VENDORS = DEMO / "vendors-invented.csv"


@pytest.fixture
def exampleville(db: Any) -> None:
    """The invented demo registry, screened against the law packs (findings stored)."""
    import_bundle([DEMO / "registry-invented.yaml"], actor="tests")
    services.run_screening()


def screen(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main(["screen-list", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, text: str | bytes, name: str = "list.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


@pytest.mark.django_db
def test_demo_vendor_list_json(exampleville: None, capsys: Any) -> None:
    code, out, _ = screen(capsys, str(VENDORS), "--format", "json")
    assert code == 0
    report = json.loads(out)
    by_id = {r["id"]: r for r in report["results"]}
    assert report["rows"] == 5 and report["list"] == "vendors-invented.csv"
    assert report["screening_run"] is not None

    northgate = by_id["V-001"]["candidates"][0]
    assert northgate["id"] == "invented-northgate-surveillance-systems" and northgate["band"] != "weak"
    assert northgate["features"] and northgate["ties_total"] == 1
    finding = northgate["findings"][0]
    assert finding["policy"] == "example-contracts-and-investments-review" and finding["rule"] == "review-contracts"
    assert finding["clause"].startswith("report on any corporation whose practices")
    assert finding["effect"] == "report" and finding["tie"] == "xx-exampleville-police-department--northgate--2022"
    assert finding["sources"] and finding["tie_sources"] == ["https://example.org/invented/exampleville-contracts-2022"]

    harbor = by_id["V-002"]["candidates"][0]
    assert harbor["id"] == "invented-harbor-ridge-munitions"
    assert [f["rule"] for f in harbor["findings"]] == ["review-investments"]
    bluefield = by_id["V-003"]["candidates"][0]
    assert bluefield["id"] == "invented-bluefield-office-supply" and bluefield["findings"] == []
    assert bluefield["ties"][0]["kind"] == "procurement"
    assert by_id["V-004"]["status"] in ("none", "weak")
    assert all(not c["findings"] and not c["ties"] for c in by_id["V-004"]["candidates"])
    assert by_id["V-005"]["status"] == "match"
    assert report["with_findings"] == 3  # Northgate, Harbor Ridge, and the police department's own contract


@pytest.mark.django_db
def test_demo_vendor_list_csv_and_html(exampleville: None, capsys: Any, tmp_path: Path) -> None:
    code, out, _ = screen(capsys, str(VENDORS))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    first = next(r for r in rows if r["id"] == "V-001")
    assert first["entity_id"] == "invented-northgate-surveillance-systems" and first["rank"] == "1"
    assert "name +" in first["why"] and first["findings"] == "1"
    assert "example-contracts-and-investments-review/review-contracts (report)" in first["finding_rules"]
    assert next(r["status"] for r in rows if r["id"] == "V-004") in ("none", "weak")

    target = tmp_path / "report.html"
    code, _, err = screen(capsys, str(VENDORS), "--format", "html", "--out", str(target))
    assert code == 0 and "5 rows screened" in err
    html = target.read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html and "<link" not in html
    assert "Northgate Surveillance Systems Ltd" in html and "review-contracts" in html
    assert "https://example.org/invented/exampleville-contracts-2022" in html


@pytest.mark.django_db
def test_values_from_the_list_are_escaped(exampleville: None, capsys: Any, tmp_path: Path) -> None:
    path = write(tmp_path, 'name,note\n"<b>Northgate</b> Surveillance",<script>x</script>\n')
    code, out, _ = screen(capsys, path, "--format", "html")
    assert code == 0 and "<script>x" not in out and "&lt;script&gt;x" in out and "<b>Northgate" not in out


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "expected"), [
    ("vendor,state\nAcme,NC\n", "list.csv:1: name: no 'name' column"),
    ("name,stat\nAcme,NC\n", "list.csv:1: stat: unknown column (did you mean 'state'?)"),
    ("name,state\nAcme,NC\nBeta,ZZ\n", "list.csv:3: state: not a US postal code: 'ZZ'"),
    ("name,kind\nAcme,sherif\n", "list.csv:2: kind: unknown entity kind 'sherif' (did you mean 'sheriff'?)"),
    ("name,note\nAcme,ok\n=HYPERLINK(\"http://x\"),ok\n", "list.csv:3: name: starts with '='"),
    ("name,note\nAcme,+1 555 call\n", "list.csv:2: note: starts with '+'"),
    ("name,note\n@SUM(A1),x\n", "list.csv:2: name: starts with '@'"),
    ("name,note\n-2+3,x\n", "list.csv:2: name: starts with '-'"),
    ("name,note\n,blank name\n", "list.csv:2: name: required"),
    ("name\nAcme,extra\n", "list.csv:2: (extra): 1 value(s) beyond"),
    ("name\n", "list.csv:2: the list has a header but no rows"),
    ("", "list.csv:1: empty CSV file"),
])
def test_bad_lists_name_line_and_column(exampleville: None, capsys: Any, tmp_path: Path, text: str,
                                        expected: str) -> None:
    code, out, err = screen(capsys, write(tmp_path, text))
    assert code == 1 and out == ""
    assert any(line.endswith(expected) or expected in line for line in err.splitlines()), err


@pytest.mark.django_db
def test_plain_numbers_are_not_formulas(exampleville: None, capsys: Any, tmp_path: Path) -> None:
    code, _, err = screen(capsys, write(tmp_path, "name,id\nNorthgate Surveillance,-5\n"))
    assert code == 0, err


@pytest.mark.django_db
def test_non_utf8_names_the_line(exampleville: None, capsys: Any, tmp_path: Path) -> None:
    code, _, err = screen(capsys, write(tmp_path, b"name\nAcme\nCaf\xe9 Supply\n"))
    assert code == 1 and "list.csv:3: not UTF-8 text" in err


@pytest.mark.django_db
def test_a_100_mb_file_is_refused_by_its_size(exampleville: None, capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: the size is real, the disk is not used
        handle.write(b"name\n")
        handle.truncate(100 * 1024 * 1024)
    code, _, err = screen(capsys, str(path))
    assert code == 1 and "huge.csv: file is 104,857,600 bytes, over the limit of 5,000,000" in err
    assert "TIEWATCH_SCREEN_LIST_MAX_BYTES" in err


@pytest.mark.django_db
def test_row_cap_setting(exampleville: None, capsys: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("TIEWATCH_SCREEN_LIST_MAX_ROWS", "2")
    code, _, err = screen(capsys, write(tmp_path, "name\nA\nB\nC\n"))
    assert code == 1 and "list.csv:4: more than 2 rows" in err


@pytest.mark.django_db
def test_name_column_and_aliases(exampleville: None, capsys: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "vendor,aliases\nNorthgt,Northgate Surveillance Systems Ltd|NSS\n")
    code, out, err = screen(capsys, path, "--name-column", "vendor", "--format", "json")
    assert code == 0, err
    result = json.loads(out)["results"][0]
    assert result["query"]["aliases"] == ["Northgate Surveillance Systems Ltd", "NSS"]
    assert result["candidates"][0]["id"] == "invented-northgate-surveillance-systems"
