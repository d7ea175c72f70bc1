"""The campaigns list (issue 12, "facets and sorting"): counts per outcome, state and year begun, each a
link applying that filter and keeping the others; sortable headers; CSV and JSON exports of the filtered
list; withdrawn campaigns nowhere; bad filters a 400, never a 500."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import Campaign, CampaignEvent, Petition

pytestmark = pytest.mark.django_db


def facet(page: str, label: str) -> dict[str, tuple[str, int]]:
    section = re.search(rf'<section class="facet" aria-label="{label}">(.*?)</section>', page, re.S)
    assert section, label
    return {text: (unescape(href), int(n)) for href, text, n in re.findall(
        r'<a rel="nofollow" href="([^"]+)"[^>]*>([^<]+)</a> <span class="muted">(\d+)</span>', section.group(1))}


@pytest.fixture
def campaigns(db: Any) -> None:
    def make(slug: str, ocd: str, began: str | None, policy: str = "", published: bool = True) -> Campaign:
        c = Campaign.objects.create(slug=slug, name=slug.replace("-", " ").title(), target_body="Council",
                                    jurisdiction=ocd, policy_id=policy, published=published)
        if began:
            CampaignEvent.objects.create(campaign=c, date=dt.date.fromisoformat(began), text="Launched")
        return c
    durham = make("durham-exchanges", "ocd-division/country:us/state:nc/place:durham", "2017-05-01", "us-nc-durham")
    Petition.objects.create(campaign=durham, slug="durham-p", title="P", text="t", target="Council",
                            jurisdiction=durham.jurisdiction, status="open")
    make("asheville-training", "ocd-division/country:us/state:nc/place:asheville", "2019-02-01")
    make("oakland-urban-shield", "ocd-division/country:us/state:ca/place:oakland", "2017-09-01", "us-ca-x")
    make("national-letter", "ocd-division/country:us", None)
    make("withdrawn-campaign", "ocd-division/country:us/state:ca", "2017-01-01", published=False)


def exported(client: Client, query: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(client.get(f"/campaigns/{query}").content.decode())))


def test_facet_counts_link_to_what_they_count(client: Client, campaigns: None) -> None:
    page = client.get("/campaigns/").content.decode()
    assert facet(page, "Outcome") == {"no policy yet": ("?outcome=no+policy+yet", 2),
                                      "policy adopted": ("?outcome=policy+adopted", 2)}
    assert facet(page, "State") == {"North Carolina": ("?state=nc", 2), "California": ("?state=ca", 1),
                                    "National": ("?state=national", 1)}
    assert facet(page, "Year begun") == {"2017": ("?year=2017", 2), "2019": ("?year=2019", 1)}
    for label in ("Outcome", "State", "Year begun"):
        for href, count in facet(page, label).values():
            assert len(exported(client, href + "&format=csv")) == count
    assert "Withdrawn" not in page


def test_filters_combine_and_a_selected_value_clears(client: Client, campaigns: None) -> None:
    page = client.get("/campaigns/?state=nc&year=2017").content.decode()
    assert facet(page, "State") == {"North Carolina": ("?year=2017", 1)}
    assert facet(page, "Outcome") == {"policy adopted": ("?state=nc&year=2017&outcome=policy+adopted", 1)}
    assert "Durham Exchanges" in page and "Asheville" not in page and "Oakland" not in page


def test_headers_sort_and_exports_follow_the_list(client: Client, campaigns: None) -> None:
    page = client.get("/campaigns/?sort=-year").content.decode()
    assert '<th aria-sort="descending"><a rel="nofollow" href="?sort=year">Begun ▼</a></th>' in page
    assert [r["slug"] for r in exported(client, "?sort=-year&format=csv")] == [
        "asheville-training", "durham-exchanges", "oakland-urban-shield", "national-letter"]
    assert [r["slug"] for r in exported(client, "?sort=name&format=csv")] == [
        "asheville-training", "durham-exchanges", "national-letter", "oakland-urban-shield"]
    body = client.get("/campaigns/?state=nc&format=json").json()
    assert [c["slug"] for c in body["campaigns"]] == ["asheville-training", "durham-exchanges"]  # by name
    durham = next(c for c in body["campaigns"] if c["slug"] == "durham-exchanges")
    assert durham["place"] == "Durham, North Carolina" and durham["petitions"] == 1 and durham["year"] == 2017
    assert 'href="?sort=-year&amp;format=csv"' in page


def test_bad_filters_are_form_errors(client: Client, campaigns: None) -> None:
    for query in ("?year=soon", "?outcome=won", "?sort=jurisdiction", "?state=xx", "?format=xml"):
        response = client.get(f"/campaigns/{query}")
        assert response.status_code == 400, query
        assert "Please correct the filters above." in response.content.decode()
