"""Browser test: the "check a proposed tie" form, driven in Debian's chromium (no JavaScript needed)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DPD = "us-nc-durham-police-department"
IDF = "il-israel-defense-forces"


def fill_check(page, base: str, date: str) -> None:
    page.goto(f"{base}/check/")
    page.fill("#id_subject", DPD)
    page.fill("#id_counterpart", IDF)
    page.select_option("#id_kind", "exchange")
    page.fill("#id_date", date)
    page.click("button[type=submit]:has-text('Check')")
    page.wait_for_selector("#verdict")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_check_form_durham_idf(live_server, seeded, page):
    fill_check(page, live_server.url, "2018-05-01")
    assert page.inner_text("#verdict") == "prohibited"
    result = page.inner_text("#result")
    assert "The Council opposes international exchanges with any country in which Durham officers receive" in result
    assert "Statement by the Durham City Council on International Police Exchanges" in result
    assert "disputed" in result  # the literal reading's evidence is shown as disputed

    fill_check(page, live_server.url, "2017-06-01")
    assert page.inner_text("#verdict") == "allowed"
    assert "No loaded policy applies" in page.inner_text("#result")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_policy_page_and_places(live_server, seeded, page):
    page.goto(f"{live_server.url}/policies/")
    page.click("text=Statement by the Durham City Council on International Police Exchanges")
    assert "6 yes, 0 no" in page.inner_text("main")
    assert page.locator("#rule-literal").count() == 1
    page.goto(f"{live_server.url}/policies/places/")
    # Issue 12: places by name, not by raw OCD id.
    assert "New Orleans, Louisiana" in page.inner_text("main")
    assert "ocd-division/" not in page.inner_text("main")
