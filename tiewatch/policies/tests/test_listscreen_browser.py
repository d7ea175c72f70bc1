"""Browser test: a signed-in user uploads the invented vendor list through the form in Debian's
chromium, reads the report and downloads it; another signed-in user cannot open it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO = Path(__file__).resolve().parent.parent / "listscreen" / "demo"


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    """A session for `user` put into the browser: the site has no sign-in page for non-staff accounts of
    its own (the admin's login is for staff), so the test signs in as Django's test client does."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_form_and_privacy(live_server: Any, page: Any, tmp_path: Path) -> None:
    from django.contrib.auth.models import User

    from tiewatch.policies import services
    from tiewatch.registry.importers import import_bundle

    import_bundle([DEMO / "registry-invented.yaml"], actor="tests")
    services.run_screening()
    dana = User.objects.create_user("dana", "dana@example.org", "password")
    eve = User.objects.create_user("eve", "eve@example.org", "password")

    sign_in(page, live_server, dana)
    page.goto(f"{live_server.url}/policies/screen-list/")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,state\nAcme,ZZ\n", encoding="utf-8")
    page.set_input_files("#id_file", str(bad))
    page.click("button[type=submit]:has-text('Screen')")
    assert "bad.csv:2: state: not a US postal code" in page.inner_text("#errors")

    page.set_input_files("#id_file", str(DEMO / "vendors-invented.csv"))
    page.click("button[type=submit]:has-text('Screen')")
    page.wait_for_selector("#summary")
    assert "5 rows" in page.inner_text("#summary")
    rows = page.inner_text("#rows")
    assert "Northgate Surveillance Systems Ltd" in rows and "review-contracts" in rows
    with page.expect_download() as download:
        page.click("#download-csv")
    assert download.value.suggested_filename.endswith(".csv")
    list_url = page.url

    sign_in(page, live_server, eve)
    response = page.goto(list_url)
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/policies/screen-list/")
    assert "vendors-invented.csv" not in page.inner_text("#lists")
