"""Coverage: found, nothing found and not yet researched, per question and per state; pages, API, exports."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from tiewatch.core.errors import ValidationFailed
from tiewatch.desk.coverage import state_of, summary
from tiewatch.desk.models import Coverage
from tiewatch.desk.questions import parse_questions, question
from tiewatch.desk.tests.conftest import BOSTON, DURHAM, RALEIGH, today
from tiewatch.registry.models import Entity, Tie

pytestmark = pytest.mark.django_db


def record(agency: str, state: str, **extra: Any) -> Coverage:
    values = {"researched_on": today(), "method": "Searched the city's travel records", "credit": "Ada"}
    values.update(extra)
    return Coverage.objects.create(agency_id=agency, question="israel-ties", state=state, **values)


def test_questions_file_errors_name_file_line_and_field() -> None:
    text = "questions:\n  - slug: ok\n    title: Fine\n    description: d\n  - slug: Bad Slug\n    title: ''\n"
    with pytest.raises(ValidationFailed) as caught:
        parse_questions(text, "q.yaml")
    lines = caught.value.lines()
    assert "q.yaml:5: questions[1].slug: lower-case letters, digits and dashes only" in lines
    assert "q.yaml:6: questions[1].title: required text" in lines
    assert any(line.startswith("q.yaml:5: questions[1].description") for line in lines)


def test_state_of_reads_the_ocd_division() -> None:
    assert state_of("ocd-division/country:us/state:nc/place:durham") == "NC"
    assert state_of("ocd-division/country:us/state:ma") == "MA"
    assert state_of("ocd-division/country:us/district:dc") == "—"
    assert state_of(None) == "—"


def test_counts_per_state_leave_out_unpublished_agencies(seeded: Any) -> None:
    record(DURHAM, "found")
    record(RALEIGH, "nothing_found")
    record(BOSTON, "nothing_found")
    asked = question("israel-ties")
    assert asked is not None
    before = summary(asked)
    nc = next(r for r in before.states if r.state == "NC")
    assert nc.counts["found"] == 1 and nc.counts["nothing_found"] == 1
    assert before.totals["found"] == 1 and before.totals["nothing_found"] == 2
    agencies = before.agencies
    Entity.objects.filter(pk=BOSTON).update(published=False)
    after = summary(asked)
    assert after.totals["nothing_found"] == 1 and after.agencies == agencies - 1
    assert after.totals["not_researched"] == before.totals["not_researched"]


def test_coverage_page_shows_counts_chart_and_credit_not_the_researcher(seeded: Any, client: Client) -> None:
    from django.contrib.auth.models import User

    researcher = User.objects.create_user("rhoda-private", "rhoda.private@example.org", "pw")
    tie = Tie.objects.filter(subject_id=DURHAM, published=True).first()
    found = record(DURHAM, "found", researcher=researcher, credit="")
    found.ties.add(tie)
    record(RALEIGH, "nothing_found", consulted=["NC procurement portal", "javascript:alert(1)",
                                                "https://procure.example.org/raleigh"])
    page = client.get("/desk/coverage/israel-ties/").content.decode()
    assert '<strong id="count-found">1</strong>' in page and '<strong id="count-nothing_found">1</strong>' in page
    assert "<svg" in page and "NC: 1 researched, found" in page
    # The US map: North Carolina's two researched agencies (found and nothing found), linked to its row.
    assert "Agencies researched, by state" in page and "North Carolina: 2 agencies researched" in page
    assert 'href="/desk/coverage/israel-ties/#state-nc"' in page and 'id="state-nc"' in page
    assert f"/ties/{tie.pk}/" in page and "anonymous" in page and "Ada" in page
    assert 'href="https://procure.example.org/raleigh"' in page and 'href="javascript:' not in page
    assert "rhoda" not in page.lower()
    assert client.get("/desk/coverage/no-such-question/").status_code == 404
    index = client.get("/desk/coverage/").content.decode()
    assert "Ties with Israeli forces" in index and "1033 equipment" in index


def test_agency_page_section_lists_every_question(seeded: Any, client: Client) -> None:
    record(RALEIGH, "nothing_found", method="Asked the department's records office")
    page = client.get(f"/entities/{RALEIGH}/").content.decode()
    assert "What has been researched" in page
    assert "researched, nothing found" in page and "Asked the department&#x27;s records office" in page
    assert page.count("not yet researched") == 2
    foreign = client.get("/entities/il-israel-police/").content.decode()
    assert "What has been researched" not in foreign


def test_exports_and_api(seeded: Any, client: Client) -> None:
    record(DURHAM, "found")
    record(RALEIGH, "nothing_found", consulted=["=HYPERLINK(\"http://evil\")"])
    Entity.objects.filter(pk=RALEIGH).update(published=False)
    rows = list(csv.DictReader(io.StringIO(client.get("/desk/coverage/israel-ties/?format=csv").content.decode())))
    assert [r["agency"] for r in rows] == [DURHAM] and rows[0]["answer"] == "found" and rows[0]["state"] == "NC"
    assert json.loads(client.get("/desk/coverage/israel-ties/?format=json").content)[0]["credit"] == "Ada"
    body = client.get("/api/desk/coverage/israel-ties").json()
    assert body["found"] == 1 and body["nothing_found"] == 0 and [r["agency"] for r in body["records"]] == [DURHAM]
    nc = next(row for row in body["states"] if row["state"] == "NC")
    assert nc["found"] == 1 and nc["nothing_found"] == 0  # Raleigh, now a draft, counts nowhere
    assert sum(row["not_researched"] for row in body["states"]) == body["not_researched"]
    assert [q["slug"] for q in client.get("/api/desk/questions").json()] == ["israel-ties", "equipment-1033", "surveillance-tech"]
    missing = client.get("/api/desk/coverage/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    answers = client.get(f"/api/desk/agencies/{DURHAM}/coverage").json()
    assert [(a["question"], a["answer"]) for a in answers][:2] == [("israel-ties", "found"),
                                                                   ("equipment-1033", "not_researched")]
    assert client.get(f"/api/desk/agencies/{RALEIGH}/coverage").json()["error"]["code"] == "not_found"


def test_editor_records_nothing_found_with_prg_and_named_errors(seeded: Any, editor: Any, client: Client) -> None:
    client.force_login(editor)
    bad = client.post("/desk/coverage/record/", {"agency": "no-such", "question": "israel-ties", "state": "found",
                                                 "researched_on": "2026-01-02", "method": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert 'data-field="agency"' in text and 'data-field="method"' in text
    assert Coverage.objects.count() == 0
    ok = client.post("/desk/coverage/record/", {
        "agency": RALEIGH, "question": "surveillance-tech", "state": "nothing_found", "researched_on": "2026-01-02",
        "method": "Searched the city's contracts", "consulted": "https://contracts.example.org\nthe city clerk"})
    assert ok.status_code == 302 and ok["Location"] == "/desk/coverage/surveillance-tech/"
    saved = Coverage.objects.get()
    assert saved.researcher == editor and saved.consulted == ["https://contracts.example.org", "the city clerk"]
    assert saved.credit == ""


def test_recording_coverage_is_for_editors_only(seeded: Any, client: Client) -> None:
    response = client.post("/desk/coverage/record/", {"agency": RALEIGH})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Coverage.objects.count() == 0


def test_cli_exports_coverage(seeded: Any, capsys: Any) -> None:
    from tiewatch.cli import main

    record(DURHAM, "found")
    assert main(["desk", "coverage", "--question", "israel-ties", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["agency"] == DURHAM
    assert main(["desk", "coverage", "--question", "nope"]) == 1
    assert main(["desk", "questions"]) == 0
    assert "israel-ties\tTies with Israeli forces" in capsys.readouterr().out
