"""A real browser opens a country page and sees its charts and partner table (demo fixture)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES

# Playwright's sync API runs an event loop in this thread; Django's ORM guard would refuse to work here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_country_page_shows_charts_and_partners(live_server: Any, page: Any, settings: Any, tmp_path: Path) -> None:
    settings.TIEWATCH_ARMS_DATA = [str(FIXTURES / "tables")]
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "cache")
    page.goto(f"{live_server.url}/arms/?period=2013-2017")
    page.get_by_role("link", name="Israel").first.click()
    page.wait_for_url("**/arms/country/Israel/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Arms transfers: Israel, 2013–2017"
    bar = page.locator("#exporter-partners svg.bar-chart")
    assert bar.is_visible() and bar.locator("rect").count() == 4
    assert page.locator("svg.line-chart polyline").count() == 2
    rows = page.locator("#exporter-partners table.partners tbody tr")
    assert rows.count() == 4
    first = rows.nth(0).locator("td")
    assert [first.nth(i).inner_text() for i in range(4)] == ["1", "India", "1,500", "75.4%"]
    rows.nth(0).get_by_role("link", name="India").click()
    page.wait_for_url("**/arms/pair/Israel/India/**")
    assert page.locator("svg.line-chart").is_visible()
