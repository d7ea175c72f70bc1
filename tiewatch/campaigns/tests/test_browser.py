"""Sign a petition in Chromium, confirm from the emailed link, see the count go up; sign again with
the same email and see the duplicate message."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tiewatch.cli import main


def fill(page: Any, email: str) -> None:
    page.fill("#id_name", "Brenda Browser")
    page.fill("#id_email", email)
    page.fill("#id_address", "101 City Hall Plaza")
    page.fill("#id_postal_code", "27701")
    page.fill("#id_city", "Durham")
    page.check("#id_resident")
    page.check("#id_consent")
    page.click("#sign-button")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_confirm_and_duplicate_in_chromium(page: Any, live_server: Any, petition: Any, mail_dir: Any,
                                                settings: Any) -> None:
    settings.TIEWATCH_SITE_URL = live_server.url
    page.goto(f"{live_server.url}/petitions/{petition.slug}/")
    assert page.inner_text("#confirmed-count") == "0"
    fill(page, "brenda@example.org")
    page.wait_for_selector("#pending")

    assert main(["worker", "--once"]) == 0  # the worker, in-process, writes the email to mail_dir
    emails = "".join(f.read_text() for f in mail_dir.iterdir())
    link = re.search(r"(http://\S+/confirm/\S+/)", emails).group(1)  # type: ignore[union-attr]
    page.goto(link)
    page.click("#confirm-button")
    page.wait_for_selector("#confirmed")

    page.goto(f"{live_server.url}/petitions/{petition.slug}/")
    assert page.inner_text("#confirmed-count") == "1"
    assert page.inner_text("#verified-count") == "1"

    fill(page, "Brenda@Example.org")
    assert "already signed this petition" in page.inner_text("#error-email")
    assert page.inner_text("#confirmed-count") == "1"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_javascript_link_on_a_hearing_is_not_clickable(page: Any, live_server: Any, campaign: Any) -> None:
    """A hearing whose data holds `javascript:` URLs (video, a source): nothing runs when the visitor
    clicks them, and they are shown as text."""
    import datetime as dt

    from tiewatch.campaigns.models import Hearing

    script = "javascript:document.title='pwned';alert('pwned')"
    Hearing.objects.create(campaign=campaign, slug="js-hearing", body="Council", date=dt.date(2024, 1, 2),
                           video_url=script, sources=[{"url": script, "title": "Click me source"},
                                                      {"url": "https://example.org/", "title": "Real source"}])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/hearings/js-hearing/")
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert page.locator("a", has_text="Click me source").count() == 0
    assert page.locator("a", has_text="Real source").get_attribute("href") == "https://example.org/"
    page.get_by_text("Click me source").click()
    page.wait_for_timeout(300)
    assert dialogs == [] and page.title() != "pwned"
    assert page.url == f"{live_server.url}/hearings/js-hearing/"
