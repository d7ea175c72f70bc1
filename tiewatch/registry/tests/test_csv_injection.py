"""Registry CSV (the pages' ?format=csv and `tiewatch export --format csv`): no cell from data starts a
spreadsheet formula, and the escaped export still imports back to the same registry."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.registry.importers import import_bundle
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie, TieCounterpart

pytestmark = pytest.mark.django_db

HOSTILE = """\
sources:
- id: src-evil
  url: https://news.example.org/evil
  title: "=HYPERLINK(\\"https://evil.example/\\",\\"click\\")"
  publisher: "@SUM(1+1)"
entities:
- id: us-evil-agency
  name: "=cmd|' /C calc'!A0"
  kind: police_agency
  country: US
  aliases: ["-2+3", "'quoted"]
  note: "+1 evil"
  sources: [src-evil]
- id: il-plain-force
  name: Plain Force
  kind: foreign_police
  country: IL
ties:
- id: us-evil-agency--il-plain-force--2020
  subject: us-evil-agency
  counterparts: [il-plain-force]
  kind: training
  date: "2020"
  note: "@import evil"
  attributes:
    cost: "=1+1"
    participants: -3
  sources: [src-evil]
"""


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula(text: str) -> None:
    for cell in cells(text):
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r") or cell == "-3", cell


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    import_bundle([path])
    return path


def test_export_csv_escapes_formulas_and_round_trips(hostile: Path, tmp_path: Path, capsys: Any) -> None:
    assert main(["export", "--format", "json", "--include-drafts"]) == 0
    as_json = capsys.readouterr().out
    assert main(["export", "--format", "csv", "--include-drafts", "--out", str(tmp_path / "csv")]) == 0
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "csv").iterdir()}
    for text in written.values():
        assert_no_formula(text)
    assert "'=cmd|' /C calc'!A0" in cells(written["entities.csv"])
    assert "'-2+3;'quoted" in cells(written["entities.csv"])  # the escape is per cell, not per list item
    assert "'@import evil" in cells(written["ties.csv"]) and "'=1+1" in cells(written["ties.csv"])
    for model in (TieCounterpart, Tie.sources.through, Tie, Entity.sources.through, ChangeRecord, Source):
        model.objects.all().delete()
    Entity.objects.all().delete()
    assert main(["import", str(tmp_path / "csv"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["export", "--format", "json", "--include-drafts"]) == 0
    assert capsys.readouterr().out == as_json
    assert Entity.objects.get(pk="us-evil-agency").name == "=cmd|' /C calc'!A0"
    assert json.loads(as_json)["entities"][1]["aliases"] == ["-2+3", "'quoted"]


def test_csv_table_on_standard_output_escapes_formulas(hostile: Path, capsys: Any) -> None:
    for table in ("sources", "entities", "ties"):
        assert main(["export", "--format", "csv", "--table", table]) == 0
        assert_no_formula(capsys.readouterr().out)


@pytest.mark.parametrize("url", ["/ties/?format=csv", "/entities/?format=csv", "/sources/?format=csv",
                                 "/search/?q=calc&format=csv", "/ties/?entity=us-evil-agency&format=csv"])
def test_page_csv_downloads_escape_formulas(hostile: Path, client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert_no_formula(text)
    assert any(cell.startswith("'") for cell in cells(text)), text
