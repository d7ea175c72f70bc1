"""The review queue: the editors' web page and `tiewatch resolve review / decisions / undo`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.registry.models import ChangeRecord, Entity
from tiewatch.resolution.cli import review_loop
from tiewatch.resolution.models import CandidatePair, Decision
from tiewatch.resolution.tests.conftest import registry_state

DURHAM, DUP = "us-nc-durham-police-department", "us-nc-durham-pd"
FEATURES = [{"name": "name", "weight": 0.7, "detail": "'durham police department' = 'durham police dept' after DEPT"},
            {"name": "place", "weight": 0.2, "detail": "both in Durham, NC"}]


@pytest.fixture
def queued(duplicated: Any) -> CandidatePair:
    return CandidatePair.objects.create(left_id=DURHAM, right_id=DUP, score=0.77, band="review",
                                        features=FEATURES, actor="tests")


def test_the_public_and_viewers_cannot_decide(client: Any, queued: CandidatePair, users: Any) -> None:
    assert client.get("/resolution/review/").status_code == 302  # to the login page
    client.force_login(users["charlie"])  # a viewer reads the queue
    page = client.get("/resolution/review/")
    assert page.status_code == 200 and "DURHAM POLICE DEPT" in page.content.decode()
    assert "<form method=\"post\"" not in page.content.decode()
    assert client.post(f"/resolution/pairs/{queued.pk}/decide/", {"judgement": "match"}).status_code == 403
    assert Entity.objects.filter(pk=DUP).exists() and not Decision.objects.exists()


def test_an_editor_decides_side_by_side_with_the_explanation(client: Any, queued: CandidatePair, users: Any) -> None:
    client.force_login(users["bob"])
    page = client.get("/resolution/review/").content.decode()
    assert "both in Durham, NC" in page and "Durham Police Department" in page and "DURHAM POLICE DEPT" in page
    response = client.post(f"/resolution/pairs/{queued.pk}/decide/", {"judgement": "no_match", "note": "different"})
    assert response.status_code == 302 and response["Location"] == "/resolution/review/"
    decision = Decision.objects.get()
    assert (decision.judgement, decision.note, decision.actor, decision.user) == ("no_match", "different", "bob",
                                                                                  users["bob"])
    assert decision.score == 0.77 and decision.features == FEATURES
    assert CandidatePair.objects.get().status == "decided"
    followed = client.get("/resolution/review/").content.decode()
    assert "The queue is empty" in followed and "different" in followed


def test_a_bad_form_is_an_error_message_and_decides_nothing(client: Any, queued: CandidatePair, users: Any) -> None:
    client.force_login(users["bob"])
    response = client.post(f"/resolution/pairs/{queued.pk}/decide/", {"judgement": "maybe"}, follow=True)
    assert "was not decided" in response.content.decode() and "judgement" in response.content.decode()
    assert not Decision.objects.exists()


def test_csrf_is_required(queued: CandidatePair, users: Any) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["bob"])
    assert strict.post(f"/resolution/pairs/{queued.pk}/decide/", {"judgement": "match"}).status_code == 403
    assert not Decision.objects.exists()


def test_match_then_undo_on_the_web_restores_the_registry(client: Any, queued: CandidatePair, users: Any) -> None:
    before = registry_state()
    client.force_login(users["bob"])
    client.post(f"/resolution/pairs/{queued.pk}/decide/", {"judgement": "match", "note": "same"})
    assert not Entity.objects.filter(pk=DUP).exists()
    assert client.get(f"/entities/{DUP}/").status_code == 301
    decision = Decision.objects.get()
    history = client.get("/resolution/decisions/").content.decode()
    assert f"{DUP} merged into {DURHAM}" in history
    assert client.post(f"/resolution/decisions/{decision.pk}/undo/").status_code == 302
    assert registry_state() == before
    assert CandidatePair.objects.get().status == "pending"  # back in the queue for a new decision
    assert "undone" in client.get("/resolution/decisions/").content.decode()


def test_cli_decide_list_and_undo(queued: CandidatePair, capsys: Any) -> None:
    assert main(["resolve", "review", "--decide", DURHAM, DUP, "match", "--note", "same body"]) == 0
    assert f"merged {DUP} into {DURHAM}" in capsys.readouterr().out
    assert main(["resolve", "decisions", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["decisions"]
    assert [(r["judgement"], r["note"], r["actor"]) for r in rows] == [("match", "same body", "resolve review")]
    assert main(["resolve", "undo", str(rows[0]["id"])]) == 0
    assert Entity.objects.filter(pk=DUP).exists()
    assert main(["resolve", "undo", str(rows[0]["id"])]) == 1
    assert "undone already" in capsys.readouterr().err
    assert ChangeRecord.objects.filter(model="decision", action="undo").count() == 1


def test_cli_refuses_a_bad_judgement_naming_the_field(queued: CandidatePair, capsys: Any) -> None:
    assert main(["resolve", "review", "--decide", DURHAM, DUP, "same"]) == 1
    assert "judgement: unknown judgement 'same'" in capsys.readouterr().err
    assert not Decision.objects.exists()


def test_interactive_review_asks_until_a_valid_key(queued: CandidatePair) -> None:
    CandidatePair.objects.create(left_id=DURHAM, right_id="us-nc-raleigh-police-department", score=0.6,
                                 band="review", features=[], actor="tests")
    answers = iter(["x", "u", "not sure: roster is old", "q"])
    said: list[str] = []
    assert review_loop("tester", lambda _prompt: next(answers), said.append) == 0
    shown = "\n".join(said)
    assert "both in Durham, NC" in shown and "DURHAM POLICE DEPT" in shown
    decision = Decision.objects.get()
    assert (decision.judgement, decision.note, decision.actor) == ("unsure", "not sure: roster is old", "tester")
    assert CandidatePair.objects.filter(status="pending").count() == 1  # quit before the second pair
