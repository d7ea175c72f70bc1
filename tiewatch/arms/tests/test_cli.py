"""`tiewatch arms ...` end to end through tiewatch.cli.main (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tiewatch.cli import main

from .conftest import FIXTURES

TABLES = str(FIXTURES / "tables")


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["arms", *argv, "--cache", str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    return code, out, err


def test_top_json_shape(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, tmp_path, "top", "--role", "exporter", "--period", "2013-2017", "--limit", "2",
                       "--data", TABLES, "--json")
    data = json.loads(out)
    assert code == 0 and set(data) >= {"period", "role", "release", "rows"}
    assert data["rows"][0] == {"rank": 1, "country": "Russia", "tiv": 2500.0, "share": data["rows"][0]["share"]}
    assert 0 < data["rows"][0]["share"] < 1  # fractions in JSON


def test_top_text_uses_percent(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, tmp_path, "top", "--role", "importer", "--period", "2013-2017", "--data", TABLES)
    assert code == 0 and "%" in out and "release 2022-03" in out


def test_change_with_partner_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _code, out, _ = run(capsys, tmp_path, "change", "--country", "Israel", "--partner", "India", "--role", "exporter",
                       "--from", "2008-2012", "--to", "2013-2017", "--data", TABLES, "--json")
    data = json.loads(out)
    assert set(data) >= {"country", "partner", "role", "from", "to", "tiv_from", "tiv_to", "change_pct", "release"}
    assert data["change_pct"] == 275.0


def test_partners_and_rank_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out, _ = run(capsys, tmp_path, "partners", "--country", "India", "--role", "importer", "--period", "2013-2017",
                    "--data", TABLES, "--json")
    data = json.loads(out)
    assert set(data) >= {"country", "role", "period", "release", "rows"}
    assert set(data["rows"][0]) >= {"rank", "partner", "tiv", "share"}
    _, out, _ = run(capsys, tmp_path, "rank", "--supplier", "Israel", "--recipient", "India", "--period",
                    "2013-2017", "--data", TABLES, "--json")
    data = json.loads(out)
    assert set(data) >= {"supplier", "recipient", "period", "rank", "tiv", "share", "of", "release"}
    assert (data["rank"], data["of"]) == (2, 3)


def test_unknown_country_exits_non_zero_with_did_you_mean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path, "partners", "--country", "Isreal", "--role", "exporter", "--period",
                       "2013-2017", "--data", TABLES)
    assert code == 1 and "did you mean 'Israel'" in err


def test_bad_file_reports_file_line_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("supplier,recipient,year,tiv\nIsrael,India,2019,lots\n")
    code, _, err = run(capsys, tmp_path, "load", str(bad))
    assert code == 1 and f"{bad}:2: tiv: not a number: 'lots'" in err


def test_data_from_env(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEWATCH_ARMS_DATA", TABLES)
    code, out, _ = run(capsys, tmp_path, "releases", "--json")
    assert code == 0 and json.loads(out)["default"] == "2022-03 tables"


def test_no_data_configured(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIEWATCH_ARMS_DATA", raising=False)
    code, _, err = run(capsys, tmp_path, "releases")
    assert code == 1 and "TIEWATCH_ARMS_DATA" in err


def test_load_shows_datasets(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, tmp_path, "load", str(FIXTURES))
    assert code == 0 and "2024-03 register" in out and "1 split record(s) re-joined" in out


def test_series_and_categories(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, tmp_path, "series", "--country", "Israel", "--role", "exporter", "--period",
                       "2013-2014", "--data", TABLES, "--json")
    assert code == 0 and len(json.loads(out)["points"]) == 2
    code, out, _ = run(capsys, tmp_path, "categories", "--country", "Israel", "--role", "exporter", "--period",
                       "2013-2017", "--data", str(FIXTURES / "register"))
    assert code == 0 and "SAM system" in out


def test_factsheet_writes_html_and_markdown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "isr.html"
    code, _, _ = run(capsys, tmp_path, "factsheet", "--country", "Israel", "--period", "2013-2017", "--compare",
                     "2008-2012", "--out", str(out_file), "--data", TABLES)
    html = out_file.read_text()
    assert code == 0 and html.count("<svg") == 3 and "<script" not in html and "http" not in html.split("<body>")[0]
    assert "tiewatch arms change --country Israel --role exporter --from 2008-2012 --to 2013-2017" in html
    assert "SIPRI release 2022-03" in html
    md = out_file.with_suffix(".md").read_text()
    assert md.startswith("# Arms transfers: Israel, 2013-2017") and "| 1 | India |" in md


def test_check_claims(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text("""
claims:
  - {id: holds, metric: partner_share, country: Israel, role: exporter, partner: India, period: 2013-2017,
     stated: "75%", tolerance: 1}
  - {id: differs, metric: change, country: Israel, role: exporter, from: 2008-2012, to: 2013-2017, stated: 100}
  - {id: cannot, metric: rank, country: Narnia, role: exporter, period: 2013-2017, stated: 1}
""")
    code, out, _ = run(capsys, tmp_path, "check", str(claims), "--data", TABLES, "--json")
    data = json.loads(out)
    assert code == 0 and data["counts"] == {"holds": 1, "differs": 1, "cannot_check": 1}
    differs = data["results"][1]
    assert differs["status"] == "differs" and differs["difference"] == pytest.approx(differs["computed"] - 100)
    assert "unknown country 'Narnia'" in data["results"][2]["reason"]
    code, out, _ = run(capsys, tmp_path, "check", str(claims), "--data", TABLES, "--strict")
    assert code == 1 and "DIFFERS" in out and "CANNOT" in out
