"""Plain language: crawl the demo's public pages, as the public sees them, and fail on developer
wording in visible text: snake_case (or run-together) tokens of the known vocabularies (entity and
tie kinds, statuses, verdicts, rule effects, tie attribute names) and raw OCD ids."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from tiewatch.cli import main
from tiewatch.core.records import ENTITY_KINDS, TIE_KINDS, TIE_STATUSES
from tiewatch.policies.engine.schema import EFFECTS, VERDICTS
from tiewatch.registry.models import Tie

pytestmark = pytest.mark.django_db

SKIP = ("/admin", "/api", "/static", "/accounts", "/desk", "/review", "/policies/screen-list")
PAGE_LIMIT = 400


class _Text(HTMLParser):
    """The text a reader sees: no tags, scripts, styles, attribute values or hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title", "option", "datalist", "textarea"):
            self._skip += 1
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title", "option", "datalist", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def vocabulary() -> set[str]:
    words = {*ENTITY_KINDS, *TIE_KINDS, *TIE_STATUSES, *EFFECTS, *VERDICTS}
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
