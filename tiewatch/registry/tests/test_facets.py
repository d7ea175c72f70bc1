"""Facet counts and sortable column headers on the tie, entity and source lists (issue 12): each count
equals what its link lists; headers are server-side links over whitelisted sorts; exports keep the filters."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import pytest
from django.core.cache import cache

from tiewatch.registry.models import Source, Tie

DURHAM = "us-nc-durham-police-department"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def facet_links(page: str, label: str) -> dict[str, tuple[str, int]]:
    """Facet `label` of a page: value text -> (href, count)."""
    section = re.search(rf'<section class="facet" aria-label="{label}">(.*?)</section>', page, re.S)
    assert section, label
    return {text: (unescape(href), int(n.replace(",", ""))) for href, text, n in re.findall(
        r'<a rel="nofollow" href="([^"]+)"[^>]*>([^<]+)</a> <span class="muted">([\d,]+)</span>', section.group(1))}


def listed(client: Any, query: str) -> int:
    return len(client.get(f"/api/ties{query.replace('?', '?page_size=500&', 1)}").json()["results"])


@pytest.mark.parametrize("label", ["Kind", "Counterpart country", "Year", "Program", "Status", "Dataset"])
def test_each_tie_facet_count_equals_its_links_list(client: Any, seeded: Any, label: str) -> None:
    page = client.get("/ties/").content.decode()
    links = facet_links(page, label)
    assert links, label
    for text, (href, count) in list(links.items())[:6]:
        assert listed(client, href) == count, (label, text, href)


def test_the_dataset_facet_links_apply_its_filter_and_keep_the_others(client: Any, seeded: Any) -> None:
    training = list(Tie.objects.filter(kind="training").values_list("pk", flat=True)[:3])
    Tie.objects.filter(pk__in=training).update(dataset="leso")
    page = client.get("/ties/?kind=training").content.decode()
    datasets = facet_links(page, "Dataset")
    assert datasets["LESO dataset records"] == ("?kind=training&dataset=leso", 3)
    href, count = datasets["curated ties"]
    assert href == "?kind=training&dataset=curated" and listed(client, href) == count
    chosen = client.get("/ties/?kind=training&dataset=leso").content.decode()
    assert facet_links(chosen, "Dataset") == {"LESO dataset records": ("?kind=training", 3)}  # clears it
    assert 'aria-current="true" class="selected">LESO dataset records</a>' in chosen


def test_facets_follow_the_filters_and_clear(client: Any, seeded: Any) -> None:
    page = client.get("/ties/?kind=training").content.decode()
    kinds = facet_links(page, "Kind")
    assert set(kinds) == {"training"} and kinds["training"][0] == "?"  # the selected value's link clears it
    years = facet_links(page, "Year")
    assert sum(c for _, c in years.values()) >= kinds["training"][1]
    assert 'aria-label="Dataset"' in page
    entities = client.get("/entities/?country=IL").content.decode()
    countries = facet_links(entities, "Country")
    assert list(countries) == ["IL"]
    kinds = facet_links(entities, "Kind")
    for href, count in kinds.values():
        assert "country=IL" in href and client.get(f"/api/entities{href}&page_size=500").json()["count"] == count


def test_sortable_headers_are_links_over_whitelisted_sorts(client: Any, seeded: Any) -> None:
    page = client.get("/ties/?kind=training").content.decode()
    assert '<th aria-sort="descending"><a rel="nofollow" href="?kind=training&amp;sort=year">When ▼</a></th>' in page
    assert '<a rel="nofollow" href="?kind=training&amp;sort=subject">Subject</a>' in page
    oldest = client.get("/ties/?sort=year").content.decode()
    assert '<th aria-sort="ascending"><a rel="nofollow" href="?sort=-year">When ▲</a></th>' in oldest
    ids = re.findall(r'href="/ties/([^"/]+)/"', oldest)
    years = dict(Tie.objects.filter(pk__in=ids).values_list("pk", "year_from"))
    dated = [years[i] for i in ids if years.get(i) is not None]
    assert dated == sorted(dated)
    names = client.get("/entities/?sort=-name").content.decode()
    assert '<th aria-sort="descending"><a rel="nofollow" href="?sort=name">Name ▼</a></th>' in names
    sources = client.get("/sources/?sort=publisher").content.decode()
    assert '<th aria-sort="ascending"><a rel="nofollow" href="?sort=publisher">Publisher ▲</a></th>' in sources
    assert client.get("/sources/?sort=url%3B%20drop").status_code == 400
    assert client.get("/ties/?sort=nope").status_code == 400


def test_exports_keep_the_filters_and_sort(client: Any, seeded: Any) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/ties/?kind=training&sort=year&format=csv").content.decode())))
    assert rows and {r["kind"] for r in rows} == {"training"}
    body = client.get("/sources/?sort=-title&format=json").json()
    expected = list(Source.objects.filter(published=True).order_by("-title", "id").values_list("id", flat=True))
    assert [r["id"] for r in body["sources"]] == expected


def test_a_large_filtered_list_offers_its_facets_by_a_link(client: Any, seeded: Any, settings: Any) -> None:
    from tiewatch.registry import queries

    settings.TIEWATCH_PAGE_SIZE = 50
    cap = queries.COUNT_CAP
    queries.COUNT_CAP = 1
    try:
        page = client.get("/ties/?status=reported").content.decode()
        assert 'class="facets-deferred"' in page and "facets=1" in page
        asked = client.get("/ties/?status=reported&facets=1").content.decode()
        assert 'aria-label="Kind"' in asked
    finally:
        queries.COUNT_CAP = cap


def test_findings_list_has_facets_and_sortable_headers(client: Any, seeded: Any) -> None:
    from django.utils import timezone

    from tiewatch.policies.models import Finding, ScreeningRun

    now = timezone.now()
    run = ScreeningRun.objects.create(started_at=now, policy_set_hash="x")
    tie_ids = list(Tie.objects.order_by("id").values_list("id", "subject_id")[:5])
    for i, (tie_id, subject) in enumerate(tie_ids):
        Finding.objects.create(tie_id=tie_id, subject_id=subject, policy_id=("us-nc-durham-2018" if i % 2 else "us-x"),
                               rule_id="r1", effect=("prohibit" if i < 3 else "report"), first_run=run, last_run=run,
                               appeared_at=now)
    current = Finding.objects.filter(disappeared_run__isnull=True)
    page = client.get("/policies/findings/").content.decode()
    policies = facet_links(page, "Policy")
    assert {text: c for text, (_, c) in policies.items()} == {"us-x": 3, "us-nc-durham-2018": 2}
    for href, count in policies.values():
        assert len(client.get(f"/policies/findings/{href}&format=json").json()) == count
    assert sum(c for _, c in facet_links(page, "Effect").values()) == current.count()
    assert '<a rel="nofollow" href="?sort=effect">Effect</a>' in page
    by_effect = client.get("/policies/findings/?sort=effect&format=json").json()
    assert [f["effect"] for f in by_effect] == sorted(f["effect"] for f in by_effect)
    assert client.get("/policies/findings/?sort=evil").status_code == 400
