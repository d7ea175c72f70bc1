"""Phone layout (issue 12, "phone first"): at 390 px in Debian's chromium, the check form, a campaign
page, the arms charts pages (index, country, pair), the search page, a petition and lists with facets scroll nothing sideways
(document.scrollWidth <= the viewport). Screenshots go to e2e/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import conftest
from tiewatch.arms.tests.conftest import FIXTURES

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PHONE = 390
# The elements reaching past the screen's right edge (the failure names them).
WIDEST = """[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.parentElement ? e.parentElement.tagName + '.' + e.parentElement.className : '') + ' ' + (e.textContent || '').slice(0, 40))"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone(live_server: Any, browser: Any, settings: Any, tmp_path: Path) -> None:
    from tiewatch.campaigns import demo_loader
    from tiewatch.campaigns.models import Campaign, Petition
    from tiewatch.registry.importers import import_bundle

    settings.TIEWATCH_ARMS_DATA = [str(FIXTURES / "tables")]
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "cache")
    import_bundle([conftest.DEMO_SEED], actor="tests")
    demo_loader.load()
    campaign = Campaign.objects.order_by("slug").first()
    assert campaign is not None
    pages = {"check": "/check/", "campaign": f"/campaigns/{campaign.slug}/", "arms": "/arms/?period=2013-2017",
             "arms-country": "/arms/country/Israel/?period=2013-2017",
             "arms-pair": "/arms/pair/Israel/India/?period=2013-2017", "search": "/search/?q=Durhm",
             "ties-facets": "/ties/?kind=training", "entities-facets": "/entities/?sort=-name",
             "petition": f"/petitions/{Petition.objects.public().order_by('slug').values_list('slug', flat=True)[0]}/"}
    context = browser.new_context(viewport={"width": PHONE, "height": 900})
    page = context.new_page()
    conftest.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wide = {}
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, name
        scroll = int(page.evaluate("document.documentElement.scrollWidth"))
        page.screenshot(path=str(conftest.SCREENSHOTS / f"phone-{name}-{PHONE}.png"), full_page=True)
        if scroll > PHONE:
            wide[name] = (scroll, page.evaluate(WIDEST))
    context.close()
    assert wide == {}, f"pages wider than {PHONE} px: {wide}"
