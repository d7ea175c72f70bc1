"""The site search (/search/, /api/search): every public record type, grouped and ranked; typos
forgiven (pg_trgm on PostgreSQL, rapidfuzz over the records' words on SQLite) with "did you mean"."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tiewatch.campaigns.models import Campaign, Petition
from tiewatch.registry.models import Entity, Jurisdiction, Source
from tiewatch.site import search

DURHAM = "us-nc-durham-police-department"


@pytest.fixture
def campaigns(seeded: Any) -> None:
    jurisdiction = "ocd-division/country:us/state:nc/place:durham"
    public = Campaign.objects.create(slug="demilitarize-durham", name="Demilitarize Durham", published=True,
                                     target_body="Durham City Council", jurisdiction=jurisdiction)
    Campaign.objects.create(slug="secret-durham", name="Secret Durham plan", published=False,
                            target_body="Durham City Council", jurisdiction=jurisdiction)
    Petition.objects.create(campaign=public, slug="end-durham-exchanges", title="End Durham police exchanges",
                            text="Please.", target="Durham City Council", jurisdiction=jurisdiction, status="open")


def _types(results: search.Results) -> list[str]:
    return [g.type for g in results.groups]


def test_one_search_finds_every_public_type_grouped(campaigns: None) -> None:
    results = search.search("Durham")
    assert not results.fuzzy and results.suggestion == ""
    assert {"entity", "place", "policy", "campaign", "petition"} <= set(_types(results))
    labels = {g.type: [h.label for h in g.hits] for g in results.groups}
    assert "Durham Police Department" in labels["entity"]
    assert labels["place"][0] == "Durham"  # the exact name ranks first
    assert labels["campaign"] == ["Demilitarize Durham"]  # the draft campaign stays out
    assert labels["petition"] == ["End Durham police exchanges"]


def test_aliases_and_sources_are_searched(seeded: Any) -> None:
    durham = Entity.objects.get(pk=DURHAM)
    durham.aliases = ["Bull City Police"]
    durham.save()
    Source.objects.create(id="src-herald", url="https://herald.example.org/a", title="Exchange trips examined",
                          publisher="Herald Sun")
    Source.objects.create(id="src-hidden", url="https://herald.example.org/b", title="Exchange draft",
                          publisher="Herald Sun", published=False)
    by_type = {g.type: [h.url for h in g.hits] for g in search.search("bull city").groups}
    assert by_type["entity"] == [f"/entities/{DURHAM}/"]
    by_type = {g.type: [h.url for h in g.hits] for g in search.search("herald sun exchange").groups}
    assert by_type == {"source": ["/sources/src-herald/"]}


def test_typo_gives_close_matches_and_did_you_mean(campaigns: None) -> None:
    results = search.search("Durhm")
    assert results.fuzzy and results.suggestion == "Durham"
    entity_urls = {h.url for g in results.groups if g.type == "entity" for h in g.hits}
    assert f"/entities/{DURHAM}/" in entity_urls
    assert "campaign" in _types(results)
    assert all(h.label != "Secret Durham plan" for g in results.groups for h in g.hits)


def test_search_page_and_api(client: Any, campaigns: None) -> None:
    page = client.get("/search/?q=Durhm").content.decode()
    assert 'Did you mean <a href="?q=Durham">Durham</a>?' in page
    assert f'href="/entities/{DURHAM}/"' in page and 'href="/campaigns/demilitarize-durham/"' in page
    page = client.get("/search/?q=Durham").content.decode()
    assert "Places" in page and "Campaigns" in page and "Did you mean" not in page
    body = client.get("/api/search?q=durhm").json()
    assert body["suggestion"] == "Durham" and body["close_matches"] is True
    assert {"entity", "campaign"} <= {g["type"] for g in body["groups"]}
    bad = client.get("/api/search?q=a%00b")
    assert bad.status_code == 422 and bad.json()["error"]["fields"]["q"]
    missing = client.get("/api/search")
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid"


def test_nonsense_finds_nothing(client: Any, campaigns: None) -> None:
    results = search.search("qqqqxxxx")
    assert results.groups == [] and results.suggestion == ""
    assert "Nothing found" in client.get("/search/?q=qqqqxxxx").content.decode()


def test_close_matches_use_the_trigram_index_on_postgresql(campaigns: None) -> None:
    if connection.vendor != "postgresql":
        assert search.close_texts({"a": "Durham Police Department", "b": "Raleigh"}, ["durhm"])[0][0] == "a"
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'site_entity_search_trgm'")
        row = cursor.fetchone()
    assert row and "gin_trgm_ops" in row[0]
    qs = Entity.objects.extra(where=["%s <%% registry_entity.search_text"], params=["durhm"]).order_by()
    with connection.cursor() as cursor:
        # A tiny table: rule out the other plans to show the planner can use the index at all.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        try:
            plan = qs.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
            cursor.execute("SET enable_indexscan = on")
    assert "site_entity_search_trgm" in plan


def test_public_places_follow_the_registry_rule(seeded: Any) -> None:
    hidden = "ocd-division/country:us/state:nc/place:zqville"
    Jurisdiction.objects.create(id=hidden, name="Zqville", parent_id="ocd-division/country:us/state:nc")
    Entity.objects.create(id="xx-hidden-unit", name="Hidden unit", kind="police_agency", published=False,
                          jurisdiction_id=hidden)
    public = set(search.public_places(False).values_list("pk", flat=True))
    assert public == set(search.visibility.jurisdictions(False).values_list("pk", flat=True))
    assert hidden not in public and "ocd-division/country:us/state:nc/place:durham" in public
    assert search.search("Zqville").groups == []
