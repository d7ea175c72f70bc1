from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import OutboxMessage, Petition, Signature
from tiewatch.campaigns.tests.conftest import signer

pytestmark = pytest.mark.django_db


def form_data(n: int = 1, **extra: Any) -> dict[str, Any]:
    data = signer(n, **extra)
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    return data


def link_of(message: OutboxMessage) -> str:
    return re.search(r"https?://[^/]+(/petitions/\S+/confirm/\S+/)", message.body).group(1)  # type: ignore[union-attr]


def test_sign_confirm_flow_on_pages(client: Client, petition: Petition) -> None:
    page = client.get(f"/petitions/{petition.slug}/")
    assert page.status_code == 200 and b"Sign the petition" in page.content
    r = client.post(f"/petitions/{petition.slug}/", form_data(1))
    assert r.status_code == 302 and r["Location"] == f"/petitions/{petition.slug}/thanks/"
    link = link_of(OutboxMessage.objects.get())
    # A GET (what a mail scanner does) shows a button and confirms nothing.
    shown = client.get(link)
    assert shown.status_code == 200 and b"confirm-button" in shown.content
    assert shown["Referrer-Policy"] == "same-origin"
    assert Signature.objects.get().confirmed_at is None
    done = client.post(link)
    assert done.status_code == 200 and b'id="confirmed"' in done.content
    assert Signature.objects.get().confirmed_at is not None
    assert b'id="confirmed-count">1<' in client.get(f"/petitions/{petition.slug}/").content
    # Confirming twice is harmless.
    assert client.post(link).status_code == 200


def test_form_errors_are_per_field(client: Client, petition: Petition) -> None:
    r = client.post(f"/petitions/{petition.slug}/", {"name": "", "email": "nope"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="error-name"' in html and 'id="error-email"' in html and 'id="error-consent"' in html


def test_duplicate_on_page(client: Client, petition: Petition) -> None:
    client.post(f"/petitions/{petition.slug}/", form_data(1))
    r = client.post(f"/petitions/{petition.slug}/", form_data(2, email="Signer1@example.org"))
    assert r.status_code == 409
    assert "already signed this petition" in r.content.decode()


def test_bad_confirmation_link(client: Client, petition: Petition) -> None:
    assert client.get(f"/petitions/{petition.slug}/confirm/not-a-token/").status_code == 404
    assert client.post(f"/petitions/{petition.slug}/confirm/not-a-token/").status_code == 404


def test_csrf_enforced_on_signing_form(petition: Petition) -> None:
    strict = Client(enforce_csrf_checks=True)
    r = strict.post(f"/petitions/{petition.slug}/", form_data(1))
    assert r.status_code == 403
    assert Signature.objects.count() == 0
    page = strict.get(f"/petitions/{petition.slug}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)  # type: ignore[union-attr]
    ok = strict.post(f"/petitions/{petition.slug}/", {**form_data(1), "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_csrf_enforced_on_confirmation(petition: Petition, client: Client) -> None:
    client.post(f"/petitions/{petition.slug}/", form_data(1))
    link = link_of(OutboxMessage.objects.get())
    assert Client(enforce_csrf_checks=True).post(link).status_code == 403
    assert Signature.objects.get().confirmed_at is None


def test_rate_limit_on_page(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "1/60"
    assert client.post(f"/petitions/{petition.slug}/", form_data(1)).status_code == 302
    r = client.post(f"/petitions/{petition.slug}/", form_data(2))
    assert r.status_code == 429 and "Too many" in r.content.decode()


def test_closed_petition_page_has_no_form(client: Client, petition: Petition) -> None:
    petition.status = "closed"
    petition.save()
    r = client.get(f"/petitions/{petition.slug}/")
    assert r.status_code == 200 and b"Sign the petition" not in r.content
    assert client.post(f"/petitions/{petition.slug}/", form_data(1)).status_code == 410


def test_draft_petition_is_hidden(client: Client, petition: Petition) -> None:
    petition.status = "draft"
    petition.save()
    assert client.get(f"/petitions/{petition.slug}/").status_code == 404
    assert petition.title.encode() not in client.get("/petitions/").content


def test_public_signers_show_only_first_name_and_city(client: Client, petition: Petition) -> None:
    from tiewatch.campaigns.services import signing

    client.post(f"/petitions/{petition.slug}/", form_data(1, name="Zelda Quartermaine", city="Durham",
                                                      show_publicly=True))
    client.post(f"/petitions/{petition.slug}/", form_data(2, name="Hidden Person", city="Raleigh"))
    for m in OutboxMessage.objects.all():
        signing.confirm(re.search(r"/confirm/([^/]+)/", m.body).group(1))  # type: ignore[union-attr]
    html = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "Zelda, Durham" in html and "Quartermaine" not in html
    assert "Hidden" not in html and "Raleigh" not in html
