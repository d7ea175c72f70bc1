"""Browser tests of the registry's public pages, in Debian's chromium against a live server:
search, entity page, tie, source, CSV export; a phone-sized screen; no JavaScript needed."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

import conftest

DURHAM = "us-nc-durham-police-department"
DURHAM_TIE = "us-nc-durham-police-department--adl-ncts--2008"


def load_demo() -> None:
    from tiewatch.registry.importers import import_bundle

    import_bundle([conftest.DEMO_SEED], actor="tests")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_search_entity_tie_source_and_csv_export(live_server: Any, page: Any) -> None:
    from tiewatch.registry.models import Tie

    load_demo()
    page.goto(f"{live_server.url}/")
    assert "Latest ties" in page.inner_text("main")

    page.fill("#site-q", "Durham")
    page.click("header.site form.search button[type=submit]")
    page.wait_for_url("**/search/?q=Durham")
    page.click("main a:text-is('Durham Police Department')")
    page.wait_for_url(f"**/entities/{DURHAM}/")
    main = page.inner_text("main")
    assert "Durham Police Department" in page.inner_text("h1")
    assert "Training" in main and "2008" in main and "Israel Police" in main

    page.click(f"a[href='/ties/{DURHAM_TIE}/']")
    page.wait_for_url(f"**/ties/{DURHAM_TIE}/")
    assert "ADL National Counter-Terrorism Seminar" in page.inner_text("main")

    source = Tie.objects.get(pk=DURHAM_TIE).sources.order_by("id").first()
    page.click("main ol.sources a >> nth=0")
    page.wait_for_url("**/sources/*/")
    assert page.locator("a.source-url").count() == 1
    href = page.get_attribute("a.source-url", "href")
    assert href in set(Tie.objects.get(pk=DURHAM_TIE).sources.values_list("url", flat=True))
    assert source is not None

    page.goto(f"{live_server.url}/entities/{DURHAM}/")
    with page.expect_download() as info:
        page.click("main a[download]:text-is('CSV')")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert DURHAM_TIE in {r["id"] for r in rows}
    assert all(r["subject"] == DURHAM or DURHAM in r["counterparts"] or r["program"] == DURHAM for r in rows)

    page.goto(f"{live_server.url}/ties/?kind=training&country=IL")
    with page.expect_download() as info:
        page.click("main a[download]:text-is('CSV') >> nth=0")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert rows and all(r["kind"] == "training" for r in rows)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tie_list_filter_form_and_errors(live_server: Any, page: Any) -> None:
    load_demo()
    page.goto(f"{live_server.url}/ties/")
    page.select_option("#id_kind", "training")
    page.fill("#id_year_from", "2009")
    page.fill("#id_year_to", "2010")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/ties/?*kind=training*")
    cells = page.locator("table.ties tbody tr td:nth-child(3)").all_inner_texts()
    assert cells and set(cells) == {"training"}

    page.fill("#id_year_from", "2012")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "Must not be after the end year." in page.inner_text("main")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone_without_javascript(live_server: Any, browser: Any) -> None:
    load_demo()
    context = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False,
                                  is_mobile=True)
    phone = context.new_page()
    try:
        for path in ("/", "/ties/", f"/entities/{DURHAM}/", "/search/?q=durham", f"/ties/{DURHAM_TIE}/"):
            phone.goto(f"{live_server.url}{path}")
            assert phone.locator("main h1").is_visible()
            # Nothing wider than the screen: wide tables scroll inside their own box.
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, width)
            box = phone.locator("main").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1, (path, box)
        phone.goto(f"{live_server.url}/")
        phone.fill("main input[name=q]", "Durham")
        phone.press("main input[name=q]", "Enter")
        phone.wait_for_url("**/search/?q=Durham")
        assert "Durham Police Department" in phone.inner_text("main")
    except BaseException:
        conftest.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(conftest.SCREENSHOTS / "test_pages_fit_a_phone_without_javascript.png"),
                         full_page=True)
        raise
    finally:
        context.close()
