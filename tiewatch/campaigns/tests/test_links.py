"""Only http(s) links from data are clickable (tiewatch.core.urls, the one rule): a `javascript:` URL
already stored (or slipped in another way) renders as text, and the admin refuses one with an
error under its field."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import (
    Campaign,
    CampaignEvent,
    Hearing,
    Letter,
    OfflineSignatureBatch,
    Petition,
)
from tiewatch.registry.models import Source

pytestmark = pytest.mark.django_db

EVIL = "javascript:alert(document.domain)"
EVIL_SOURCES = [{"url": EVIL, "title": "Evil source"}, {"url": "https://example.org/good", "title": "Good source"}]


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def assert_no_script_link(html: str) -> None:
    bad = [h for h in hrefs(html) if not (h.startswith(("/", "?", "#", "http://", "https://")))]
    assert bad == [], bad
    assert "javascript:" not in " ".join(hrefs(html)).lower()


@pytest.fixture
def evil_records(campaign: Campaign, petition: Petition) -> dict[str, Any]:
    """Records holding `javascript:` links, as an old import or a direct database write would leave them."""
    Campaign.objects.filter(pk=campaign.pk).update(sources=EVIL_SOURCES)
    Petition.objects.filter(pk=petition.pk).update(sources=EVIL_SOURCES)
    OfflineSignatureBatch.objects.create(petition=petition, count=3, source=EVIL)
    hearing = Hearing.objects.create(campaign=campaign, slug="evil-hearing", body="Council", date=dt.date(2024, 1, 2),
                                     video_url=EVIL, sources=EVIL_SOURCES)
    letter = Letter.objects.create(campaign=campaign, slug="evil-letter", title="Letter", date=dt.date(2024, 1, 3),
                                   sources=EVIL_SOURCES)
    CampaignEvent.objects.create(campaign=campaign, date=dt.date(2024, 1, 4), text="Evil event", link=EVIL,
                                 sources=EVIL_SOURCES)
    CampaignEvent.objects.create(campaign=campaign, date=dt.date(2024, 1, 5), text="Other host", link="//evil.example/")
    source = Source.objects.create(id="src-evil", url=EVIL, title="Evil registry source")
    return {"hearing": hearing, "letter": letter, "source": source}


def test_script_urls_from_data_render_as_text(client: Client, evil_records: dict[str, Any], petition: Petition) -> None:
    pages = [f"/campaigns/{petition.campaign.slug}/", f"/petitions/{petition.slug}/", "/hearings/evil-hearing/",
             "/letters/evil-letter/", "/sources/src-evil/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_no_script_link(html)
    hearing = client.get("/hearings/evil-hearing/").content.decode()
    assert 'href="https://example.org/good"' in hearing and "Evil source" in hearing  # shown, not linked
    assert 'id="video-link"' not in hearing
    timeline = client.get(f"/campaigns/{petition.campaign.slug}/").content.decode()
    assert "Evil event" in timeline and "Other host" in timeline and "//evil.example" not in timeline
    assert "Evil registry source" in client.get("/sources/src-evil/").content.decode()


def test_site_links_of_events_stay_links(client: Client, campaign: Campaign, petition: Petition) -> None:
    CampaignEvent.objects.create(campaign=campaign, date=dt.date(2024, 1, 4), text="Petition started",
                                 link=f"/petitions/{petition.slug}/")
    html = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert f'href="/petitions/{petition.slug}/"' in html


def _admin(client: Client, users: dict[str, Any]) -> Client:
    client.force_login(users["alice"])
    return client


def _hearing_form(**overrides: Any) -> dict[str, Any]:
    data = {"slug": "h2", "body": "Council", "date": "2024-02-01", "video_url": "", "sources": "[]", "note": "",
            "agenda_item": "", "testimonies-TOTAL_FORMS": "0", "testimonies-INITIAL_FORMS": "0",
            "testimonies-MIN_NUM_FORMS": "0", "testimonies-MAX_NUM_FORMS": "1000", "_save": "Save"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("field", "value", "message"), [
    ("video_url", "ftp://example.org/video", "Enter an absolute http:// or https:// URL."),
    ("sources", json.dumps([{"url": EVIL}]), "source 1, url: Enter an absolute http:// or https:// URL."),
    ("sources", json.dumps([{"url": "https://ok.example/"}, {"title": "no url"}]), "source 2, url: Field required"),
    ("sources", json.dumps({"url": "https://ok.example/"}), "Input should be a valid list"),
])
def test_campaign_admin_refuses_non_http_links(client: Client, users: dict[str, Any], db: Any, field: str,
                                               value: str, message: str) -> None:
    response = _admin(client, users).post("/admin/campaigns/hearing/add/", _hearing_form(**{field: value}))
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Hearing.objects.filter(slug="h2").exists()
    ok = client.post("/admin/campaigns/hearing/add/", _hearing_form(
        video_url="https://video.example/h2", sources=json.dumps([{"url": "https://ok.example/", "title": "T"}])))
    assert ok.status_code == 302 and Hearing.objects.get(slug="h2").video_url == "https://video.example/h2"


def test_campaign_event_inline_refuses_a_script_link(client: Client, users: dict[str, Any], campaign: Campaign) -> None:
    data = {"slug": campaign.slug, "name": campaign.name, "target_body": campaign.target_body,
            "jurisdiction": campaign.jurisdiction, "sources": "[]", "published": "on",
            "campaignmembership_set-TOTAL_FORMS": "0", "campaignmembership_set-INITIAL_FORMS": "0",
            "campaignmembership_set-MIN_NUM_FORMS": "0", "campaignmembership_set-MAX_NUM_FORMS": "1000",
            "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "0", "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000", "events-0-date": "2024-01-01", "events-0-precision": "day",
            "events-0-kind": "other", "events-0-text": "An event", "events-0-link": EVIL, "events-0-sources": "[]",
            "_save": "Save"}
    response = _admin(client, users).post(f"/admin/campaigns/campaign/{campaign.pk}/change/", data)
    assert response.status_code == 200
    assert "Enter a path on this site" in response.content.decode()
    assert not CampaignEvent.objects.exists()
    data["events-0-link"] = "/petitions/x/"
    assert client.post(f"/admin/campaigns/campaign/{campaign.pk}/change/", data).status_code == 302
    assert CampaignEvent.objects.get().link == "/petitions/x/"


def test_registry_admin_source_url_is_http_only(client: Client, users: dict[str, Any]) -> None:
    admin = _admin(client, users)
    for url in ("ftp://example.org/report", EVIL):
        response = admin.post("/admin/registry/source/add/", {"id": "src-x", "url": url, "_save": "Save"})
        assert response.status_code == 200 and "url" in response.context["adminform"].form.errors, url
    assert not Source.objects.filter(pk="src-x").exists()
    response = admin.post("/admin/registry/source/add/", {"id": "src-x", "url": "https://example.org/r", "_save": "Save"})
    assert response.status_code == 302 and Source.objects.filter(pk="src-x").exists()


def test_api_answers_carry_no_script_urls(client: Client, evil_records: dict[str, Any], petition: Petition) -> None:
    for url in (f"/api/campaigns/{petition.campaign.slug}", "/api/hearings/evil-hearing", "/api/letters/evil-letter"):
        text = client.get(url).content.decode()
        assert "javascript:" not in text and "//evil.example" not in text, url
        assert "https://example.org/good" in text and "Evil source" in text, url
    assert client.get("/api/hearings/evil-hearing").json()["video_url"] is None
