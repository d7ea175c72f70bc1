"""The policies list and the places page (issue 12, "facets and sorting"): counts per filter value, each
a link applying that filter and keeping the others; sortable headers; exports of the filtered list with
the columns they always had; bad filters a 400 with the form's errors, never a 500."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.test import Client

from tiewatch.policies import services

pytestmark = pytest.mark.django_db


def facet(page: str, label: str) -> dict[str, tuple[str, int]]:
    section = re.search(rf'<section class="facet" aria-label="{label}">(.*?)</section>', page, re.S)
    assert section, label
    return {text: (unescape(href), int(n)) for href, text, n in re.findall(
        r'<a rel="nofollow" href="([^"]+)"[^>]*>([^<]+)</a> <span class="muted">(\d+)</span>', section.group(1))}


def exported(client: Client, query: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(client.get(f"/policies/{query}").content.decode())))


def test_each_policy_facet_count_equals_what_its_link_lists(client: Client) -> None:
    page = client.get("/policies/").content.decode()
    every = [services.instrument_summary(i) for i in services.load_instruments()]
    types = facet(page, "Type")
    assert types["state law"] == ("?type=state_law", sum(r["type"] == "state_law" for r in every))
    for label in ("Type", "Status", "State", "Year adopted"):
        for text, (href, count) in facet(page, label).items():
            assert len(exported(client, href + "&format=csv")) == count, (label, text)
    assert facet(page, "State")["North Carolina"][0] == "?state=nc"


def test_a_facet_link_keeps_the_other_filters_and_the_selected_one_clears(client: Client) -> None:
    page = client.get("/policies/?type=state_law&sort=-adopted").content.decode()
    years = facet(page, "Year adopted")
    assert years and all(href.startswith("?type=state_law&sort=-adopted&year=") for href, _ in years.values())
    assert facet(page, "Type") == {"state law": ("?sort=-adopted", 3)}
    assert "Durham" not in page  # a statement, not a state law


def test_headers_sort_the_list_and_the_export_follows(client: Client) -> None:
    page = client.get("/policies/?sort=adopted").content.decode()
    assert '<th aria-sort="ascending"><a rel="nofollow" href="?sort=-adopted">Adopted ▲</a></th>' in page
    adopted = [row["adopted"] for row in exported(client, "?sort=adopted&format=csv")]
    dated = [a for a in adopted if a]
    assert dated == sorted(dated) and adopted[: len(dated)] == dated  # undated last
    newest = [row["adopted"] for row in exported(client, "?sort=-adopted&format=csv") if row["adopted"]]
    assert newest == sorted(dated, reverse=True)
    assert list(exported(client, "?format=csv")[0]) == services.POLICY_COLUMNS
    assert 'href="?sort=adopted&amp;format=csv"' in page


def test_bad_filters_are_form_errors(client: Client) -> None:
    for query in ("?year=soon", "?type=decree", "?sort=__class__", "?state=zz", "?year=99999"):
        response = client.get(f"/policies/{query}")
        assert response.status_code == 400, query
        assert "Please correct the filters above." in response.content.decode()
        assert client.get(f"/policies/places/{query}").status_code == 400


def test_the_places_page_counts_and_filters_like_the_list(client: Client) -> None:
    page = client.get("/policies/places/?state=ca").content.decode()
    assert facet(page, "State") == {"California": ("?", 1)}
    assert facet(page, "Type") == {"state law": ("?state=ca&type=state_law", 1)}
    assert "Durham" not in page.split("<h2", 2)[-1]
    rows = client.get("/policies/places/?state=ca&format=json").json()
    assert [r["jurisdiction"] for r in rows] == ["ocd-division/country:us/state:ca"]
    assert set(rows[0]) == {"jurisdiction", "policy", "title", "body", "type", "adopted", "rescinded", "status",
                            "binding"}
