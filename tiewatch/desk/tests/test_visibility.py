"""Drafts never leak through the desk (docs/registry.md#roles-and-visibility): the registry's canary
drafts plus a draft records request and a published request to a draft agency; then every feed and
follow page of the records around them, and a crawl from the desk's pages, must show no canary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tiewatch.desk import activity
from tiewatch.desk.models import RecordsRequest
from tiewatch.registry.models import Entity
from tiewatch.registry.tests.test_visibility import MARKER, assert_clean, canaries, canary, crawl

DURHAM = "us-nc-durham-police-department"
__all__ = ["canaries"]  # the registry's canary fixture, used here by name


@pytest.fixture
def desk_canaries(canaries: None) -> None:
    durham, hidden = Entity.objects.get(pk=DURHAM), Entity.objects.get(pk=canary("police_agency"))
    for agency, published, title in ((durham, False, f"{MARKER} draft request"),
                                     (hidden, True, f"{MARKER} request to a draft agency")):
        RecordsRequest.objects.create(agency=agency, title=title, text=f"{MARKER} text", law="NC",
                                      sent_on=dt.date(2026, 11, 2), published=published)
    # A published request whose requester chose not to be named: the name is hidden like a draft.
    RecordsRequest.objects.create(agency=durham, title="Published request", text="Training records", law="NC",
                                  sent_on=dt.date(2026, 11, 2), published=True, requester=f"{MARKER} requester")


def test_no_feed_or_follow_page_shows_a_draft(client: Any, desk_canaries: None) -> None:
    targets = [("entity", DURHAM), ("entity", "us-nc-visibility-unit"), ("entity", "il-israel-police"),
               ("place", "country:us/state:nc"), ("place", "country:us/state:nc/place:durham"),
               ("policy", "us-nc-durham-2018-international-police-exchanges"), ("program", "program-adl-ncts")]
    for kind, target in targets:
        for url in (f"/feeds/{kind}/{target}/", f"/follow/{kind}/{target}/"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_clean(response.content.decode(), url)
    durham_feed = client.get(f"/feeds/entity/{DURHAM}/").content.decode()
    assert "Published request" in durham_feed and "visibility-draft-parties" in durham_feed
    for url in (f"/feeds/entity/{canary('police_agency')}/", f"/follow/program/{canary('program')}/",
                "/feeds/place/country:us/state:nc/place:zqcanaryville/"):
        assert client.get(url).status_code == 404, url


def test_a_crawl_of_the_desk_pages_shows_no_draft(client: Any, desk_canaries: None) -> None:
    visited = crawl(client, ["/requests/", "/requests/?overdue=1", f"/follow/entity/{DURHAM}/",
                             "/api/requests", "/requests/?format=csv"])
    assert "/requests/?format=json" in visited
    assert any(url.startswith("/requests/") and url.rstrip("/").split("/")[-1].isdigit() for url in visited)


def test_the_activity_of_a_record_leaves_out_its_draft_ties_changes(desk_canaries: None) -> None:
    titles = [item.title for item in activity.items(activity.target("entity", DURHAM), limit=1000)]
    assert titles and not [t for t in titles if MARKER in t]
