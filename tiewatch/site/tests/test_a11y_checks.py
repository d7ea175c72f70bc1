"""The accessibility checks themselves (tiewatch/site/tests/a11y_checks.py), in Debian's chromium on
small hand-written pages: each catches what it should and exempts only what WCAG exempts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tiewatch.site.tests import a11y_checks

TARGETS_PAGE = """<!doctype html><html lang="en"><head><title>t</title></head><body>
<header><nav><a href="#">Tiny menu</a></nav></header>
<footer><a href="#" id="outside">outside main</a></footer>
<main>
  <p>Read <a href="#">the council's report</a> before the vote.</p>
  <p><a href="#">CSV</a> · <a href="#">JSON</a></p>
  <ul><li><a href="#">Police agency</a> (12)</li>
      <li><a href="#">Durham Police Department</a>, a city police force</li></ul>
  <table><tr><td><a href="#">Alone in a cell</a></td></tr></table>
  <a href="#" style="display:inline-block;min-height:44px;min-width:44px;padding:10px">Big enough</a>
  <button>Go</button>
  <label style="display:flex;align-items:center;min-height:44px"><input type="checkbox"> I live here</label>
  <label for="tiny">Email</label><input id="tiny" style="height:20px">
  <span class="visually-hidden" style="position:absolute;width:1px;height:1px;overflow:hidden"><a href="#">hidden</a></span>
  <svg width="20" height="20"><a href="#"><rect width="10" height="10"/></a></svg>
</main></body></html>"""


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size({"width": 390, "height": 800})
    return page


@pytest.mark.browser
def test_touch_targets_exempt_links_in_sentences_only(phone: Any) -> None:
    phone.set_content(TARGETS_PAGE)
    small = "\n".join(a11y_checks.small_targets(phone))
    # Flagged: links standing alone (a line of links, a facet with only a count, a table cell, the
    # header's menu), a button, an input whose label is small too.
    for name in ('"CSV"', '"JSON"', '"Police agency"', '"Alone in a cell"', 'button "Go"', "input#tiny", '"Tiny menu"'):
        assert name in small, (name, small)
    # Exempt: links among words, controls outside <main> and the header, big-enough ones, a checkbox in a 44 px
    # label, visually hidden ones and links drawn in an SVG (the map's list beside them is the target).
    for name in ("council's report", "Durham Police", "outside main", "Big enough", "checkbox", "hidden", "svg"):
        assert name not in small, (name, small)
    assert len(small.splitlines()) == 7


@pytest.mark.browser
def test_overflow_names_the_element_that_reaches_past_the_screen(phone: Any) -> None:
    phone.set_content('<!doctype html><main><table id="wide"><tr><td style="min-width:600px">x</td></tr>'
                      "</table></main>")
    found = a11y_checks.overflow(phone)
    assert found[0].startswith("page is ") and "in a 390 px viewport" in found[0]
    assert any("table#wide reaches" in line or "main reaches" in line for line in found[1:]), found
    phone.set_content('<!doctype html><main><p style="overflow-wrap:anywhere">' + "x" * 500 + "</p></main>")
    assert a11y_checks.overflow(phone) == []


@pytest.mark.browser
def test_axe_reports_serious_and_critical_violations_readably(phone: Any) -> None:
    phone.set_content('<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
                      '<img src="data:," id="no-alt"><p style="color:#bbb;background:#fff">faint</p>'
                      "<h1>x</h1><h3>skips a level (moderate only)</h3></main></body></html>")
    found = a11y_checks.axe_violations(phone)
    assert any(v.startswith("image-alt (critical): ") and "#no-alt" in v for v in found), found
    assert any(v.startswith("color-contrast (serious): ") for v in found), found
    assert not any(v.startswith("heading-order") for v in found), found


def test_missing_axe_core_fails_and_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(a11y_checks, "AXE", tmp_path / "node_modules" / "axe-core" / "axe.min.js")
    with pytest.raises(AssertionError, match=r"axe-core is not installed .*npm ci --prefix e2e"):
        a11y_checks.axe_script()
