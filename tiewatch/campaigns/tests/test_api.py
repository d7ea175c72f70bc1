from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import OutboxMessage, Petition, Signature
from tiewatch.campaigns.normalise import normalise_email
from tiewatch.campaigns.services import petition_cache, signing
from tiewatch.campaigns.services.counts import counts as petition_counts
from tiewatch.campaigns.tests.conftest import signer

pytestmark = pytest.mark.django_db


def post(client: Client, slug: str, data: dict, **kw: Any) -> Any:
    return client.post(f"/api/petitions/{slug}/signatures", json.dumps(data), content_type="application/json", **kw)


def token_of(message: OutboxMessage) -> str:
    return re.search(r"/confirm/([^/]+)/", message.body).group(1)  # type: ignore[union-attr]


def test_sign_returns_202_and_queues_confirmation(client: Client, petition: Petition) -> None:
    r = post(client, petition.slug, signer(1))
    assert r.status_code == 202, r.content
    assert r.json()["status"] == "pending_confirmation"
    sig = Signature.objects.get()
    assert sig.email == "signer1@example.org" and sig.confirmed_at is None and sig.verified_resident
    assert sig.ip == "127.0.0.1"
    msg = OutboxMessage.objects.get()
    assert msg.to == "signer1@example.org" and msg.sent_at is None
    assert f"/petitions/{petition.slug}/confirm/" in msg.body
    # Only the hash of the token is stored.
    assert sig.token_hash == signing.token_hash(token_of(msg)) and token_of(msg) not in sig.token_hash
    assert client.get(f"/api/petitions/{petition.slug}").json()["counts"]["confirmed"] == 0


@pytest.mark.parametrize("variant", ["SIGNER1@Example.org", " signer1+petitions@example.org "])
def test_duplicate_by_normalised_email_is_409(client: Client, petition: Petition, variant: str) -> None:
    assert post(client, petition.slug, signer(1)).status_code == 202
    r = post(client, petition.slug, signer(2, email=variant))
    assert r.status_code == 409
    body = r.json()["error"]
    assert body["code"] == "conflict"
    assert body["fields"]["email"] == ["This email address has already signed this petition."]
    assert Signature.objects.count() == 1


def test_gmail_dots_are_normalised() -> None:
    assert normalise_email("First.Last+x@GoogleMail.com") == "firstlast@gmail.com"
    assert normalise_email("first.last@example.org") == "first.last@example.org"


def test_invalid_is_422_with_field_messages(client: Client, petition: Petition) -> None:
    r = post(client, petition.slug, {"name": "", "email": "not-an-email", "consent": False})
    assert r.status_code == 422
    fields = r.json()["error"]["fields"]
    assert set(fields) >= {"name", "email", "consent", "postal_code"}
    assert Signature.objects.count() == 0


def test_wrong_types_are_422(client: Client, petition: Petition) -> None:
    r = post(client, petition.slug, signer(1, name=["x"], postal_code=27701, comment="y" * 2001))
    assert r.status_code == 422
    fields = r.json()["error"]["fields"]
    assert fields["name"] == ["Enter text."] and "2000" in fields["comment"][0] and "postal_code" not in fields
    assert post(client, petition.slug, [1, 2]).status_code == 422  # type: ignore[arg-type]
    assert client.get("/api/openapi.json").json()["paths"]["/api/petitions/{slug}/signatures"]["post"][
        "requestBody"]["content"]["application/json"]["schema"]["required"] == ["name", "email", "consent"]


def test_non_json_is_refused(client: Client, petition: Petition) -> None:
    r = client.post(f"/api/petitions/{petition.slug}/signatures", signer(1))
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_media_type"
    r = client.post(f"/api/petitions/{petition.slug}/signatures", "{nope", content_type="application/json")
    assert r.status_code == 422


def test_closed_petition_is_410(client: Client, petition: Petition) -> None:
    petition.status = "closed"
    petition.save()
    r = post(client, petition.slug, signer(1))
    assert r.status_code == 410 and r.json()["error"]["code"] == "gone"


def test_past_closing_date_is_410(client: Client, petition: Petition) -> None:
    import datetime as dt

    from django.utils import timezone

    petition.closes_at = timezone.now() - dt.timedelta(minutes=1)
    petition.save()
    assert post(client, petition.slug, signer(1)).status_code == 410


def test_draft_and_unknown_are_404(client: Client, petition: Petition) -> None:
    petition.status = "draft"
    petition.save()
    assert client.get(f"/api/petitions/{petition.slug}").status_code == 404
    assert post(client, petition.slug, signer(1)).status_code == 404
    assert client.get("/api/petitions/nope").json()["error"]["code"] == "not_found"


