"""Sections that higher apps add to the registry's entity page (the desk's "What has been researched").

The registry cannot import the apps above it; they register a renderer here when Django starts
(their AppConfig.ready), and the entity page shows each one's HTML after its own facts.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from tiewatch.registry.models import Entity

EntitySection = Callable[[HttpRequest, Entity, bool], SafeString]
_ENTITY_SECTIONS: list[EntitySection] = []


def add_entity_section(render: EntitySection) -> None:
    if render not in _ENTITY_SECTIONS:
        _ENTITY_SECTIONS.append(render)


def entity_sections(request: HttpRequest, entity: Entity, drafts: bool) -> list[SafeString]:
    return [html for render in _ENTITY_SECTIONS if (html := render(request, entity, drafts))]
