"""Bad query parameters on every arms page and API endpoint: a 4xx naming the parameter, never a 5xx.

Pages answer a 400 page that names the field; the API answers the project's JSON error shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db

BAD = ["abc", "-1", "1e3", "99999999999999999999999", "2017-2013", "0000-0000", "\x00", "2013-2017\x00", "x" * 5000,
       "💥", "%", "[]", " ", "١٢"]
GOOD = {"period": "2013-2017", "compare": "2008-2012", "role": "exporter", "country": "Israel", "partner": "India",
        "supplier": "Israel", "recipient": "India", "from": "2008-2012", "to": "2013-2017", "limit": "3"}
PAGES = {"/arms/": ("period", "compare", "release", "source", "limit"),
         "/arms/country/Israel/": ("period", "compare", "release", "source"),
         "/arms/pair/Israel/India/": ("period", "compare", "release", "source")}
API = {"top": ("role", "period", "limit", "release", "source"),
       "change": ("country", "role", "from", "to", "partner", "release", "source"),
       "partners": ("country", "role", "period", "limit", "release", "source"),
       "rank": ("supplier", "recipient", "period", "among", "release", "source"),
       "series": ("country", "role", "period", "partner", "release", "source"),
       "categories": ("country", "role", "period", "release"),
       "factsheet": ("country", "period", "compare", "release", "source")}
OPTIONAL = ("among", "partner", "release", "source", "compare", "limit")


@pytest.fixture
def configured(settings: Any, tmp_path: Path) -> None:
    settings.TIEWATCH_ARMS_DATA = [str(FIXTURES / "tables"), str(FIXTURES / "register")]
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "cache")


def _page_ok(response: Any, field: str) -> None:
    assert response.status_code < 500
    if response.status_code >= 400 and response.status_code != 404:
        assert response.status_code == 400 and f"{field}: " in response.content.decode()


def _api_ok(response: Any) -> None:
    assert response.status_code < 500
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "fields"} and error["message"]


@pytest.mark.parametrize("url", list(PAGES))
def test_pages_answer_bad_parameters_with_4xx(client: Client, configured: None, url: str) -> None:
    for field in PAGES[url]:  # one test per page, every parameter x every bad value (a test each is slow)
        for value in BAD:
            _page_ok(client.get(url, {field: value}), field)


@pytest.mark.parametrize(("url", "field", "value"), [
    ("/arms/", "limit", "abc"), ("/arms/", "limit", "-1"), ("/arms/", "period", "soon"),
    ("/arms/", "source", "wiki"), ("/arms/country/Israel/", "compare", "2017-2013"),
    ("/arms/pair/Israel/India/", "release", "\x00"),
])
def test_page_400_names_the_field(client: Client, configured: None, url: str, field: str, value: str) -> None:
    response = client.get(url, {field: value})
    assert response.status_code == 400 and f"{field}: " in response.content.decode()


@pytest.mark.parametrize(("part", "field"), [("country/{v}/", "country"), ("pair/{v}/India/", "supplier"),
                                             ("pair/Israel/{v}/", "recipient")])
def test_page_names_in_the_path(client: Client, configured: None, part: str, field: str) -> None:
    for value in BAD:
        value = value if value.strip("\x00 %") else "x\x00"  # an empty path segment matches no URL
        _page_ok(client.get("/arms/" + part.format(v=quote(value, safe=""))), field)


@pytest.mark.parametrize("endpoint", list(API))
def test_api_answers_bad_parameters_with_the_error_shape(client: Client, configured: None, endpoint: str) -> None:
    for field in API[endpoint]:
        for value in BAD:
            query = {f: GOOD[f] for f in API[endpoint] if f in GOOD and f not in OPTIONAL}
            query[field] = value
            _api_ok(client.get(f"/api/arms/{endpoint}", query))


def test_api_limit_abc_and_negative(client: Client, configured: None) -> None:
    for value in ("abc", "-1"):
        r = client.get("/api/arms/top", {"role": "exporter", "period": "2013-2017", "limit": value})
        assert r.status_code == 422 and "limit" in str(r.json()["error"])


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(params=st.dictionaries(st.sampled_from(["period", "compare", "release", "source", "limit"]),
                              st.text(max_size=30), max_size=5),
       url=st.sampled_from(list(PAGES)))
def test_pages_fuzzed_query_strings(client: Client, configured: None, params: dict[str, str], url: str) -> None:
    response = client.get(url, params)
    assert response.status_code < 500


@pytest.mark.parametrize("claim", [
    {"metric": "rank", "country": "Israel", "role": "exporter", "period": "2013-2017", "stated": 8, "tolerance": "x"},
    {"metric": ["rank"]},
    {"metric": "tiv", "country": {"a": 1}, "role": "exporter", "period": "2013-2017", "stated": 1},
    {"metric": "rank", "country": "Israel", "role": "exporter", "period": "0000-9999", "stated": "8th"},
])
def test_api_check_bad_claims(client: Client, configured: None, claim: dict[str, Any]) -> None:
    r = client.post("/api/arms/check", {"claims": [claim]}, content_type="application/json")
    if r.status_code == 200:  # a well-formed claim that cannot be checked is a result, not an error
        assert r.json()["results"][0]["status"] == "cannot_check"
    else:
        _api_ok(r)
        assert r.status_code == 422
