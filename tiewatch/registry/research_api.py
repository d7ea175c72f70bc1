"""The research desk's registry endpoints: claims side by side, and a source's archived copies and
link health (docs/registry.md#claims-and-confidence, #archived-sources)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from tiewatch.core.errors import NotFound
from tiewatch.registry import queries, visibility
from tiewatch.registry.claimview import FactClaims, claims_of
from tiewatch.registry.models import Entity, SourceCapture, SourceLink, Tie

router = Router(tags=["registry"])


class ClaimOut(Schema):
    fact: str
    value: Any = None
    confidence: str
    confidence_words: str
    claimant: str | None = None
    claimant_name: str
    sources: list[str]
    retrieved_on: str | None = None
    quote: str


class FactOut(Schema):
    fact: str
    conflicting: bool
    claims: list[ClaimOut]


class ClaimsOut(Schema):
    record: str
    facts: list[FactOut]


class CaptureOut(Schema):
    captured_at: str
    sha256: str
    status: int
    content_type: str
    final_url: str
    redirects: list[dict[str, Any]]
    size: int


class LinkOut(Schema):
    last_checked: str
    status: int | None = None
    final_url: str
    redirects: list[dict[str, Any]]
    error: str
    dead_since: str | None = None


class ArchiveOut(Schema):
    source: str
    url: str
    captures: list[CaptureOut]
    link: LinkOut | None = None


def _drafts(request: HttpRequest) -> bool:
    return visibility.can_see_drafts(getattr(request, "user", None))


def _facts(record_id: str, facts: list[FactClaims]) -> dict[str, Any]:
    return {"record": record_id, "facts": [
        {"fact": f.fact, "conflicting": f.conflicting,
         "claims": [{**c.as_dict(), "confidence_words": c.confidence_words} for c in f.claims]} for f in facts]}


@router.get("/ties/{id}/claims", response=ClaimsOut, summary="Claims of a tie's facts, side by side")
def tie_claims(request: HttpRequest, id: str) -> dict[str, Any]:
    drafts = _drafts(request)
    if queries.get_tie(id, drafts) is None:
        raise NotFound(f"No tie with id {id!r}.")
    return _facts(id, claims_of(Tie.objects.get(pk=id), drafts))


@router.get("/entities/{id}/claims", response=ClaimsOut, summary="Claims of an entity's facts, side by side")
def entity_claims(request: HttpRequest, id: str) -> dict[str, Any]:
    drafts = _drafts(request)
    entity: Entity | None = queries.get_entity(id, drafts)
    if entity is None:
        raise NotFound(f"No entity with id {id!r}.")
    return _facts(id, claims_of(entity, drafts))


@router.get("/sources/{id}/archive", response=ArchiveOut, summary="A source's archived copies and link health")
def source_archive(request: HttpRequest, id: str) -> dict[str, Any]:
    source = queries.get_source(id, _drafts(request))
    if source is None:
        raise NotFound(f"No source with id {id!r}.")
    link = SourceLink.objects.filter(source=source).first()
    return {"source": source.pk, "url": source.url, "captures": [
        {"captured_at": c.captured_at.isoformat(), "sha256": c.sha256, "status": c.status,
         "content_type": c.content_type, "final_url": c.final_url, "redirects": c.redirects, "size": c.size}
        for c in SourceCapture.objects.filter(source=source).defer("text")],
        "link": None if link is None else {
            "last_checked": link.last_checked.isoformat(), "status": link.status, "final_url": link.final_url,
            "redirects": link.redirects, "error": link.error,
            "dead_since": link.dead_since.isoformat() if link.dead_since else None}}
