"""The registry at a glance: the chart of ties by year and kind and the maps of ties by state and county,
on the home page and the tie list, counted from the database independently of the code under test."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tiewatch.registry import atlas
from tiewatch.registry.audit import record_change, snapshot
from tiewatch.registry.models import Entity, Jurisdiction, Tie
from tiewatch.registry.visibility import ties


@pytest.fixture(autouse=True)
def _no_cached_overview() -> Any:
    """The registry overview is cached by the latest audit record's id, which a rolled-back test
    database hands out again: each test starts with an empty cache."""
    cache.clear()
    yield
    cache.clear()


def _state_of(ocd_id: str | None) -> str | None:
    match = re.match(r"ocd-division/country:us/(?:state|district):([a-z]{2})(/|$)", ocd_id or "")
    return match.group(1) if match else None


def _visible_counts_by_state() -> dict[str, int]:
    out: dict[str, int] = {}
    for tie in ties(False).select_related("subject"):
        state = _state_of(tie.subject.jurisdiction_id)
        if state and state != "xx":
            out[state] = out.get(state, 0) + 1
    return out


def _table(html: str, title: str) -> dict[str, str]:
    section = html.split(f"<caption class=\"visually-hidden\">{title}</caption>", 1)[1].split("</table>", 1)[0]
    return {re.sub(r"<[^>]+>", "", name): value
            for name, value in re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', section)}


@pytest.mark.django_db
def test_home_shows_chart_and_state_map_matching_the_database(client: Client, seeded: Any) -> None:
    html = client.get("/").content.decode()
    assert "The whole registry at a glance" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
    expected = _visible_counts_by_state()
    assert expected, "the demo places ties in US states"
    shown = _table(html, "Curated ties by state")
    from tiewatch.registry.jurisdictions import US_STATES
    assert shown == {US_STATES[code]: f"{n:,}" for code, n in expected.items()}
    total = ties(False).count()
    assert f"{total} ties, from " in html


@pytest.mark.django_db
def test_maps_follow_the_tie_list_filters_and_drafts(client: Client, seeded: Any) -> None:
    tie = ties(False).filter(subject__jurisdiction__id__startswith="ocd-division/country:us/state:").first()
    assert tie is not None
    html = client.get(f"/ties/?subject={tie.subject_id}").content.decode()
    state = _state_of(tie.subject.jurisdiction_id)
    from tiewatch.registry.jurisdictions import US_STATES
    n = ties(False).filter(subject_id=tie.subject_id).count()
    assert _table(html, "Curated ties by state") == {US_STATES[state or ""]: str(n)}
    # A draft subject's ties are on no public map.
    Entity.objects.filter(pk=tie.subject_id).update(published=False)
    public = atlas.areas_by_dataset(ties(False))
    staff = atlas.areas_by_dataset(ties(True))
    assert public[""].states.get(state or "", 0) == staff[""].states[state or ""] - n


@pytest.mark.django_db
def test_dataset_ties_get_their_own_maps_and_counties_are_placed(client: Client, seeded: Any) -> None:
    Jurisdiction.objects.create(id="ocd-division/country:us/state:nc/county:durham", name="Durham County",
                                parent_id="ocd-division/country:us/state:nc")
    agency = Entity.objects.create(id="us-nc-durham-county-sheriff", name="Durham County Sheriff",
                                   kind="police_agency", country="US",
                                   jurisdiction_id="ocd-division/country:us/state:nc/county:durham")
    for i in range(3):
        Tie.objects.create(id=f"leso-{i}", subject=agency, kind="equipment_transfer", dataset="leso", year_from=2015,
                           year_to=2015)
    figures, _ = atlas.tie_maps(ties(False))
    titles = [f.title for f in figures]
    assert "LESO dataset records by state" in titles and "LESO dataset records by county" in titles
    county = next(f for f in figures if f.title == "LESO dataset records by county")
    assert [(r.name, r.count, r.href) for r in county.rows] == [
        ("Durham County", 3, "/jurisdictions/country:us/state:nc/county:durham/")]
    home = client.get("/").content.decode()
    assert "LESO dataset records by state" in home and "by county" not in home  # county maps weigh too much
    assert "LESO dataset records by county" in client.get("/ties/").content.decode()


@pytest.mark.django_db
def test_home_without_ties_says_so(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "No ties yet." in html


@pytest.mark.django_db
def test_cached_overview_follows_every_audited_change(client: Client, seeded: Any) -> None:
    before = client.get("/").content.decode()
    total = ties(False).count()
    assert f"{total} ties, from " in before
    tie = ties(False).first()
    assert tie is not None
    Tie.objects.filter(pk=tie.pk).update(published=False)
    record_change("tie", tie.pk, "update", {"published": True}, snapshot(Tie.objects.get(pk=tie.pk)), actor="tests")
    after = client.get("/").content.decode()
    assert f"{total - 1} ties, from " in after
    # The unfiltered tie list shows the same (cached) overview; a filtered one is counted afresh.
    assert f"{total - 1} ties, from " in client.get("/ties/").content.decode()
    kind_total = ties(False).filter(kind=tie.kind).count()
    assert f"{kind_total} ties" in client.get(f"/ties/?kind={tie.kind}").content.decode()


@pytest.mark.django_db
def test_a_county_known_only_through_a_draft_is_not_linked(seeded: Any) -> None:
    # Durham County exists as a division only because a draft entity sits there; the public map shows
    # the county (the Durham police's ties are placed there through the city) but never links to it.
    Jurisdiction.objects.create(id="ocd-division/country:us/state:nc/county:durham", name="Durham County",
                                parent_id="ocd-division/country:us/state:nc")
    Entity.objects.create(id="us-nc-durham-county-draft", name="A draft agency", kind="police_agency",
                          country="US", published=False,
                          jurisdiction_id="ocd-division/country:us/state:nc/county:durham")
    figures, _ = atlas.tie_maps(ties(False))
    county = next(f for f in figures if f.title == "Curated ties by county")
    durham = next(r for r in county.rows if r.name == "Durham County")
    assert durham.href is None and "county:durham" not in county.svg
    state = next(f for f in figures if f.title == "Curated ties by state")
    assert next(r for r in state.rows if r.name == "North Carolina").href == "/jurisdictions/country:us/state:nc/"


@pytest.mark.django_db
def test_a_large_filtered_list_counts_its_maps_only_when_asked(client: Client, seeded: Any) -> None:
    from tiewatch.registry.queries import COUNT_CAP

    agency = Entity.objects.filter(published=True, jurisdiction__isnull=False).first()
    assert agency is not None
    n = COUNT_CAP + 1
    Tie.objects.bulk_create([Tie(id=f"bulk-funding-{i}", subject=agency, kind="funding", year_from=2020, year_to=2020)
                             for i in range(n)])
    html = client.get("/ties/?kind=funding").content.decode()
    assert 'href="?kind=funding&amp;overview=1#overview"' in html and "<svg" not in html.split("<main>")[1]
    asked = client.get("/ties/?kind=funding&overview=1").content.decode()
    assert '<details class="overview-box" id="overview" open>' in asked
    funding = ties(False).filter(kind="funding")
    assert f"{funding.count()} ties, from {funding.exclude(year_from=None).order_by('year_from')[0].year_from} to 2020" in asked
    # A small filtered list draws them at once.
    other = ties(False).exclude(subject=agency).first()
    assert other is not None
    small = client.get(f"/ties/?subject={other.subject_id}").content.decode()
    assert "<svg" in small.split("<main>")[1] and "overview=1" not in small
