"""An unpublished campaign hides its children: every campaigns page (from the URL patterns) and every
API path (from the OpenAPI schema), crawled as anonymous, must not show any of its canary strings.
Staff with the role still reach its petition's moderation page, as before."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from tiewatch.campaigns import urls as campaign_urls
from tiewatch.campaigns.models import (
    Campaign,
    CampaignEvent,
    Endorsement,
    Hearing,
    Letter,
    LetterSignatory,
    OfflineSignatureBatch,
    Organisation,
    Petition,
    RollCallEntry,
    Signature,
    Vote,
)
from tiewatch.campaigns.models import Testimony as HearingTestimony
from tiewatch.campaigns.services.signing import token_hash
from tiewatch.campaigns.tests.conftest import signer

pytestmark = pytest.mark.django_db

CANARIES = ["Quokkacanary Campaign", "Quokkacanary Coalition", "Quokkacanary petition title",
            "Quokkacanary petition text", "Quokkacanary Council Chamber", "Quokkacanary speaker",
            "Quokkacanary motion", "Quokkacanary roll member", "Quokkacanary letter", "Quokkacanary pastor",
            "Quokkacanary event", "quokkacanary.example", "Quokkacanary offline", "Quokkacanary Org"]
HIDDEN = {"campaign": "hidden-campaign", "petition": "hidden-petition", "hearing": "hidden-hearing",
          "vote": "hidden-vote", "letter": "hidden-letter"}
SOURCES = [{"url": "https://quokkacanary.example/story", "title": "Quokkacanary source"}]


@pytest.fixture
def hidden(campaign: Campaign, petition: Petition) -> dict[str, Any]:
    """A published campaign (with its open petition) beside an unpublished one holding every child kind."""
    c = Campaign.objects.create(slug=HIDDEN["campaign"], name="Quokkacanary Campaign", published=False,
                                coalition="Quokkacanary Coalition", target_body="Quokkacanary Council Chamber",
                                jurisdiction=campaign.jurisdiction, sources=SOURCES)
    org = Organisation.objects.create(slug="quokka-org", name="Quokkacanary Org")
    c.members.add(org)
    p = Petition.objects.create(campaign=c, slug=HIDDEN["petition"], title="Quokkacanary petition title",
                                text="Quokkacanary petition text", target="Quokkacanary Council Chamber",
                                jurisdiction=c.jurisdiction, status="open", sources=SOURCES,
                                opens_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    OfflineSignatureBatch.objects.create(petition=p, count=77, source="https://quokkacanary.example/paper",
                                         collected_on=dt.date(2024, 2, 1), note="Quokkacanary offline")
    h = Hearing.objects.create(campaign=c, slug=HIDDEN["hearing"], body="Quokkacanary Council Chamber",
                               date=dt.date(2024, 3, 1), video_url="https://quokkacanary.example/video",
                               sources=SOURCES)
    HearingTestimony.objects.create(hearing=h, speaker="Quokkacanary speaker", stance="for")
    v = Vote.objects.create(campaign=c, hearing=h, slug=HIDDEN["vote"], body="Quokkacanary Council Chamber",
                            motion="Quokkacanary motion", date=dt.date(2024, 3, 2), outcome="passed",
                            sources=SOURCES)
    RollCallEntry.objects.create(vote=v, member="Quokkacanary roll member", position="yes")
    letter = Letter.objects.create(campaign=c, slug=HIDDEN["letter"], title="Quokkacanary letter",
                                   date=dt.date(2024, 2, 2), sources=SOURCES)
    LetterSignatory.objects.create(letter=letter, name="Quokkacanary pastor", role="pastor")
    Endorsement.objects.create(letter=letter, organisation=org)
    CampaignEvent.objects.create(campaign=c, date=dt.date(2024, 1, 5), text="Quokkacanary event", sources=SOURCES)
    # A vote of a public campaign taken at the hidden hearing is hidden with it.
    stray = Vote.objects.create(campaign=campaign, hearing=h, slug="stray-vote", body="Quokkacanary Council Chamber",
                                motion="Quokkacanary motion", date=dt.date(2024, 3, 3), outcome="passed")
    # A signer who signed before the campaign was withdrawn holds a confirmation token.
    p_signature = Signature.objects.create(petition=p, name="Early Bird", email="early@example.org",
                                           token_hash=token_hash("hidden-token"), consent=True)
    return {"campaign": c, "petition": p, "hearing": h, "vote": v, "letter": letter, "stray": stray,
            "signature": p_signature, "public_petition": petition}


def assert_no_canary(url: str, body: bytes) -> None:
    text = body.decode("utf-8", "replace").lower()
    for canary in CANARIES:
        assert canary.lower() not in text, f"{canary!r} leaked on {url}"


def page_urls() -> list[str]:
    """Every page of the campaigns app, from its URL patterns, filled with every hidden slug."""
    urls: list[str] = []
    for pattern in campaign_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if "<" not in route:
            urls.append("/" + route)
            continue
        for slug in [*HIDDEN.values(), "stray-vote"]:
            urls.append("/" + route.replace("<slug:slug>", slug).replace("<str:token>", "hidden-token"))
    return urls


def api_urls(client: Client) -> list[str]:
    """Every GET path of the whole API (from its OpenAPI schema), path parameters filled with each hidden slug."""
    urls: list[str] = []
    for path, operations in client.get("/api/openapi.json").json()["paths"].items():
        if "get" not in operations:
            continue
        if "{" not in path:
            urls.append(path)
            continue
        for slug in [*HIDDEN.values(), "stray-vote"]:
            urls.append(re.sub(r"{\w+}", slug, path))
    return urls


def test_children_of_an_unpublished_campaign_are_nowhere_public(hidden: dict[str, Any], client: Client) -> None:
    pages = page_urls()
    assert "/hearings/hidden-hearing/" in pages and "/petitions/hidden-petition/thanks/" in pages
    for url in pages:
        response = client.get(url)
        if any(f"/{slug}/" in url for slug in [*HIDDEN.values(), "stray-vote"]):
            assert response.status_code in (302, 404), f"{url} answered {response.status_code}"
        assert_no_canary(url, response.content)
    endpoints = api_urls(client)
    assert "/api/petitions" in endpoints and "/api/votes/hidden-vote" in endpoints
    for url in endpoints:
        response = client.get(url)
        assert response.status_code < 500, url
        if url.startswith(("/api/campaigns/", "/api/petitions/", "/api/hearings/", "/api/votes/", "/api/letters/")):
            assert response.status_code == 404, f"{url} answered {response.status_code}"
        assert_no_canary(url, response.content)
    # The lists still show the public campaign's petition, and nothing of the hidden one.
    listed = client.get("/api/petitions").json()
    assert [p["slug"] for p in listed] == [hidden["public_petition"].slug]
    assert "hidden-" not in client.get("/petitions/").content.decode()
    assert "hidden-" not in client.get("/campaigns/").content.decode()
    assert "hidden-" not in client.get(f"/campaigns/{hidden['public_petition'].campaign.slug}/").content.decode()


def test_no_signing_or_confirming_on_a_hidden_campaign(hidden: dict[str, Any], client: Client) -> None:
    r = client.post("/api/petitions/hidden-petition/signatures", json.dumps(signer(1)),
                    content_type="application/json")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.post("/petitions/hidden-petition/", {"name": "A B"}).status_code == 404
    r = client.post("/api/signatures/confirm", json.dumps({"token": "hidden-token"}), content_type="application/json")
    assert r.status_code == 404
    assert_no_canary("/api/signatures/confirm", r.content)
    hidden["signature"].refresh_from_db()
    assert hidden["signature"].confirmed_at is None
    assert Signature.objects.filter(petition=hidden["petition"]).count() == 1


def test_staff_still_reach_the_hidden_petition(hidden: dict[str, Any], client: Client, users: dict[str, Any]) -> None:
    client.force_login(users["alice"])
    assert client.get("/petitions/hidden-petition/moderate/").status_code == 200
    assert client.get("/petitions/hidden-petition/export.csv").status_code == 200


def test_publishing_the_campaign_shows_its_children_again(hidden: dict[str, Any], client: Client) -> None:
    Campaign.objects.filter(pk=hidden["campaign"].pk).update(published=True)
    for url in ("/campaigns/hidden-campaign/", "/petitions/hidden-petition/", "/hearings/hidden-hearing/",
                "/votes/hidden-vote/", "/letters/hidden-letter/", "/votes/stray-vote/", "/api/petitions/hidden-petition",
                "/api/hearings/hidden-hearing", "/api/votes/hidden-vote", "/api/letters/hidden-letter"):
        assert client.get(url).status_code == 200, url
    assert "Quokkacanary event" in client.get("/campaigns/hidden-campaign/").content.decode()


def test_a_campaign_cites_only_ties_the_registry_shows_the_public(seeded: Any, client: Client) -> None:
    """A published campaign citing a tie whose subject is a draft shows neither the tie nor the draft's
    name, on its page or in the API (the registry's visibility rule, not a filter of its own)."""
    from tiewatch.campaigns.demo_loader import load
    from tiewatch.registry.models import Entity, Tie

    load()
    cited = "us-ga-atlanta-police-department--direct--undated"
    atlanta = Tie.objects.get(pk=cited).subject
    Entity.objects.filter(pk=atlanta.pk).update(published=False, name="Canary Draft Agency")
    slug = Campaign.objects.get(evidence=cited).slug
    page = client.get(f"/campaigns/{slug}/")
    api = client.get(f"/api/campaigns/{slug}")
    assert page.status_code == api.status_code == 200
    assert b"Canary Draft Agency" not in page.content and cited.encode() not in page.content
    assert cited not in api.json()["evidence"]
    assert "us-nc-durham-police-department--adl-ncts--2008" in api.json()["evidence"]
