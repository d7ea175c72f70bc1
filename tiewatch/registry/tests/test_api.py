"""The registry's JSON API: lists, filters, sorting, pagination, drafts, errors in one shape, and a
schemathesis fuzz run against the API's own OpenAPI schema (no 5xx)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from tiewatch.registry.models import Entity, Source, Tie

DURHAM = "us-nc-durham-police-department"
DURHAM_TIE = "us-nc-durham-police-department--adl-ncts--2008"


def get(client: Any, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def assert_error(body: dict[str, Any], code: str) -> dict[str, Any]:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["fields"]


def make_drafts() -> None:
    Tie.objects.filter(pk=DURHAM_TIE).update(published=False)
    Entity.objects.filter(pk="us-nc-raleigh-police-department").update(published=False)
    Source.objects.filter(pk__in=Tie.objects.get(pk=DURHAM_TIE).sources.values("pk")).update(published=False)


# --- lists and filters ------------------------------------------------------------------------

def test_ties_list_envelope_and_shape(client: Any, seeded: Any) -> None:
    body = get(client, "/api/ties")
    assert set(body) == {"count", "count_capped", "page", "next", "previous", "results"}
    assert body["count"] == Tie.objects.filter(published=True).count()
    assert body["count_capped"] is False and body["page"] == 1 and body["previous"] is None
    tie = body["results"][0]
    assert {"id", "subject", "counterparts", "program", "kind", "when", "start", "end", "years", "year_from",
            "year_to", "status", "sources", "published", "page"} <= set(tie)
    assert tie["page"] == f"/ties/{tie['id']}/"
    assert all(s["url"].startswith("http") for s in tie["sources"])


def test_ties_filters(client: Any, seeded: Any) -> None:
    body = get(client, "/api/ties?kind=training&year_from=2009&year_to=2011&page_size=500")
    assert body["results"]
    for tie in body["results"]:
        assert tie["kind"] == "training"
        assert tie["year_to"] >= 2009 and tie["year_from"] <= 2011
    expected = Tie.objects.filter(published=True, kind="training", year_to__gte=2009, year_from__lte=2011).count()
    assert body["count"] == expected

    body = get(client, "/api/ties?program=program-adl-ncts&page_size=500")
    assert body["results"] and all(t["program"]["id"] == "program-adl-ncts" for t in body["results"])

    body = get(client, "/api/ties?status=reported&country=IL&page_size=500")
    assert body["results"]
    for tie in body["results"]:
        assert tie["status"] == "reported"
        assert "IL" in Tie.objects.get(pk=tie["id"]).counterpart_countries.split(",")

    body = get(client, f"/api/ties?entity={DURHAM}")
    assert {t["id"] for t in body["results"]} == set(
        Tie.objects.filter(subject_id=DURHAM).values_list("id", flat=True))
    body = get(client, "/api/ties?counterpart=il-israel-police&subject=" + DURHAM)
    assert body["count"] == 2


def test_ties_sorting(client: Any, seeded: Any) -> None:
    newest = get(client, "/api/ties?page_size=500")["results"]
    years = [t["year_from"] for t in newest if t["year_from"] is not None]
    assert years == sorted(years, reverse=True)
    assert newest[-1]["year_from"] is None  # undated last
    oldest = get(client, "/api/ties?sort=year&page_size=500")["results"]
    years = [t["year_from"] for t in oldest if t["year_from"] is not None]
    assert years == sorted(years)
    by_kind = [t["kind"] for t in get(client, "/api/ties?sort=kind&page_size=500")["results"]]
    assert by_kind == sorted(by_kind)
    by_id = [t["id"] for t in get(client, "/api/ties?sort=id&page_size=500")["results"]]
    assert by_id == sorted(by_id)
    rows = get(client, "/api/ties?sort=subject&page_size=500")["results"]
    keys = [(t["subject"]["id"], t["year_from"] if t["year_from"] is not None else 10**6) for t in rows]
    assert keys == sorted(keys)
    # One entity's ties (sorted without the year index, see queries.SMALL_SET_SORTS): the same order.
    assert [t["year_from"] for t in get(client, f"/api/ties?entity={DURHAM}")["results"]] == [2008, None]
    assert [t["year_from"] for t in get(client, f"/api/ties?entity={DURHAM}&sort=year")["results"]] == [2008, None]


def test_pagination(client: Any, seeded: Any) -> None:
    first = get(client, "/api/ties?kind=training&page_size=5")
    assert len(first["results"]) == 5 and first["next"] and first["previous"] is None
    second = get(client, first["next"])
    assert second["page"] == 2 and second["previous"]
    assert not {t["id"] for t in first["results"]} & {t["id"] for t in second["results"]}
    assert second["count"] == first["count"]
    # The default page size is TIEWATCH_PAGE_SIZE.
    from django.conf import settings as django_settings

    assert len(get(client, "/api/entities")["results"]) == min(
        django_settings.TIEWATCH_PAGE_SIZE, Entity.objects.count())


def test_count_is_capped(client: Any, seeded: Any, monkeypatch: Any) -> None:
    from tiewatch.registry import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    body = get(client, "/api/ties?page_size=2")
    assert body["count"] == 3 and body["count_capped"] is True and body["next"]


def test_entities_list_search_and_filters(client: Any, seeded: Any) -> None:
    body = get(client, "/api/entities?q=durham police department")
    assert [e["id"] for e in body["results"]] == [DURHAM]
    body = get(client, "/api/entities?q=Durham police")
    assert {e["id"] for e in body["results"]} == {DURHAM, "us-fraternal-order-of-police-lodge"}
    body = get(client, "/api/entities?kind=foreign_police&page_size=500")
    assert body["results"] and all(e["kind"] == "foreign_police" for e in body["results"])
    body = get(client, "/api/entities?country=il&page_size=500")
    assert body["results"] and all(e["country"] == "IL" for e in body["results"])
    body = get(client, "/api/entities?jurisdiction=country:us/state:nc&page_size=500")
    ids = {e["id"] for e in body["results"]}
    assert DURHAM in ids and "us-nc-raleigh-police-department" in ids
    assert all(e["jurisdiction"].startswith("ocd-division/country:us/state:nc") for e in body["results"])
    names = [e["name"] for e in get(client, "/api/entities?sort=-name&page_size=500")["results"]]
    assert names == sorted(names, reverse=True)


def test_detail_endpoints(client: Any, seeded: Any) -> None:
    entity = get(client, f"/api/entities/{DURHAM}")
    assert entity["name"] == "Durham Police Department"
    assert entity["jurisdiction"] == "ocd-division/country:us/state:nc/place:durham"
    assert entity["page"] == f"/entities/{DURHAM}/"
    tie = get(client, f"/api/ties/{DURHAM_TIE}")
    assert tie["subject"]["id"] == DURHAM and tie["program"]["id"] == "program-adl-ncts"
    assert tie["sources"] and tie["year_from"] == 2008
    source_id = tie["sources"][0]["id"]
    assert get(client, f"/api/sources/{source_id}")["url"] == tie["sources"][0]["url"]


def test_sources_and_jurisdictions(client: Any, seeded: Any) -> None:
    body = get(client, "/api/sources?page_size=500")
    assert body["count"] == Source.objects.count() and body["results"][0]["url"]
    body = get(client, "/api/jurisdictions?parent=ocd-division/country:us/state:nc&page_size=500")
    ids = {j["id"] for j in body["results"]}
    assert "ocd-division/country:us/state:nc/place:durham" in ids
    assert all(j["parent"] == "ocd-division/country:us/state:nc" for j in body["results"])
    durham = next(j for j in body["results"] if j["id"].endswith("place:durham"))
    assert durham["page"] == "/jurisdictions/country:us/state:nc/place:durham/"


# --- drafts -----------------------------------------------------------------------------------

def test_drafts_hidden_from_public(client: Any, seeded: Any) -> None:
    make_drafts()
    ids = {t["id"] for t in get(client, "/api/ties?page_size=500")["results"]}
    assert DURHAM_TIE not in ids
    assert_error(get(client, f"/api/ties/{DURHAM_TIE}", 404), "not_found")
    assert_error(get(client, "/api/entities/us-nc-raleigh-police-department", 404), "not_found")
    assert "us-nc-raleigh-police-department" not in {
        e["id"] for e in get(client, "/api/entities?country=US&page_size=500")["results"]}
    source_ids = {s["id"] for s in get(client, "/api/sources?page_size=500")["results"]}
    assert not source_ids & set(Source.objects.filter(published=False).values_list("pk", flat=True))


def test_drafts_visible_to_viewer(client: Any, seeded: Any, users: Any) -> None:
    make_drafts()
    client.force_login(users["charlie"])
    tie = get(client, f"/api/ties/{DURHAM_TIE}")
    assert tie["published"] is False
    assert tie["sources"] and all(s["published"] is False for s in tie["sources"])
    assert DURHAM_TIE in {t["id"] for t in get(client, "/api/ties?page_size=500")["results"]}
    assert get(client, "/api/entities/us-nc-raleigh-police-department")["published"] is False


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/api/entities/no-such-entity", "/api/ties/no-such-tie", "/api/sources/no-such-source",
    "/api/no-such-endpoint",
])
def test_not_found_in_error_shape(client: Any, seeded: Any, url: str) -> None:
    assert_error(get(client, url, 404), "not_found")


@pytest.mark.parametrize("query, field", [
    ("year_from=abc", "year_from"), ("year_to=20000", "year_to"), ("kind=picnic", "kind"),
    ("status=rumoured", "status"), ("country=ISR", "country"), ("sort=name", "sort"), ("page=0", "page"),
    ("program=not%20an%20id", "program"), ("year_from=2015&year_to=2010", "year_from"),
])
def test_bad_tie_filters_are_422(client: Any, seeded: Any, query: str, field: str) -> None:
    fields = assert_error(get(client, f"/api/ties?{query}", 422), "invalid")
    assert field in fields, fields


def test_bad_entity_filters_are_422(client: Any, seeded: Any) -> None:
    assert "kind" in assert_error(get(client, "/api/entities?kind=alien", 422), "invalid")
    assert "page_size" in assert_error(get(client, "/api/entities?page_size=100000", 422), "invalid")


def test_openapi_documents_the_endpoints(client: Any) -> None:
    schema = get(client, "/api/openapi.json")
    for path in ("/api/entities", "/api/entities/{id}", "/api/ties", "/api/ties/{id}", "/api/sources",
                 "/api/jurisdictions"):
        assert "get" in schema["paths"][path], path
    names = {p["name"] for p in schema["paths"]["/api/ties"]["get"]["parameters"]}
    assert {"kind", "country", "year_from", "year_to", "program", "status", "sort", "page"} <= names
    assert client.get("/api/docs").status_code == 200


# --- fuzzing ----------------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application).include(tag="registry")


@pytest.fixture
def fuzz_db(seeded: Any, wsgi_keeps_test_connection: None) -> Any:
    """The seeded test database, with drafts the public must never see."""
    make_drafts()
    return seeded


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_fuzz_no_server_errors(case: Any, fuzz_db: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error])
