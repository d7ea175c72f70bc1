"""`tiewatch screen --as-of` on a registry holding REAL LESO rows (Montana's and Connecticut's files and
California's camouflage and MRAP rows), written as the LESO importer writes them: ties dated by the
record date with no end, the DLA as counterpart, `categories` as a list attribute."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.tests.leso_records import leso_records
from tiewatch.registry.jurisdictions import ensure_jurisdictions
from tiewatch.registry.models import Entity, Tie, TieCounterpart

MONTANA = "us-mt-2015-hb-330-military-equipment-surplus-limits"
EO_13688 = "us-2015-eo-13688-law-enforcement-equipment"
CALIFORNIA = "us-ca-2021-ab-481-military-equipment"


def store(entities: list[EntityRecord], ties: list[TieRecord]) -> None:
    ensure_jurisdictions({e.jurisdiction for e in entities if e.jurisdiction})
    Entity.objects.bulk_create([Entity(id=e.id, name=e.name, kind=e.kind, country=e.country,
                                       jurisdiction_id=e.jurisdiction or None) for e in entities])
    Tie.objects.bulk_create([Tie(id=t.id, subject_id=t.subject, kind=t.kind, start_date=t.start, end_date=t.end,
                                 status=t.status, attributes=t.attributes, dataset="leso") for t in ties])
    TieCounterpart.objects.bulk_create([TieCounterpart(tie_id=t.id, entity_id=cp, position=n)
                                        for t in ties for n, cp in enumerate(t.counterparts)])


@pytest.fixture
def leso_registry(db: Any) -> tuple[list[EntityRecord], list[TieRecord]]:
    entities, ties = leso_records(["MT", "CT"])
    ca_entities, ca_ties = leso_records(["CA"])
    keep = [t for t in ca_ties if {"camouflage_uniform", "mrap"} & set(t.attributes["categories"])]
    subjects = {t.subject for t in keep}
    entities += [e for e in ca_entities if e.id in subjects]
    store(entities, ties + keep)
    return entities, ties + keep


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["screen", *args, "--json", "--subjects", "0"]) == 0
    return json.loads(capsys.readouterr().out)


def rules(day: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    return {(r["policy"], r["rule"]): {s["id"] for s in r["subjects"]} for r in day["rules"]}


def test_screen_as_of_dates_on_real_rows(leso_registry: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    entities, ties = leso_registry
    out = run(capsys, "--as-of", "2014-06-30", "--as-of", "2021-03-31", "--as-of", "2022-12-31")
    before, in_2021, in_2022 = out["as_of"]
    assert before["date"] == "2014-06-30" and before["rules"] == []
    notice = rules(in_2021)[(MONTANA, "public-notification")]
    expected = {t.subject for t in ties if t.subject.startswith("us-mt-") and t.status != "cancelled"
                and t.start >= dt.date(2015, 10, 1) and t.attributes["categories"]}
    assert notice == expected and notice
    assert {p for p, _ in rules(in_2021)} == {MONTANA}
    mraps = {t.subject for t in ties if "mrap" in t.attributes["categories"] and t.subject.startswith("us-ca-")
             and t.status != "cancelled"}
    assert mraps and mraps <= rules(in_2022)[(CALIFORNIA, "approval-to-continue-use")]
    names = {s["id"]: s["name"] for r in in_2022["rules"] for s in r["subjects"]}
    assert all(names[sid] == next(e.name for e in entities if e.id == sid) for sid in mraps)


def test_screen_as_of_under_the_2015_lists(leso_registry: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "--as-of", "2021-03-31", "--rules-of", "2016-06-30")
    (day,) = out["as_of"]
    assert day["rules_of"] == "2016-06-30"
    held = rules(day)[(EO_13688, "prohibited-list-held")]
    assert "us-ca-san-luis-obispo-police-dept" in held
    assert main(["screen", "--as-of", "2021-03-31", "--rules-of", "2016-06-30", "--subjects", "3"]) == 0
    text = capsys.readouterr().out
    assert "as of 2021-03-31 under the rules in force on 2016-06-30" in text
    assert f"{EO_13688}/prohibited-list-held (report)" in text and "SAN LUIS OBISPO POLICE DEPT" in text


def test_summary_of_a_stored_screen(leso_registry: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "--summary", "--subjects", "2"]) == 0
    text = capsys.readouterr().out
    assert f"{MONTANA}/public-notification (require_approval)" in text
    assert f"{EO_13688}/prohibited-list-held (report)" in text and "verdicts:" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "2021-13-01"], "as_of: '2021-13-01' is not a date (YYYY-MM-DD)"),
    (["--as-of", "2021-03-31", "--rules-of", "2016"], "rules_of: '2016' is not a date (YYYY-MM-DD)"),
    (["--rules-of", "2016-06-30"], "rules_of: --rules-of needs --as-of"),
])
def test_bad_dates_are_refused_by_field(db: Any, capsys: pytest.CaptureFixture[str], args: list[str],
                                        message: str) -> None:
    assert main(["screen", *args]) == 1
    assert message in capsys.readouterr().err


def test_screen_after_the_real_leso_import(db: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Through the LESO importer itself (tiewatch/datasets): Montana's and Connecticut's files."""
    from tiewatch.datasets.importer import import_dataset
    from tiewatch.datasets.tests.helpers import copy_states

    import_dataset("leso", copy_states(tmp_path / "leso", ("MT", "CT")), actor="tests")
    entities, all_ties = leso_records(["MT", "CT"])
    assert Tie.objects.filter(dataset="leso").count() == len(all_ties) == 2389
    out = run(capsys, "--as-of", "2016-06-30", "--as-of", "2021-03-31")
    in_2016, in_2021 = ({(r["policy"], r["rule"]): {s["name"] for s in r["subjects"]} for r in day["rules"]}
                        for day in out["as_of"])
    names = {e.id: e.name for e in entities}
    ties = [t for t in all_ties if t.subject.startswith("us-mt-")]
    since_2015 = {names[t.subject] for t in ties if t.status != "cancelled" and t.attributes["categories"]
                  and t.start >= dt.date(2015, 10, 1)}  # type: ignore[operator]
    assert in_2021[(MONTANA, "public-notification")] == since_2015
    assert {p for p, _ in in_2021} == {MONTANA}
    controlled = {"manned_aircraft", "drone", "wheeled_armored_vehicle", "command_vehicle", "specialized_firearm",
                  "explosives", "breaching_apparatus", "riot_gear"}
    expected = {names[t.subject] for t in all_ties if t.status != "cancelled"
                and controlled & set(t.attributes["categories"])
                and dt.date(2015, 10, 1) <= t.start <= dt.date(2016, 6, 30)}  # type: ignore[operator]
    assert in_2016[(EO_13688, "controlled-list-approval")] == expected
