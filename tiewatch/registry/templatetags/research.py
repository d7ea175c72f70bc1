"""Small includes for the research desk on registry pages: claims side by side on entity and tie
pages, the archived copy and link health on a source page. Tags, not view context, so the pages'
views and templates change only by one line each."""

from __future__ import annotations

from typing import Any

from django import template

from tiewatch.registry import visibility
from tiewatch.registry.claimview import claims_of
from tiewatch.registry.models import Entity, Source, SourceCapture, SourceLink, Tie

register = template.Library()


def _drafts(context: Any) -> bool:
    request = context.get("request")
    return visibility.can_see_drafts(getattr(request, "user", None))


@register.inclusion_tag("registry/_claims.html", takes_context=True)
def claims_side_by_side(context: Any, record: Any) -> dict[str, Any]:
    """Every claim of each fact of `record` (an Entity, a Tie, or a tie view with `id`)."""
    drafts = _drafts(context)
    if isinstance(record, (Entity, Tie)):
        target: Entity | Tie | None = record
    else:
        target = Tie.objects.filter(pk=getattr(record, "id", None)).first()
    return {"facts": claims_of(target, drafts) if target is not None else []}


@register.inclusion_tag("registry/_archive.html", takes_context=True)
def archived_copy(context: Any, source: Source) -> dict[str, Any]:
    capture = SourceCapture.objects.filter(source=source).defer("text").first()
    link = SourceLink.objects.filter(source=source).first()
    return {"source": source, "capture": capture, "link": link, "drafts": _drafts(context)}
