"""Browser tests of the research desk's registry pages, in Debian's chromium against a live server:
the Durham seminar's claims side by side on its tie page (neither one winning), and a source page
with its archived copy beside the live link, the copy sandboxed (its script never runs)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import conftest

DURHAM_TIE = "us-nc-durham-police-department--adl-ncts--2008"
HOSTILE = (b"<html><head><title>Archived memo</title></head><body><p id='said'>Leadership only.</p>"
           b"<script>document.title = 'script ran'; document.getElementById('said').textContent = 'pwned';</script>"
           b"</body></html>")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tie_page_shows_the_claims_side_by_side(live_server: Any, page: Any) -> None:
    from tiewatch.registry.importers import import_bundle

    import_bundle([conftest.DEMO_SEED], actor="tests")
    page.goto(f"{live_server.url}/ties/{DURHAM_TIE}/")
    section = page.locator("section.claims")
    assert "Claims side by side" in section.locator("h2").inner_text()
    fact = section.locator(".fact-claims[data-fact=military_style_training]")
    assert "claims conflict" in fact.locator("h3").inner_text()
    rows = fact.locator("tr.claim")
    assert rows.count() == 2
    memo, campaign = rows.nth(0), rows.nth(1)
    assert memo.locator(".claim-value").inner_text() == "no"
    assert "official record" in memo.inner_text() and "Durham Police Department" in memo.inner_text()
    assert campaign.locator(".claim-value").inner_text() == "yes"
    assert "a party's own claim" in campaign.inner_text() and "Durham2Palestine" in campaign.inner_text()
    # Side by side: the two claims are rows of one table, one under the other, both in view.
    first, second = memo.bounding_box(), campaign.bounding_box()
    assert first and second and first["x"] == second["x"] and second["y"] > first["y"]
    # Each claim's source opens the source page.
    memo.locator("td:nth-child(4) a").first.click()
    page.wait_for_url("**/sources/*/")
    assert "voice4israel.com/police-memo" in page.inner_text("main")


class _Hostile(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(HOSTILE)))
        self.end_headers()
        self.wfile.write(HOSTILE)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def origin() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_source_page_offers_the_sandboxed_archived_copy(live_server: Any, page: Any, origin: str, settings: Any,
                                                        tmp_path: Path) -> None:
    from tiewatch.cli import main
    from tiewatch.registry.models import Source

    settings.TIEWATCH_ARCHIVE_DIR = str(tmp_path / "archive")
    settings.TIEWATCH_ARCHIVE_ALLOW_PRIVATE = True
    Source.objects.create(id="src-hostile", url=f"{origin}/memo", title="A memo")
    assert main(["sources", "capture", "--ids", "src-hostile", "--quiet"]) == 0
    page.goto(f"{live_server.url}/sources/src-hostile/")
    assert page.locator("a.source-url").get_attribute("href") == f"{origin}/memo"
    archived = page.locator("a.archived-copy")
    assert "Captured" in page.locator("section.archive").inner_text()
    archived.click()
    page.wait_for_url("**/sources/src-hostile/archive/")
    assert page.locator("#said").inner_text() == "Leadership only."
    assert page.title() == "Archived memo"  # the copy's script did not run
