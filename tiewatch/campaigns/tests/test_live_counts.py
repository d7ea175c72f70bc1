"""Petition counts that update without a reload where JavaScript is on (issue 12, "petition pages people
share"): GET /api/petitions/<slug>/counts, and the project's own script refreshing the page's counts and
progress bar every few seconds in an aria-live region; without JavaScript the page shows the same counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tiewatch.campaigns.models import Petition, Signature
from tiewatch.campaigns.services.signing import confirm, token_hash


def pending(petition: Petition, n: int) -> str:
    token = f"live-count-token-{n}"
    Signature.objects.create(petition=petition, name=f"Signer {n}", email=f"live{n}@example.org",
                             postal_code="27701", token_hash=token_hash(token))
    return token


@pytest.mark.django_db
def test_the_counts_endpoint_answers_counts_only(client: Client, petition: Petition) -> None:
    confirm(pending(petition, 1), petition)
    pending(petition, 2)  # not confirmed: not counted
    response = client.get(f"/api/petitions/{petition.slug}/counts")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["petition"] == petition.slug and body["accepting_signatures"] is True
    assert body["counts"]["confirmed"] == 1 and body["counts"]["total"] == 1
    assert body["counts"]["next_milestone"] == 2
    assert "live1@example.org" not in response.content.decode() and "Signer" not in response.content.decode()
    missing = client.get("/api/petitions/nope/counts")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    petition.status = "draft"
    petition.save()  # as the admin does: the cached petition is forgotten
    assert client.get(f"/api/petitions/{petition.slug}/counts").status_code == 404


@pytest.mark.django_db
def test_the_page_names_its_counts_endpoint_and_serves_its_own_script(client: Client, petition: Petition) -> None:
    html = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert (f'<div class="live-counts" data-counts-url="/api/petitions/{petition.slug}/counts" '
            'data-refresh-seconds="15" aria-live="polite">') in html
    assert '<script src="/static/campaigns/live_counts.js" defer></script>' in html
    assert "<script>" not in html  # no inline code: a strict Content-Security-Policy can forbid it


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_confirmed_signature_shows_without_a_reload(browser: Any, live_server: Any, petition: Petition) -> None:
    confirm(pending(petition, 1), petition)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    loads: list[str] = []
    page.on("load", lambda _: loads.append(page.url))
    page.goto(f"{live_server.url}/petitions/{petition.slug}/")
    assert page.inner_text("#confirmed-count") == "1"
    assert page.inner_text("#milestone-label") == "1 of 2 signatures toward the next milestone"

    confirm(pending(petition, 2), petition)  # in the database, while the page stays open
    page.wait_for_function("document.getElementById('confirmed-count').textContent === '2'", timeout=25_000)
    assert page.inner_text("#total-count") == "2"
    assert page.inner_text("#milestone-label") == "2 of 10 signatures toward the next milestone"
    assert page.evaluate("[document.getElementById('milestone-progress').value, "
                         "document.getElementById('milestone-progress').max]") == [2, 10]
    assert len(loads) == 1, "the page was not reloaded"
    assert not errors
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_page_shows_the_same_counts(browser: Any, live_server: Any,
                                                          petition: Petition) -> None:
    Signature.objects.create(petition=petition, name="Early Signer", email="early@example.org", postal_code="27701",
                             token_hash=token_hash("early"), confirmed_at=timezone.now())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/petitions/{petition.slug}/")
    assert page.inner_text("#confirmed-count") == "1"
    assert page.inner_text("#milestone-label") == "1 of 2 signatures toward the next milestone"
    assert page.is_visible("#sign-button")
    context.close()
