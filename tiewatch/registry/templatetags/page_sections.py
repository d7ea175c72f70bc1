"""`{% page_sections "entity" entity %}`: the sections higher apps registered for a registry page
(tiewatch/registry/sections.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tiewatch.registry import history, sections, visibility

register = template.Library()


@register.simple_tag(takes_context=True)
def page_sections(context: Any, page: str, record: Any) -> SafeString:
    request = context.get("request")
    drafts = visibility.can_see_drafts(getattr(request, "user", None))
    return sections.render_sections(page, request, record, drafts)


@register.inclusion_tag("registry/_history.html")
def what_changed(model: str, object_id: str) -> dict[str, Any]:
    """The record's public history (tiewatch/registry/history.py) and its last update."""
    changes = history.public_history(model, str(object_id))
    return {"changes": changes, "last": changes[0] if changes else None}
