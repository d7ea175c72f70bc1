"""Page sections: how higher apps add a section to a registry page without the registry importing them.

The registry sits below policies and campaigns, yet its entity, place, tie and source pages should
show the policies that bind a record, their verdicts, and the campaigns and votes about it. Each
higher app registers a small renderer here in its AppConfig.ready(); the registry's templates call
`{% page_sections "entity" entity %}` (templatetags/page_sections.py), which renders every renderer
registered for that page, in order. A renderer gets the request, the record and whether the viewer
may see drafts, and returns HTML (usually `render_to_string` of its own template), or "" to show
nothing. It must apply its own app's visibility rule: the registry cannot check what it does not know.

The same registry serves the policies app's page (page "policy", the record an Instrument) and the
campaigns app's campaign and vote pages, so each of those two apps links the other's records (the
campaign behind a policy, the policy a campaign or vote produced) without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

PAGES = ("entity", "jurisdiction", "tie", "source", "policy", "campaign", "vote", "home")

Renderer = Callable[[HttpRequest | None, Any, bool], str]


@dataclass(frozen=True, slots=True)
class Section:
    page: str
    name: str
    order: int
    render: Renderer


_SECTIONS: dict[str, dict[str, Section]] = {page: {} for page in PAGES}


def register(page: str, name: str, render: Renderer, order: int = 100) -> None:
    """Add (or replace, by `name`: ready() may run twice in tests) a section of `page`."""
    if page not in _SECTIONS:
        raise ValueError(f"unknown page {page!r}; pages: {', '.join(PAGES)}")
    _SECTIONS[page][name] = Section(page, name, order, render)


def sections(page: str) -> list[Section]:
    return sorted(_SECTIONS.get(page, {}).values(), key=lambda s: (s.order, s.name))


def render_sections(page: str, request: HttpRequest | None, record: Any, drafts: bool) -> SafeString:
    # Each renderer returns escaped HTML from its own template.
    return mark_safe("".join(section.render(request, record, drafts) for section in sections(page)))
