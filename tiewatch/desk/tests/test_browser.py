"""The desk's flows in Chromium: a contributor registers, confirms, claims, submits (fixing a named
field error); an editor creates a list and a task, sends a finding back, accepts one, and records
"nothing found"; the public sees the coverage."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from tiewatch.cli import main
from tiewatch.desk import workflow
from tiewatch.desk.models import Finding, Task
from tiewatch.desk.tests.conftest import DURHAM, ISRAEL_POLICE, RALEIGH, make_contributor

PASSWORD = "research-all-day-42"


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/desk/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_contributor_registers_claims_and_submits(page: Any, live_server: Any, seeded: Any, task_list: Any,
                                                  settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TIEWATCH_SITE_URL = live_server.url
    base = live_server.url
    page.goto(f"{base}/desk/register/")
    page.fill("#id_email", "browser.researcher@example.org")
    page.fill("#id_display_name", "B. Researcher")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD + "x")
    page.click("#register-form button[type=submit]")
    assert "The two passwords differ." in page.inner_text("#field-password_again")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#sent")

    assert main(["worker", "--once"]) == 0
    link = re.search(r"(http://\S+/desk/confirm/\S+/)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    page.goto(link)
    page.click("#confirm")
    sign_in(page, base, "browser.researcher@example.org", PASSWORD)
    page.wait_for_selector("#task-lists")
    page.click("text=North Carolina exchanges")
    assert "open 2 · claimed 0" in page.inner_text("#progress")
    page.click("text=Durham Police Department")
    assert "travel record" in page.inner_text("ul.leads")
    page.click("#claim")
    assert page.inner_text("#task-state") == "claimed"

    page.check("#id_found_0")
    page.fill("#id_summary", "Two officers attended a 2019 counter-terrorism seminar in Israel.")
    page.fill("#id_method", "Searched the city's travel reimbursements.")
    page.fill("#id_sources", "https://news.example.org/seminar-2019 A news report")
    page.select_option("#id_tie_kind", "training")
    page.fill("#id_year", "2019")
    page.click("#finding-form button[type=submit]")
    assert "Required when something was found." in page.inner_text("#field-counterpart")
    page.fill("#id_counterpart", ISRAEL_POLICE)
    page.click("#finding-form button[type=submit]")
    assert page.inner_text("#finding-state") == "submitted"
    page.click("text=My findings")
    assert "submitted" in page.inner_text("#mine")
    finding = Finding.objects.get()
    assert finding.task.agency_id == DURHAM and finding.counterpart_id == ISRAEL_POLICE


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_creates_tasks_reviews_and_records_coverage(page: Any, live_server: Any, seeded: Any,
                                                          task_list: Any, editor: Any) -> None:
    base = live_server.url
    author = make_contributor("helper@example.org", "Helper H.")
    durham, raleigh = Task.objects.get(agency_id=DURHAM), Task.objects.get(agency_id=RALEIGH)
    for task, found in ((durham, True), (raleigh, False)):
        workflow.claim(task.pk, author)
        workflow.submit(task.pk, author, {
            "found": found, "summary": f"summary {task.agency_id}", "method": "Searched council minutes",
            "sources": [{"url": f"https://news.example.org/{task.pk}", "title": "report"}],
            "tie_kind": "training" if found else "", "counterpart": None, "year": 2019 if found else None,
            "anonymous": False})
        if found:
            Finding.objects.filter(task=task).update(counterpart_id=ISRAEL_POLICE)

    page.goto(f"{base}/admin/login/?next=/desk/tasks/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_selector("#new-list")
    page.fill("#id_slug", "ma-tech")
    page.fill("#id_title", "Massachusetts technology")
    page.click("#new-list button[type=submit]")
    page.fill("#id_agency", "no-such-agency")
    page.select_option("#id_question", "surveillance-tech")
    page.click("#new-task button[type=submit]")
    assert "No agency with this id" in page.inner_text("#field-agency")
    page.fill("#id_agency", "us-ma-boston-police-department")
    page.fill("#id_lead_links", "https://bids.example.org/row/17 procurement row")
    page.click("#new-task button[type=submit]")
    assert "Boston Police Department" in page.inner_text("#tasks")

    page.goto(f"{base}/desk/review/")
    page.click("#queue a:has-text('Raleigh')")
    page.select_option("#id_decision", "reject")
    page.click("#review-form button[type=submit]")
    assert "Say what is missing" in page.inner_text("#field-note")
    page.fill("#id_note", "Name the records you searched.")
    page.click("#review-form button[type=submit]")
    page.click("#queue a:has-text('Durham')")
    page.select_option("#id_decision", "accept")
    page.click("#review-form button[type=submit]")
    assert "Nothing waits for review." in page.inner_text("#queue")
    page.goto(f"{base}/desk/tasks/nc-exchanges/")
    assert "open 0 · claimed 1 · submitted 0 · accepted 1" in page.inner_text("#progress")

    page.goto(f"{base}/entities/{RALEIGH}/")
    page.click("#researched >> text=record coverage")
    page.select_option("#id_question", "israel-ties")
    page.select_option("#id_state", "nothing_found")
    page.fill("#id_method", "Public-records request for travel records")
    page.fill("#id_consulted", "https://records.example.org/raleigh-1")
    page.click("form.desk-form button[type=submit]")
    assert page.inner_text("#count-found") == "1" and page.inner_text("#count-nothing_found") == "1"
    assert "Helper H." in page.inner_text("#records")

    public = page.context.browser.new_page()
    public.goto(f"{base}/desk/coverage/israel-ties/")
    assert "helper@example.org" not in public.content()
    public.goto(f"{base}/entities/{DURHAM}/")
    assert "researched, found" in public.inner_text("#researched")
    public.close()
