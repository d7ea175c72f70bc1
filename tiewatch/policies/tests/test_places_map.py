"""The places page: places by name (never a raw OCD id), grouped by state, with a map of the kinds of
policy by state and one of the policies in force by county, each with its table."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tiewatch.policies import services


def _visible_text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html.split("<main>", 1)[1].split("</main>", 1)[0])


@pytest.mark.django_db
def test_places_by_name_with_maps(client: Client) -> None:
    html = client.get("/policies/places/").content.decode()
    text = _visible_text(html)
    assert "ocd-division" not in text and "place:" not in text
    assert "Durham, North Carolina" in text and "New Orleans, Louisiana" in text and "Exampleville" in text
    assert '<h2 id="state-nc">North Carolina</h2>' in html and '<h2 id="state-other">Other places</h2>' in html
    assert html.count('class="usmap"') == 2
    # The state map links each state to its group on the page; the table says which kinds.
    assert '<a href="/policies/places/#state-nc" tabindex="-1">' in html
    assert ('<th scope="row"><a href="/policies/places/#state-la">Louisiana</a></th>'
            '<td>resolution (rescinded)</td>') in html
    assert '<th scope="row">Durham County</th><td>1</td>' in html


@pytest.mark.django_db
def test_places_map_counts_every_instrument_of_the_loaded_packs(client: Client) -> None:
    rows = services.jurisdiction_table(services.load_instruments())
    in_force_us = {r["jurisdiction"] for r in rows if r["status"] == "in force" and "/state:xx" not in r["jurisdiction"]}
    html = client.get("/policies/places/").content.decode()
    county_table = html.split("Policies in force, by county</caption>", 1)[1].split("</table>", 1)[0]
    shown = sum(int(n) for n in re.findall(r"<td>(\d+)</td>", county_table))
    # The county map places instruments of a place or county; a state's or the nation's laws are on the state map.
    local = [r for r in rows if r["jurisdiction"] in in_force_us and ("/place:" in r["jurisdiction"]
                                                                        or "/county:" in r["jurisdiction"])]
    assert local and shown == len(local)
    state_laws = [r for r in rows if r["status"] == "in force" and r["jurisdiction"].count("/") == 2
                  and "/state:xx" not in r["jurisdiction"]]
    assert state_laws and all(f'href="/policies/places/#state-{r["jurisdiction"].rsplit(":", 1)[1]}"' in html
                              for r in state_laws)


@pytest.mark.django_db
def test_exports_keep_the_ids(client: Client) -> None:
    # The CSV and JSON exports are for machines: they keep the OCD ids.
    rows = client.get("/policies/places/?format=json").json()
    assert "ocd-division/country:us/state:nc/place:durham" in {r["jurisdiction"] for r in rows}
