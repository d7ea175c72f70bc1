"""Pages and API endpoints, on the invented demo fixture (nothing configured) and on configured data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> None:
    settings.TIEWATCH_ARMS_DATA = []
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "cache")


@pytest.fixture
def configured(settings: Any, tmp_path: Path) -> None:
    settings.TIEWATCH_ARMS_DATA = [str(FIXTURES / "tables"), str(FIXTURES / "register")]
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "cache")


def years(first: int, last: int) -> str:
    """A period as the pages write it: in words, each year in a <time> element."""
    return f'<time datetime="{first}">{first}</time>–<time datetime="{last}">{last}</time>'


def test_index_falls_back_to_demo_fixture_with_banner(client: Client, demo: None) -> None:
    html = client.get("/arms/").content.decode()
    assert "Demo fixture, not SIPRI data" in html and "TIEWATCH_ARMS_DATA" in html
    assert f"Top exporters, {years(2017, 2021)}" in html and "Israel" in html


def test_configured_data_has_no_demo_banner(client: Client, configured: None) -> None:
    html = client.get("/arms/?period=2013-2017").content.decode()
    assert "Demo fixture" not in html and f"Top importers, {years(2013, 2017)}" in html


def test_bad_configured_path_says_how_to_configure(client: Client, settings: Any,
                                                  tmp_path: Path) -> None:
    settings.TIEWATCH_ARMS_DATA = [str(tmp_path / "missing")]
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "cache")
    response = client.get("/arms/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Arms data is not available" in html and "Set TIEWATCH_ARMS_DATA" in html
    api = client.get("/api/arms/releases")
    assert api.status_code == 422 and api.json()["error"]["fields"]["data"]


def test_country_page_has_charts_partners_and_queries(client: Client, configured: None) -> None:
    html = client.get("/arms/country/ISR/?period=2013-2017&compare=2008-2012").content.decode()
    assert f"Arms transfers: Israel, {years(2013, 2017)}" in html
    assert html.count("<svg") == 3 and "partners" in html
    assert "tiewatch arms partners --country Israel --role exporter --period 2013-2017" in html
    assert 'SIPRI release <time datetime="2022-03">March 2022</time>' in html and "75.4%" in html  # India: 1500 of 1990
    # the Trade Register is loaded too: its weapon categories, with their own release
    assert f"Weapon categories, exports {years(2013, 2017)}" in html and "SAM system" in html
    assert 'release <time datetime="2024-03">March 2024</time>' in html


def test_country_page_unknown_country(client: Client, configured: None) -> None:
    response = client.get("/arms/country/Isreal/")
    assert response.status_code == 404 and "did you mean" in response.content.decode()


def test_pair_page(client: Client, configured: None) -> None:
    html = client.get("/arms/pair/Israel/India/?period=2013-2017&compare=2008-2012").content.decode()
    assert "Israel → India" in html and "<svg" in html and "supplier no. 2 of 3" in html


def test_api_top_and_partners(client: Client, configured: None) -> None:
    top = client.get("/api/arms/top", {"role": "exporter", "period": "2013-2017", "limit": "2"}).json()
    assert set(top) >= {"period", "role", "release", "rows"} and len(top["rows"]) == 2
    assert set(top["rows"][0]) == {"rank", "country", "tiv", "share"} and "demo" not in top
    part = client.get("/api/arms/partners", {"country": "Israel", "role": "exporter", "period": "2013-2017"}).json()
    assert part["rows"][0] == {"rank": 1, "partner": "India", "kind": "state", "tiv": 1500.0, "share": round(1500 / 1990, 6)}


def test_api_change_rank_series_categories_releases(client: Client, configured: None) -> None:
    ch = client.get("/api/arms/change", {"country": "Israel", "role": "exporter", "from": "2008-2012",
                                          "to": "2013-2017", "partner": "India"}).json()
    assert (ch["tiv_from"], ch["tiv_to"], ch["change_pct"]) == (400, 1500, 275.0)
    rk = client.get("/api/arms/rank", {"supplier": "Israel", "recipient": "India", "period": "2013-2017"}).json()
    assert (rk["rank"], rk["of"]) == (2, 3)
    se = client.get("/api/arms/series", {"country": "Israel", "role": "exporter", "period": "2013-2014"}).json()
    assert [p["year"] for p in se["points"]] == [2013, 2014]
    ca = client.get("/api/arms/categories", {"country": "Israel", "role": "exporter", "period": "2013-2017"}).json()
    assert ca["dataset"] == "2024-03 register"
    rel = client.get("/api/arms/releases").json()
    assert rel["default"] == "2022-03 tables"
    fs = client.get("/api/arms/factsheet", {"country": "Israel", "period": "2013-2017"}).json()
    assert fs["country"] == "Israel" and fs["figures"]


def test_api_unknown_country_and_bad_period(client: Client, configured: None) -> None:
    r = client.get("/api/arms/partners", {"country": "Isreal", "role": "exporter", "period": "2013-2017"})
    assert r.status_code == 404 and "did you mean 'Israel'" in r.json()["error"]["message"]
    r = client.get("/api/arms/top", {"role": "exporter", "period": "soon"})
    assert r.status_code == 422 and r.json()["error"]["fields"]["period"]


def test_api_check_claims(client: Client, demo: None) -> None:
    body = {"claims": [{"metric": "rank", "country": "Russia", "role": "exporter", "period": "2013-2017",
                        "stated": 1},
                       {"metric": "rank", "country": "Israel", "role": "exporter", "period": "2013-2017",
                        "stated": 1}]}
    r = client.post("/api/arms/check", body, content_type="application/json").json()
    assert r["counts"] == {"holds": 1, "differs": 1, "cannot_check": 0} and r["demo"]


def test_pages_pick_up_changed_data(client: Client, settings: Any, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from tiewatch.arms import web

    data = tmp_path / "data"
    data.mkdir()
    tidy = data / "t.csv"
    tidy.write_text("supplier,recipient,year,tiv\nIsrael,India,2019,90\n")
    settings.TIEWATCH_ARMS_DATA = [str(data)]
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "cache")
    query = {"country": "Israel", "role": "exporter", "from": "2019", "to": "2019"}
    assert client.get("/api/arms/change", query).json()["tiv_to"] == 90
    tidy.write_text("supplier,recipient,year,tiv\nIsrael,India,2019,95\n")
    monkeypatch.setattr(web, "RECHECK_SECONDS", -1)
    assert client.get("/api/arms/change", query).json()["tiv_to"] == 95