def test_ip_rate_limit_is_429(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "3/60"
    codes = [post(client, petition.slug, signer(i)).status_code for i in range(5)]
    assert codes == [202, 202, 202, 429, 429]
    assert post(client, petition.slug, signer(9), REMOTE_ADDR="10.0.0.9").status_code == 202


def test_ip_long_window_applies_too(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "100/60"
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_LONG = "2/86400"
    codes = [post(client, petition.slug, signer(i)).status_code for i in range(3)]
    assert codes == [202, 202, 429]


def test_invalid_attempts_count_against_ip_limit(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "2/60"
    assert post(client, petition.slug, {"name": "x"}).status_code == 422
    assert post(client, petition.slug, {"name": "x"}).status_code == 422
    assert post(client, petition.slug, signer(1)).status_code == 429


def test_email_rate_limit_is_429(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_RATE_EMAIL_SHORT = "2/600"
    a = {"REMOTE_ADDR": "10.0.0.1"}
    assert post(client, petition.slug, signer(1), **a).status_code == 202
    assert post(client, petition.slug, signer(1), REMOTE_ADDR="10.0.0.2").status_code == 409
    r = post(client, petition.slug, signer(1), REMOTE_ADDR="10.0.0.3")
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"


def test_rate_limits_can_be_disabled(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "0"
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_LONG = ""
    assert all(post(client, petition.slug, signer(i)).status_code == 202 for i in range(15))


def test_rate_counters_store_no_raw_ip_or_email(client: Client, petition: Petition) -> None:
    from tiewatch.campaigns.models import RateCounter

    post(client, petition.slug, signer(1), REMOTE_ADDR="203.0.113.77")
    keys = " ".join(RateCounter.objects.values_list("key", flat=True))
    assert RateCounter.objects.count() == 4
    assert "203.0.113.77" not in keys and "signer1" not in keys


def test_honeypot_pretends_success_but_stores_nothing(client: Client, petition: Petition) -> None:
    r = post(client, petition.slug, signer(1, website="http://spam.example"))
    assert r.status_code == 202
    assert Signature.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_blocked_email_domain(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS = ["mailinator.com"]
    r = post(client, petition.slug, signer(1, email="x@Mailinator.com"))
    assert r.status_code == 422
    assert "domain" in r.json()["error"]["fields"]["email"][0]


def test_blocked_email_domain_in_any_spelling(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS = ["xn--bcher-kva.example", "Spam.Example."]
    for email in ("x@bücher.example", "x@BÜCHER.example", "x@spam.example"):
        r = post(client, petition.slug, signer(1, email=email))
        assert r.status_code == 422, email
        assert "domain" in r.json()["error"]["fields"]["email"][0]


def test_near_duplicate_is_flagged_for_review(client: Client, petition: Petition) -> None:
    assert post(client, petition.slug, signer(1, address="12 Main Street")).status_code == 202
    r = post(client, petition.slug, signer(1, email="other@example.org", name="signer  number1",
                                           address="12 main st."))
    assert r.status_code == 202
    # Flagged when confirmed (only confirmed signatures count).
    for message in OutboxMessage.objects.order_by("id"):
        signing.confirm(token_of(message))
    first, second = Signature.objects.order_by("id")
    assert not first.needs_review and second.needs_review
    assert str(first.pk) in second.review_reason
    third = post(client, petition.slug, signer(3, address="99 Elm Street"))
    assert third.status_code == 202
    signing.confirm(token_of(OutboxMessage.objects.order_by("-id")[0]))
    assert not Signature.objects.get(email="signer3@example.org").needs_review


def test_petition_cache_is_dropped_when_the_petition_changes(client: Client, petition: Petition,
                                                             settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS = 60
    assert post(client, petition.slug, signer(1)).status_code == 202
    assert petition.slug in petition_cache._petition_cache
    petition.status = "closed"
    petition.save()
    assert post(client, petition.slug, signer(2)).status_code == 410


def test_confirm_via_api_counts(client: Client, petition: Petition) -> None:
    post(client, petition.slug, signer(1))
    token = token_of(OutboxMessage.objects.get())
    r = client.post("/api/signatures/confirm", json.dumps({"token": token}), content_type="application/json")
    assert r.status_code == 200 and r.json()["counts"]["confirmed"] == 1
    counts = client.get(f"/api/petitions/{petition.slug}").json()["counts"]
    assert counts["confirmed"] == 1 and counts["verified_residents"] == 1 and counts["total"] == 1
    bad = client.post("/api/signatures/confirm", json.dumps({"token": "nope"}), content_type="application/json")
    assert bad.status_code == 404


def test_unverified_resident_counts_separately(client: Client, petition: Petition) -> None:
    post(client, petition.slug, signer(1, postal_code="10001", address=""))
    signing.confirm(token_of(OutboxMessage.objects.get()))
    counts = petition_counts(petition)
    assert counts["confirmed"] == 1 and counts["verified_residents"] == 0


def test_milestones_and_offline_counts(client: Client, petition: Petition) -> None:
    from tiewatch.campaigns.models import OfflineSignatureBatch

    OfflineSignatureBatch.objects.create(petition=petition, count=5, source="paper, market day")
    counts = client.get(f"/api/petitions/{petition.slug}").json()["counts"]
    assert counts["offline"] == 5 and counts["confirmed"] == 0 and counts["total"] == 5
    assert counts["milestones"] == [{"threshold": 2, "reached": True}, {"threshold": 10, "reached": False}]
    assert counts["next_milestone"] == 10


def test_list_and_detail_endpoints(client: Client, petition: Petition) -> None:
    assert [p["slug"] for p in client.get("/api/petitions").json()] == [petition.slug]
    assert client.get("/api/campaigns").json()[0]["slug"] == petition.campaign.slug
    assert client.get(f"/api/campaigns/{petition.campaign.slug}").status_code == 200
    for path in ("/api/campaigns/nope", "/api/hearings/nope", "/api/votes/nope", "/api/letters/nope"):
        assert client.get(path).status_code == 404
