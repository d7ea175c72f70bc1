"""Plain language: crawl the demo's public pages, as the public sees them, and fail on developer
wording in what a person reads: snake_case (or run-together) tokens of the known vocabularies (entity and
tie kinds, statuses, verdicts, rule effects, policy instrument types, tie attribute names), raw OCD ids
and dates written as YYYY-MM-DD, in visible text and in the words a pointer or a screen reader gets
(the tooltips of server-drawn maps and charts, SVG <title>/<desc>, aria-label)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from tiewatch.cli import main
from tiewatch.core.records import ENTITY_KINDS, TIE_KINDS, TIE_STATUSES
from tiewatch.policies.engine.schema import EFFECTS, INSTRUMENT_TYPES, VERDICTS
from tiewatch.registry.models import Tie

pytestmark = pytest.mark.django_db

SKIP = ("/admin", "/api", "/static", "/accounts", "/desk", "/review", "/policies/screen-list")
PAGE_LIMIT = 400


class _Text(HTMLParser):
    """The text a reader sees: no tags, scripts, styles, attribute values or hidden inputs; but the
    tooltips and descriptions of SVG figures and every aria-label, which people read too."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self._svg += 1
        if tag in ("script", "style", "title", "option", "datalist", "textarea") and not (self._svg and tag == "title"):
            self._skip += 1
        label = dict(attrs).get("aria-label")
        if label:
            self.parts.append(label)
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._svg:
            self._svg -= 1
        elif tag in ("script", "style", "title", "option", "datalist", "textarea") and self._skip and not (
                self._svg and tag == "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def vocabulary() -> set[str]:
    words = {*ENTITY_KINDS, *TIE_KINDS, *TIE_STATUSES, *EFFECTS, *VERDICTS, *INSTRUMENT_TYPES}
    for attributes in Tie.objects.values_list("attributes", flat=True):
        words.update((attributes or {}).keys())
    snake = {w for w in words if "_" in w}
    return snake | {w.replace("_", "") for w in snake}


def crawl(client: Client, start: str = "/") -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP) or "format=" in url or url.endswith((".csv", ".pdf", ".json")):
            continue
        response = client.get(url)
        assert response.status_code in (200, 301, 302), f"broken internal link {url}: {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            seen[url] = ""
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        seen[url] = " ".join(parser.parts)
        queue.extend(link for link in parser.links if link not in seen)
    return seen


def offences(text: str, words: set[str]) -> list[str]:
    found = [m.group(0) for m in re.finditer(r"ocd-division/\S+", text)]
    # A date as YYYY-MM(-DD) on its own (within an id or a file name, as in "release-2018-04-16.csv", it is
    # part of that name).
    found += [m.group(0) for m in re.finditer(r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])", text)]
    tokens = set(re.findall(r"[a-z][a-z_]+[a-z]", text.lower()))
    return found + sorted(tokens & words)


def test_demo_pages_speak_plain_words(client: Client, capsys: Any) -> None:
    assert main(["demo", "load"]) == 0
    capsys.readouterr()
    words = vocabulary()
    assert {"police_agency", "policeagency", "military_style_training", "require_approval"} <= words
    pages = crawl(client)
    assert len(pages) > 150, "the crawl reaches the demo's entity, tie, place, policy and campaign pages"
    assert {"/policies/", "/campaigns/", "/jurisdictions/"} <= set(pages)
    bad = {url: found for url, text in pages.items() if (found := offences(text, words))}
    assert not bad, "developer wording in visible text:\n" + "\n".join(
        f"{url}: {', '.join(found[:8])}" for url, found in sorted(bad.items())[:40])


def test_the_checker_catches_what_it_should() -> None:
    words = {"police_agency", "policeagency"}
    assert offences("A police_agency in ocd-division/country:us/state:nc", words) == [
        "ocd-division/country:us/state:nc", "police_agency"]
    assert offences("A police agency in Durham", words) == []
    assert offences("adopted 2018-04-16, in force since 2018-05", words) == ["2018-04-16", "2018-05"]
    assert offences("adopted 16 April 2018, for 2015–2017, in tie-2018-04-16-2018-05-01", words) == []


def test_the_crawl_reads_svg_titles_and_aria_labels() -> None:
    parser = _Text()
    parser.feed('<title>Page</title><svg aria-hidden="true"><path><title>California: state_law</title></path>'
                '</svg><nav aria-label="ocd-division/country:us">x</nav><p>shown</p>')
    text = " ".join(parser.parts)
    assert "Page" not in text and "shown" in text
    assert offences(text, {"state_law"}) == ["ocd-division/country:us", "state_law"]
