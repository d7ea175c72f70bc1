"""The FollowTheMoney export is written without the followthemoney library (tiewatch.registry.ftm);
the library, installed with the test extra, checks that it reads every entity back unchanged."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from followthemoney.types import registry
from hypothesis import given, settings
from hypothesis import strategies as st

from tiewatch.cli import main
from tiewatch.registry import ftm
from tiewatch.registry.importers import import_bundle

ROOT = Path(__file__).parents[2]
DEMO_SEED = ROOT / "registry" / "demo" / "seed.yaml"
BUNDLE = Path(__file__).parent / "fixtures" / "bundle.yaml"

ODD = """\
sources:
- id: src-odd
  url: https://odd.example.org
  title: Odd
entities:
- id: us-odd_agency
  name: "  \\"Quoted   Agency\\"\\u200b "
  kind: police_agency
  country: US
  aliases: ["Odd\\u00a0PD", "Odd PD", " Odd  PD "]
  note: "Line one.\\n\\nLine two.\\u2028"
  sources: [src-odd]
- id: us-odd_parent
  name: Odd Parent
  kind: organization
  country: US
- id: us-odd-child
  name: Odd Child
  kind: company
  country: US
  parent: us-odd_parent
- id: il-odd-force
  name: Odd Force
  kind: foreign_police
  country: IL
ties:
- id: us-odd_agency--il-odd-force--2019
  subject: us-odd_agency
  counterparts: [il-odd-force]
  kind: exchange
  date: 2019-05
  note: " A \\t tab. "
  sources: [src-odd]
"""


def ftm_lines(capsys: Any) -> list[dict[str, Any]]:
    assert main(["export", "--format", "ftm", "--include-drafts"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def assert_followthemoney_reads_it_unchanged(items: list[dict[str, Any]]) -> None:
    for item in items:
        # cleaned=False: the library cleans every value again (and refuses unknown properties).
        proxy = model.get_proxy(item, cleaned=False)
        assert proxy.to_dict() == item
        assert proxy.schema.name in ftm.SCHEMATA and not proxy.schema.abstract


@pytest.mark.django_db
@pytest.mark.parametrize("bundle", [BUNDLE, DEMO_SEED], ids=["fixture", "demo-seed"])
def test_followthemoney_reads_the_export_unchanged(bundle: Path, capsys: Any) -> None:
    import_bundle([bundle])
    items = ftm_lines(capsys)
    assert len(items) > 5
    assert_followthemoney_reads_it_unchanged(items)


@pytest.mark.django_db
def test_odd_values_and_ids_are_written_as_followthemoney_would(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(ODD, encoding="utf-8")
    import_bundle([path])
    items = ftm_lines(capsys)
    assert_followthemoney_reads_it_unchanged(items)
    by_name = {item["properties"]["name"][0]: item for item in items if "name" in item["properties"]}
    agency = by_name["Quoted Agency"]
    assert agency["properties"]["alias"] == ["Odd PD"]  # names squash every space, the no-break one too
    assert agency["properties"]["notes"] == ["Line one.\n\nLine two."]
    assert agency["properties"]["sourceUrl"] == ["https://odd.example.org/"]
    # Registry ids may hold '_', FtM ids may not: such an id is hashed, the same way wherever it is named.
    assert registry.entity.validate(agency["id"]) and agency["id"] == ftm.entity_id("tiewatch-us-odd_agency")
    [link] = [item for item in items if item["schema"] == "UnknownLink"]
    assert link["properties"]["subject"] == [agency["id"]]
    assert link["properties"]["object"] == ["tiewatch-il-odd-force"]
    assert link["properties"]["summary"] == ["A \t tab."] and link["properties"]["startDate"] == ["2019-05"]
    child = by_name["Odd Child"]
    assert child["schema"] == "Company"
    assert child["properties"]["parent"] == [by_name["Odd Parent"]["id"]]


TEXT = st.lists(st.sampled_from([*" \t\n\r\"'ab-.=", "\u200b", "\u2028", "\u00a0", "\u202f", "\x00", "\x85", "e\u0301",
                                 "\ufeff"]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(["name", "string", "text"]))
def test_text_is_cleaned_as_followthemoney_cleans_it(value: str, kind: str) -> None:
    proxy = ftm.model.make_entity("PublicBody")
    prop = {"name": "name", "string": "classification", "text": "notes"}[kind]
    proxy.add(prop, value)
    assert proxy.get(prop) == [v for v in [registry.get(kind).clean(value)] if v is not None]


@settings(deadline=None)
@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2999, 12, 31)), st.sampled_from([4, 7, 10]))
def test_dates_are_cleaned_as_followthemoney_cleans_them(day: dt.date, length: int) -> None:
    text = day.isoformat()[:length]
    values = [text, text + "-00", "2019-13", "999"]
    proxy = ftm.model.make_entity("UnknownLink")
    proxy.add("startDate", values)
    assert proxy.get("startDate") == [v for v in dict.fromkeys(registry.date.clean(v) for v in values) if v]


def test_unknown_schema_or_property_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown FollowTheMoney schema 'Person'"):
        ftm.model.make_entity("Person")
    with pytest.raises(ValueError, match="unknown property 'colour' of FollowTheMoney schema PublicBody"):
        ftm.model.make_entity("PublicBody").add("colour", "blue")


def test_the_application_never_imports_followthemoney() -> None:
    """The runtime install leaves followthemoney (and the PyICU it compiles) out: docs/install.md."""
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT.parent)}: {n}" for n in names
                          if n.split(".")[0] in ("followthemoney", "normality", "rigour", "icu")]
    assert offenders == []


def test_country_codes_are_followthemoney_s_vocabulary() -> None:
    """tiewatch.core.countries keeps FtM's country list without the library; the two must agree."""
    from tiewatch.core.countries import COUNTRY_CODES

    assert frozenset(registry.country.names) == COUNTRY_CODES
