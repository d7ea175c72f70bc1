"""Browser test (Debian's chromium) of the pages with maps and charts, at phone (390 px) and desktop
(1280 px) widths: nothing scrolls sideways, the maps and charts are drawn within the page, and the
tables beside them are there for screen readers. Screenshots of each page go to e2e/screenshots/."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.utils import timezone

import conftest

WIDTHS = (390, 1280)


@pytest.fixture(autouse=True)
def _no_cached_overview() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _petition_with_signatures() -> str:
    from tiewatch.campaigns.models import Campaign, Petition, Signature

    campaign = Campaign.objects.create(slug="map-campaign", name="Map campaign", target_body="Durham City Council",
                                       jurisdiction="ocd-division/country:us/state:nc/place:durham", published=True)
    petition = Petition.objects.create(campaign=campaign, slug="map-petition", title="A petition with a map",
                                       text="Please.", target="Durham City Council",
                                       jurisdiction=campaign.jurisdiction, status="open", thresholds=[10, 100])
    now = timezone.now()
    Signature.objects.bulk_create([
        Signature(petition=petition, name=f"Signer {i}", email=f"s{i}@example.org", postal_code="27701",
                  token_hash=hashlib.sha256(str(i).encode()).hexdigest(), confirmed_at=now)
        for i in range(11)])
    return f"/petitions/{petition.slug}/"


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_pages_fit_phone_and_desktop(live_server: Any, browser: Any) -> None:
    from tiewatch.registry.importers import import_bundle

    import_bundle([conftest.DEMO_SEED], actor="tests")
    pages = {"home": "/", "places": "/policies/places/", "petition": _petition_with_signatures(), "ties": "/ties/"}
    conftest.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        _check_width(browser, live_server.url, pages, width)


def _check_width(browser: Any, base: str, pages: dict[str, str], width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        if name == "ties":  # open the chart and maps, then the tables, as a reader would
            page.click("details.overview-box > summary")
        for summary in page.locator("figure details > summary").all():
            if summary.is_visible():
                summary.click()
        assert _overflow(page) <= 0, f"{name} at {width} px scrolls sideways"
        maps = page.locator("svg.usmap")
        assert maps.count() >= 1, name
        for i in range(maps.count()):
            box = maps.nth(i).bounding_box()
            assert box is not None and box["width"] <= width and box["height"] > 0.4 * box["width"], name
        page.screenshot(path=str(conftest.SCREENSHOTS / f"maps-{name}-{width}.png"), full_page=True)
    assert errors == [], errors
    context.close()

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_pages_work_without_javascript(live_server: Any, browser: Any) -> None:
    from tiewatch.registry.importers import import_bundle

    import_bundle([conftest.DEMO_SEED], actor="tests")
    petition = _petition_with_signatures()
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/policies/places/")
    page.click("text=Kinds of policy adopted, by state: the table")
    page.click("table.map-table a:text-is('North Carolina')")
    assert page.url.endswith("/policies/places/#state-nc")
    page.goto(f"{live_server.url}{petition}")
    assert "Where the signatures come from" in page.inner_text("main")
    assert page.locator("svg.usmap").count() == 2
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_api_docs_render_offline(live_server: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:  # the internet is not there: anything from elsewhere fails, as it would offline
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "tiewatch API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 10
    assert outside == []
    context.close()
