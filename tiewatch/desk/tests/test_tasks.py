"""The task queue: registration with confirmation, claim, submit, review; privacy of drafts and emails."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tiewatch.campaigns.models import OutboxMessage
from tiewatch.desk.models import Contributor, Coverage, Finding, Task
from tiewatch.desk.tests.conftest import DURHAM, ISRAEL_POLICE, RALEIGH, finding_data, make_contributor
from tiewatch.registry.models import ChangeRecord, Source, Tie

pytestmark = pytest.mark.django_db


def test_registration_queues_a_confirmation_and_only_confirmed_contributors_sign_in(
        roles: None, client: Client, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TIEWATCH_SITE_URL = "http://desk.example"
    bad = client.post("/desk/register/", {"email": "not-an-email", "display_name": "", "password": "x",
                                          "password_again": "y"})
    assert bad.status_code == 400
    for name in ("email", "display_name", "password_again"):
        assert f'data-field="{name}"' in bad.content.decode()
    data = {"email": "Nia@Example.org", "display_name": "Nia R.", "password": "research-all-day-42",
            "password_again": "research-all-day-42"}
    response = client.post("/desk/register/", data)
    assert response.status_code == 302 and response["Location"] == "/desk/register/sent/"
    contributor = Contributor.objects.get()
    assert not contributor.user.is_active and "nia" not in contributor.user.username.lower()
    assert client.post("/desk/login/", {"email": "nia@example.org", "password": data["password"]}).status_code == 200
    from tiewatch.campaigns.services.outbox import send_outbox

    assert send_outbox() == (1, 0)
    link = re.search(r"http://desk\.example(/desk/confirm/\S+/)", mail.outbox[0].body).group(1)  # type: ignore
    assert client.get(link).status_code == 200 and not Contributor.objects.get().confirmed_at  # a GET confirms nothing
    assert client.post(link).status_code == 302
    assert client.post(link).status_code == 400  # used once
    signed_in = client.post("/desk/login/", {"email": "nia@example.org", "password": data["password"]})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/desk/tasks/"
    again = client.post("/desk/register/", {**data, "email": "nia@example.org"})
    assert again.status_code == 400 and "exists already" in again.content.decode()


def test_claim_submit_accept_publishes_with_credit(task_list: Any, editor: Any) -> None:
    user = make_contributor("tariq@example.org", "Tariq N.")
    task = Task.objects.get(agency_id=DURHAM)
    contributor, reviewer = Client(), Client()
    contributor.force_login(user)
    reviewer.force_login(editor)
    assert contributor.post(f"/desk/task/{task.pk}/claim/").status_code == 302
    bad = contributor.post(f"/desk/task/{task.pk}/submit/", finding_data(sources="ftp://x", counterpart="",
                                                                         year="1800"))
    assert bad.status_code == 400
    for name in ("sources", "year"):
        assert f'data-field="{name}"' in bad.content.decode()
    assert Finding.objects.count() == 0
    submitted = contributor.post(f"/desk/task/{task.pk}/submit/", finding_data())
    finding = Finding.objects.get()
    assert submitted["Location"] == f"/desk/findings/{finding.pk}/"
    assert Task.objects.get(pk=task.pk).state == "submitted"
    assert not Tie.objects.filter(note__contains="2019 seminar").exists()  # a draft until accepted
    assert f"/desk/findings/{finding.pk}/" in reviewer.get("/desk/review/").content.decode()
    assert contributor.get("/desk/review/").status_code == 302  # the queue is the editors'

    accepted = reviewer.post(f"/desk/findings/{finding.pk}/review/", {"decision": "accept", "note": ""})
    assert accepted.status_code == 302
    tie = Tie.objects.get(note__contains="2019 seminar")
    assert tie.published and tie.subject_id == DURHAM and tie.year_from == 2019
    assert list(tie.counterparts.values_list("pk", flat=True)) == [ISRAEL_POLICE]
    assert tie.attributes == {"researched_by": "Tariq N."} and tie.counterpart_countries == "IL"
    assert Source.objects.get(url="https://news.example.org/seminar-2019").published
    coverage = Coverage.objects.get(agency_id=DURHAM, question="israel-ties")
    assert coverage.state == "found" and coverage.credit == "Tariq N." and list(coverage.ties.all()) == [tie]
    assert ChangeRecord.objects.filter(model="tie", object_id=tie.pk, actor="bob").exists()
    assert Task.objects.get(pk=task.pk).state == "accepted"
    public = Client().get(f"/ties/{tie.pk}/").content.decode()
    assert "Tariq N." in public and "tariq@example.org" not in public
    assert Client().get("/desk/coverage/israel-ties/").content.decode().count("Tariq N.") == 1
    again = reviewer.post(f"/desk/findings/{finding.pk}/review/", {"decision": "accept"})
    assert again.status_code == 302 and Tie.objects.filter(note__contains="2019 seminar").count() == 1


def test_reject_sends_back_with_a_note_and_anonymous_nothing_found(task_list: Any, editor: Any) -> None:
    user = make_contributor("ines@example.org", "Ines")
    task = Task.objects.get(agency_id=RALEIGH)
    contributor, reviewer = Client(), Client()
    contributor.force_login(user)
    reviewer.force_login(editor)
    contributor.post(f"/desk/task/{task.pk}/claim/")
    contributor.post(f"/desk/task/{task.pk}/submit/", finding_data(found="no", tie_kind="", counterpart="",
                                                                   sources="", year=""))
    finding = Finding.objects.get()
    no_note = reviewer.post(f"/desk/findings/{finding.pk}/review/", {"decision": "reject", "note": ""})
    assert no_note.status_code == 400 and 'data-field="note"' in no_note.content.decode()
    reviewer.post(f"/desk/findings/{finding.pk}/review/", {"decision": "reject", "note": "Which records?"})
    assert Task.objects.get(pk=task.pk).state == "claimed"
    page = contributor.get(f"/desk/task/{task.pk}/").content.decode()
    assert "Which records?" in page and 'id="finding-form"' in page
    contributor.post(f"/desk/task/{task.pk}/submit/", finding_data(
        found="no", tie_kind="", counterpart="", year="", anonymous="on",
        sources="https://procure.example.org/raleigh City procurement portal"))
    second = Finding.objects.filter(state="submitted").get()
    reviewer.post(f"/desk/findings/{second.pk}/review/", {"decision": "accept"})
    coverage = Coverage.objects.get(agency_id=RALEIGH, question="surveillance-tech")
    assert coverage.state == "nothing_found" and coverage.credit == "" and coverage.researcher == user
    assert coverage.consulted == ["https://procure.example.org/raleigh"]
    assert not coverage.ties.exists()
    progress = reviewer.get("/desk/tasks/nc-exchanges/").content.decode()
    assert "open 1 · claimed 0 · submitted 0 · accepted 1" in progress


def test_a_contributor_sees_only_their_own_findings(task_list: Any, editor: Any) -> None:
    first = make_contributor("one@example.org", "One")
    second = make_contributor("two@example.org", "Two")
    task = Task.objects.get(agency_id=DURHAM)
    a, b = Client(), Client()
    a.force_login(first)
    b.force_login(second)
    a.post(f"/desk/task/{task.pk}/claim/")
    assert b.post(f"/desk/task/{task.pk}/claim/").status_code == 302
    assert Task.objects.get(pk=task.pk).claimed_by == first
    assert b.post(f"/desk/task/{task.pk}/submit/", finding_data()).status_code == 302
    assert Finding.objects.count() == 0  # only the claimer submits
    a.post(f"/desk/task/{task.pk}/submit/", finding_data(summary="A secret draft lead"))
    finding = Finding.objects.get()
    assert b.get(f"/desk/findings/{finding.pk}/").status_code == 404
    assert "A secret draft lead" not in b.get(f"/desk/task/{task.pk}/").content.decode()
    assert "A secret draft lead" not in b.get("/desk/findings/").content.decode()
    assert "A secret draft lead" in a.get(f"/desk/findings/{finding.pk}/").content.decode()
    assert b.post(f"/desk/findings/{finding.pk}/review/", {"decision": "accept"}).status_code == 302
    assert Finding.objects.get().state == "submitted"  # a contributor cannot review
    anonymous = Client()
    assert anonymous.get("/desk/tasks/").status_code == 302
    assert anonymous.get(f"/desk/findings/{finding.pk}/").status_code == 302


def test_editor_creates_lists_and_tasks_with_named_errors(seeded: Any, editor: Any, client: Client) -> None:
    client.force_login(editor)
    created = client.post("/desk/tasks/", {"slug": "ma-tech", "title": "Massachusetts technology"})
    assert created.status_code == 302 and created["Location"] == "/desk/tasks/ma-tech/"
    duplicate = client.post("/desk/tasks/", {"slug": "ma-tech", "title": "Again"})
    assert duplicate.status_code == 400 and 'data-field="slug"' in duplicate.content.decode()
    bad = client.post("/desk/tasks/ma-tech/", {"agency": ISRAEL_POLICE, "question": "nope",
                                               "lead_links": "https://ok.example.org\njavascript:alert(1)"})
    text = bad.content.decode()
    assert bad.status_code == 400
    assert 'data-field="agency"' in text and 'data-field="question"' in text and "Line 2:" in text
    ok = client.post("/desk/tasks/ma-tech/", {"agency": "us-ma-boston-police-department",
                                              "question": "surveillance-tech", "leads": "ALPR contract 2021",
                                              "lead_links": "https://bids.example.org/row/17 procurement row"})
    assert ok.status_code == 302
    task = Task.objects.get(task_list__slug="ma-tech")
    assert task.lead_links == [{"url": "https://bids.example.org/row/17", "title": "procurement row"}]
    assert client.post("/desk/tasks/ma-tech/", {"agency": "us-ma-boston-police-department",
                                                "question": "surveillance-tech"}).status_code == 400
    assert "open 1 · claimed 0" in client.get("/desk/tasks/").content.decode()


def test_emails_never_appear_on_public_pages(task_list: Any, editor: Any) -> None:
    user = make_contributor("zelda.hidden@privacy.example", "Zed")
    task = Task.objects.get(agency_id=DURHAM)
    client = Client()
    client.force_login(user)
    client.post(f"/desk/task/{task.pk}/claim/")
    client.post(f"/desk/task/{task.pk}/submit/", finding_data())
    reviewer = Client()
    reviewer.force_login(editor)
    reviewer.post(f"/desk/findings/{Finding.objects.get().pk}/review/", {"decision": "accept"})
    public = Client()
    for url in ("/desk/coverage/", "/desk/coverage/israel-ties/", f"/entities/{DURHAM}/",
                "/api/desk/coverage/israel-ties", f"/api/desk/agencies/{DURHAM}/coverage",
                f"/ties/{Finding.objects.get().tie_id}/", "/desk/coverage/israel-ties/?format=csv"):
        body = public.get(url).content.decode().lower()
        assert "zelda" not in body and user.username not in body, url
    assert OutboxMessage.objects.filter(to="zelda.hidden@privacy.example").count() == 1


def test_cli_progress(task_list: Any, capsys: Any) -> None:
    from tiewatch.cli import main

    user = make_contributor("cli@example.org", "Cli")
    from tiewatch.desk import workflow

    workflow.claim(Task.objects.get(agency_id=DURHAM).pk, user)
    assert main(["desk", "progress"]) == 0
    assert capsys.readouterr().out == "nc-exchanges\topen 1\tclaimed 1\tsubmitted 0\taccepted 0\n"


def test_a_source_url_longer_than_the_registry_column_is_refused_by_name(task_list: Any) -> None:
    user = make_contributor("long@example.org", "Long")
    task = Task.objects.get(agency_id=DURHAM)
    client = Client()
    client.force_login(user)
    client.post(f"/desk/task/{task.pk}/claim/")
    response = client.post(f"/desk/task/{task.pk}/submit/",
                           finding_data(sources="https://news.example.org/" + "a" * 1000))
    assert response.status_code == 400
    assert "Line 1: a URL of at most 1000 characters." in response.content.decode()
    assert Finding.objects.count() == 0


def test_registrations_are_rate_limited_per_address(roles: None, client: Client, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "2/60"
    for n in range(2):
        response = client.post("/desk/register/", {"email": f"r{n}@example.org", "display_name": "R",
                                                   "password": "research-all-day-42",
                                                   "password_again": "research-all-day-42"})
        assert response.status_code == 302
    refused = client.post("/desk/register/", {"email": "r9@example.org", "display_name": "R",
                                              "password": "research-all-day-42", "password_again": "research-all-day-42"})
    assert refused.status_code == 429 and "Too many registrations" in refused.content.decode()
    assert Contributor.objects.count() == 2 and OutboxMessage.objects.count() == 2
