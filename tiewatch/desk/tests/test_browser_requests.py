"""Browser tests of the desk in Debian's chromium against a live server: a reader follows an agency,
confirms from the emailed link (a local SMTP server) and unsubscribes from a digest's link; an editor
creates a records request, records a status change, adds a PDF response and cites it as a source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import conftest
from tiewatch.cli import main
from tiewatch.desk.models import Follow, RecordsRequest
from tiewatch.desk.tests.helpers import Inbox, body, inbox, path_of, pdf_with_text
from tiewatch.registry.audit import record_change
from tiewatch.registry.models import Source

__all__ = ["inbox"]  # the local SMTP server fixture, used here by name
DURHAM = "us-nc-durham-police-department"


def load_demo() -> None:
    from tiewatch.registry.importers import import_bundle

    import_bundle([conftest.DEMO_SEED], actor="tests")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_follow_confirm_and_unsubscribe_in_chromium(page: Any, live_server: Any, inbox: Inbox,
                                                    settings: Any) -> None:
    load_demo()
    settings.TIEWATCH_SITE_URL = live_server.url
    page.goto(f"{live_server.url}/follow/entity/{DURHAM}/")
    assert page.get_attribute("link[rel=alternate]", "href") == f"/feeds/entity/{DURHAM}/"
    page.fill("#follow-email", "reader@example.org")
    page.select_option("#follow-frequency", "daily")
    page.click("text=Follow by email")
    page.wait_for_selector("text=Check your email")

    assert main(["worker", "--once"]) == 0
    (confirmation,) = inbox.take()
    page.goto(live_server.url + path_of(body(confirmation), "confirm"))
    page.click("button:has-text('Confirm')")
    page.wait_for_selector("text=Follow confirmed")

    record_change("entity", DURHAM, "update", {"note": "old"}, {"note": "new"}, actor="tests")
    assert main(["desk", "digests", "--frequency", "daily"]) == 0
    (digest,) = inbox.take()
    assert f"entity {DURHAM}: update" in body(digest)
    page.goto(live_server.url + path_of(body(digest), "unsubscribe"))
    page.click("button:has-text('Unsubscribe')")
    page.wait_for_selector("text=No more emails")
    assert Follow.objects.get().unsubscribed_at is not None


def login_as_editor(page: Any, live_server: Any) -> None:
    from django.contrib.auth.models import Group, User

    editor = User.objects.create_user("bob", "bob@example.org", "password", is_staff=True)
    editor.groups.add(Group.objects.get_or_create(name="editor")[0])  # a flushed database has no roles
    page.goto(f"{live_server.url}/admin/login/?next=/requests/new/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_creates_a_request_and_adds_a_response_in_chromium(page: Any, live_server: Any,
                                                                     tmp_path: Path) -> None:
    load_demo()
    login_as_editor(page, live_server)
    page.wait_for_selector("h1:has-text('New records request')")
    page.fill("#agency", DURHAM)
    page.fill("#title", "2008 seminar records")
    page.fill("#text", "All records of the 2008 ADL seminar.")
    page.fill("#sent-on", "2026-11-02")
    page.select_option("#law", "TX")
    page.check("input[name=published]")
    page.click("text=Create request")
    page.wait_for_selector("h1:has-text('2008 seminar records')")
    assert "Deadline: 16 November 2026" in page.inner_text("main")  # 10 business days under the Texas row

    page.select_option("#status", "acknowledged")
    page.fill("#status-on", "2026-11-04")
    page.click("text=Record status")
    page.wait_for_selector("li:has-text('acknowledged')")

    memo = tmp_path / "memo.pdf"
    memo.write_bytes(pdf_with_text("Chief memo on the 2008 seminar"))
    page.set_input_files("#document", str(memo))
    page.fill("#received-on", "2026-11-20")
    page.click("text=Add document")
    page.wait_for_selector("a:has-text('memo.pdf')")
    page.click("text=Cite as source")
    page.wait_for_selector("text=cited as")
    req = RecordsRequest.objects.get()
    assert Source.objects.get(pk=f"src-request-{req.pk}-{req.documents.get().pk}").excerpt.startswith("Chief memo")

    page.goto(f"{live_server.url}/requests/")
    assert "2008 seminar records" in page.inner_text("main")
