"""The registry's public pages: home, entity, tie, source, jurisdiction and search pages; the tie list's
filters, sorting and pagination; CSV and JSON exports; drafts; bad input answered with form errors."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from tiewatch.registry.exporters import TIE_COLUMNS
from tiewatch.registry.models import Entity, Jurisdiction, Source, Tie, TieCounterpart
from tiewatch.registry.queries import ENTITY_TIE_LIMIT

DURHAM = "us-nc-durham-police-department"
DURHAM_TIE = "us-nc-durham-police-department--adl-ncts--2008"


def html(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def tie_links(page: str) -> list[str]:
    """Tie ids linked from the rows of a tie table, in order."""
    return re.findall(r'<td data-label="When"><a href="/ties/([^"/]+)/">', page)


def make_drafts() -> None:
    Tie.objects.filter(pk=DURHAM_TIE).update(published=False)
    Entity.objects.filter(pk="us-nc-raleigh-police-department").update(published=False)
    Source.objects.filter(pk__in=Tie.objects.get(pk=DURHAM_TIE).sources.values("pk")).update(published=False)


# --- pages ------------------------------------------------------------------------------------

def test_home_counts_and_latest_ties(client: Any, seeded: Any) -> None:
    page = html(client, "/")
    assert f'<span class="big">{Tie.objects.count()}</span><br>ties' in page
    assert f'<span class="big">{Entity.objects.count()}</span><br>entities' in page
    assert f'<span class="big">{Source.objects.count()}</span><br>sources' in page
    latest = tie_links(page)
    assert len(latest) == 10
    newest = Tie.objects.exclude(year_from=None).order_by("-year_from").first()
    assert Tie.objects.get(pk=latest[0]).year_from == newest.year_from
    assert 'action="/search/"' in page


def test_entity_page(client: Any, seeded: Any) -> None:
    page = html(client, f"/entities/{DURHAM}/")
    assert "<h1>Durham Police Department" in page
    assert "police agency" in page and ">United States<" in page
    assert 'href="/jurisdictions/country:us/state:nc/place:durham/"' in page
    # Ties grouped by kind, then year (undated last), each with its sources.
    assert 'id="kind-training"' in page
    assert page.index("<h4>2008</h4>") < page.index("<h4>Undated</h4>")
    assert f'href="/ties/{DURHAM_TIE}/"' in page
    for source in Tie.objects.get(pk=DURHAM_TIE).sources.all():
        assert f'href="/sources/{source.pk}/"' in page
    assert 'href="/entities/il-israel-police/"' in page
    assert f"/ties/?entity={DURHAM}&amp;format=csv" in page


def test_entity_page_shows_both_directions(client: Any, seeded: Any) -> None:
    # As counterpart: Israel Police's page counts its ties as counterpart by kind and year, lists the
    # most recent naming their subjects, and links to all of them, which include the Durham ties.
    page = html(client, "/entities/il-israel-police/")
    as_counterpart = Tie.objects.filter(counterpart_links__entity_id="il-israel-police")
    assert 'id="role-counterpart"' in page and "(counterpart)" in page
    assert f"As counterpart: {as_counterpart.count()} ties" in page
    assert "/ties/?counterpart=il-israel-police" in page
    newest = sorted(as_counterpart, key=lambda t: (-(t.year_from or 0), t.pk))[:ENTITY_TIE_LIMIT]
    assert all(f'href="/ties/{t.pk}/"' in page for t in newest)
    assert all(f'href="/entities/{t.subject_id}/"' in page for t in newest)
    assert TieCounterpart.objects.filter(tie_id=DURHAM_TIE, entity_id="il-israel-police").exists()
    assert DURHAM_TIE in {r["id"] for r in read_csv(client.get("/ties/?counterpart=il-israel-police&format=csv"))}
    # As program: the ADL seminar's page lists the ties run through it.
    page = html(client, "/entities/program-adl-ncts/")
    assert f'href="/ties/{DURHAM_TIE}/"' in page and "(through this program)" in page


def test_entity_aliases_shown(client: Any, seeded: Any) -> None:
    entity = Entity.objects.exclude(aliases=[]).first()
    assert entity is not None
    page = html(client, f"/entities/{entity.pk}/")
    assert "Also known as" in page and entity.aliases[0] in page.replace("&#x27;", "'").replace("&amp;", "&")


def test_entity_page_queries_do_not_grow_with_ties(client: Any, seeded: Any,
                                                   django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(20):
        html(client, "/entities/il-israel-police/")
    with django_assert_max_num_queries(15):
        html(client, "/ties/?page_size=500")


def test_tie_page_links_to_sources(client: Any, seeded: Any) -> None:
    page = html(client, f"/ties/{DURHAM_TIE}/")
    tie = Tie.objects.get(pk=DURHAM_TIE)
    assert "Durham Police Department" in page and "2008" in page
    source = tie.sources.first()
    assert f'href="/sources/{source.pk}/"' in page
    page = html(client, f"/sources/{source.pk}/")
    assert f'href="{source.url}"' in page.replace("&amp;", "&")
    assert f'href="/ties/{DURHAM_TIE}/"' in page


def test_jurisdiction_pages(client: Any, seeded: Any) -> None:
    page = html(client, "/jurisdictions/")
    assert 'href="/jurisdictions/country:us/state:nc/place:durham/"' in page
    page = html(client, "/jurisdictions/country:us/state:nc/place:durham/")
    assert "<h1>Durham</h1>" in page and f'href="/entities/{DURHAM}/"' in page
    page = html(client, "/jurisdictions/country:us/state:nc/")
    assert 'href="/jurisdictions/country:us/state:nc/place:durham/"' in page  # a place within
    assert f'href="/entities/{DURHAM}/"' in page  # entities of places within are listed too
    response = client.get("/jurisdictions/ocd-division/country:us/state:nc/place:durham/")
    assert response.status_code == 302
    assert response["Location"] == "/jurisdictions/country:us/state:nc/place:durham/"
    html(client, "/jurisdictions/country:xx/", 404)


def test_search(client: Any, seeded: Any) -> None:
    page = html(client, "/search/?q=Durham")
    assert f'href="/entities/{DURHAM}/"' in page
    assert 'href="/entities/us-nc-raleigh-police-department/"' not in page
    page = html(client, "/search/?q=zzzz-nothing")
    assert "Nothing found" in page
    assert "e.g." in html(client, "/search/")


@pytest.mark.parametrize("url", ["/entities/nope/", "/ties/nope/", "/sources/nope/", "/jurisdictions/nope/"])
def test_unknown_ids_are_404_pages(client: Any, seeded: Any, url: str) -> None:
    assert "Not found" in html(client, url, 404)


# --- tie list ---------------------------------------------------------------------------------

def test_tie_list_filters(client: Any, seeded: Any) -> None:
    page = html(client, "/ties/?kind=training&year_from=2009&year_to=2011&status=reported&country=IL&page_size=1")
    ids = tie_links(page)
    expected = Tie.objects.filter(kind="training", year_to__gte=2009, year_from__lte=2011, status="reported",
                                  counterpart_countries__contains="IL")
    assert ids and set(ids) <= set(expected.values_list("pk", flat=True))
    assert len(ids) == min(expected.count(), 50)
    ids = tie_links(html(client, "/ties/?program=program-adl-ncts"))
    assert ids and all(Tie.objects.get(pk=i).program_id == "program-adl-ncts" for i in ids)
    ids = tie_links(html(client, f"/ties/?entity={DURHAM}"))
    assert set(ids) == set(Tie.objects.filter(subject_id=DURHAM).values_list("pk", flat=True))


def test_tie_list_sorting(client: Any, seeded: Any) -> None:
    years = [Tie.objects.get(pk=i).year_from for i in tie_links(html(client, "/ties/?sort=year"))]
    dated = [y for y in years if y is not None]
    assert dated == sorted(dated) and dated
    kinds = [Tie.objects.get(pk=i).kind for i in tie_links(html(client, "/ties/?sort=kind"))]
    assert kinds == sorted(kinds)
    html(client, "/ties/?sort=DROP%20TABLE", 400)


def test_tie_list_pagination(client: Any, seeded: Any, settings: Any) -> None:
    settings.TIEWATCH_PAGE_SIZE = 7
    first = html(client, "/ties/")
    assert len(tie_links(first)) == 7 and 'rel="next" href="?page=2"' in first
    assert f"1–7 of {Tie.objects.count()}" in first
    second = html(client, "/ties/?page=2")
    assert len(tie_links(second)) == 7 and 'rel="prev"' in second
    assert not set(tie_links(first)) & set(tie_links(second))
    last_page = -(-Tie.objects.count() // 7)
    assert 'rel="next"' not in html(client, f"/ties/?page={last_page}")


def test_tie_list_count_capped(client: Any, seeded: Any, settings: Any, monkeypatch: Any) -> None:
    from tiewatch.registry import queries

    settings.TIEWATCH_PAGE_SIZE = 2
    monkeypatch.setattr(queries, "COUNT_CAP", 5)
    assert "of more than 5" in html(client, "/ties/")


@pytest.mark.parametrize("query, field", [
    ("year_from=abc", "year_from"), ("year_to=99999", "year_to"), ("kind=picnic", "kind"), ("country=ISR", "country"),
    ("status=rumoured", "status"), ("page=0", "page"), ("year_from=2015&year_to=2010", "year_from"),
    ("program=a%20b", "program"), ("entity=%00", "entity"), ("format=xml", "format"),
])
def test_bad_filters_are_form_errors(client: Any, seeded: Any, query: str, field: str) -> None:
    response = client.get(f"/ties/?{query}")
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="error"' in response.content.decode()


def test_bad_filters_on_other_lists(client: Any, seeded: Any) -> None:
    assert client.get("/entities/?kind=alien").status_code == 400
    assert client.get("/entities/?page=abc").status_code == 400
    assert client.get("/jurisdictions/?page=-1").status_code == 400
    assert client.get("/sources/?format=pdf").status_code == 400
    assert client.get("/search/?q=a&page=x").status_code == 400
    assert client.get("/search/?q=%00").status_code == 400


# --- exports ----------------------------------------------------------------------------------

def read_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_tie_exports(client: Any, seeded: Any) -> None:
    response = client.get("/ties/?kind=training&program=program-adl-ncts&format=csv")
    rows = read_csv(response)
    assert "attachment" in response["Content-Disposition"]
    expected = Tie.objects.filter(kind="training", program_id="program-adl-ncts")
    assert {r["id"] for r in rows} == set(expected.values_list("pk", flat=True))
    assert list(rows[0])[: len(TIE_COLUMNS)] == TIE_COLUMNS
    durham = next(r for r in rows if r["id"] == DURHAM_TIE)
    assert durham["subject"] == DURHAM and durham["kind"] == "training" and durham["sources"]

    body = client.get("/ties/?kind=training&program=program-adl-ncts&format=json").json()
    assert {t["id"] for t in body["ties"]} == set(expected.values_list("pk", flat=True))


def test_other_exports(client: Any, seeded: Any) -> None:
    rows = read_csv(client.get("/entities/?country=IL&format=csv"))
    assert rows and all(r["country"] == "IL" for r in rows)
    assert client.get("/entities/?country=IL&format=json").json()["entities"]
    rows = read_csv(client.get("/search/?q=Durham&format=csv"))
    assert DURHAM in {r["id"] for r in rows}
    assert len(client.get("/sources/?format=json").json()["sources"]) == Source.objects.count()
    rows = read_csv(client.get("/jurisdictions/?format=csv"))
    assert len(rows) == Jurisdiction.objects.count()
    rows = read_csv(client.get("/jurisdictions/country:us/state:nc/place:durham/?format=csv"))
    assert DURHAM in {r["id"] for r in rows}
    assert client.get(f"/entities/{DURHAM}/?format=json").json()["id"] == DURHAM
    assert client.get(f"/ties/{DURHAM_TIE}/?format=json").json()["subject"] == DURHAM
    # Every list page links its exports.
    for url in ("/ties/", "/entities/", "/sources/", "/jurisdictions/", "/search/?q=Durham"):
        page = html(client, url)
        assert "format=csv" in page and "format=json" in page, url


# --- drafts -----------------------------------------------------------------------------------

def test_drafts_hidden_from_the_public(client: Any, seeded: Any) -> None:
    make_drafts()
    assert DURHAM_TIE not in tie_links(html(client, f"/ties/?entity={DURHAM}"))
    html(client, f"/ties/{DURHAM_TIE}/", 404)
    html(client, "/entities/us-nc-raleigh-police-department/", 404)
    assert DURHAM_TIE not in html(client, f"/entities/{DURHAM}/")
    assert "draft" not in html(client, f"/entities/{DURHAM}/")
    assert DURHAM_TIE not in {r["id"] for r in read_csv(client.get("/ties/?format=csv"))}
    assert "us-nc-raleigh-police-department" not in html(client, "/search/?q=raleigh")
    for source in Source.objects.filter(published=False):
        html(client, f"/sources/{source.pk}/", 404)
    # Raleigh's published ties are not public either: their subject is a draft (docs/registry.md).
    public = Tie.objects.filter(published=True, subject__published=True).count()
    assert public < Tie.objects.filter(published=True).count()
    assert f'<span class="big">{public}</span><br>ties' in html(client, "/")


def test_drafts_visible_to_staff_and_marked(client: Any, seeded: Any, users: Any) -> None:
    make_drafts()
    client.force_login(users["charlie"])  # the viewer role
    page = html(client, f"/ties/{DURHAM_TIE}/")
    assert 'class="badge draft">draft' in page
    page = html(client, f"/entities/{DURHAM}/")
    assert f'href="/ties/{DURHAM_TIE}/"' in page and 'class="badge draft">draft' in page
    assert DURHAM_TIE in tie_links(html(client, f"/ties/?entity={DURHAM}"))
    assert "draft" in html(client, "/entities/us-nc-raleigh-police-department/")
    assert 'href="/entities/us-nc-raleigh-police-department/"' in html(client, "/search/?q=raleigh")
    assert DURHAM_TIE in {r["id"] for r in read_csv(client.get("/ties/?format=csv"))}
    for source in Source.objects.filter(published=False):
        assert "draft" in html(client, f"/sources/{source.pk}/")


def test_non_staff_user_sees_only_published(client: Any, seeded: Any) -> None:
    from django.contrib.auth.models import User

    make_drafts()
    client.force_login(User.objects.create_user("dora", password="password"))
    html(client, f"/ties/{DURHAM_TIE}/", 404)


def test_pages_work_without_javascript_and_on_phones(client: Any, seeded: Any) -> None:
    for url in ("/", "/ties/", f"/entities/{DURHAM}/", "/search/?q=durham", "/jurisdictions/"):
        page = html(client, url)
        assert "<script" not in page
        assert 'name="viewport"' in page
        assert "<table" not in page or 'class="table-wrap"' in page
