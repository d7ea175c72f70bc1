"""JSON API of the campaigns app (mounted by config/api.py at /api/).

Public endpoints never return a signer's email, address or IP: counts, and the first name and
city of signers who opted in. Errors use the shared shape `{"error": {"code", "message", "fields"}}`.

CSRF: the signing endpoint accepts only `Content-Type: application/json`, which a cross-site
form cannot send without a CORS preflight (which this site never grants); the HTML form uses
Django's CSRF token.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from tiewatch.campaigns.models import Campaign, Hearing, Letter, Petition, Signature, Vote
from tiewatch.campaigns.schemas import SignatureIn
from tiewatch.campaigns.services.counts import counts, public_signers
from tiewatch.campaigns.services.petition_cache import get_public_petition
from tiewatch.campaigns.services.ratelimits import client_ip
from tiewatch.campaigns.services.signing import confirm, sign, token_hash
from tiewatch.campaigns.timeline import campaign_timeline
from tiewatch.campaigns.visibility import public_evidence
from tiewatch.core.errors import NotFound, TiewatchError, ValidationFailed
from tiewatch.core.json_body import load_json_body
from tiewatch.core.urls import safe_href, safe_sources

router = Router(tags=["campaigns"])


class UnsupportedMediaType(TiewatchError):
    code = "unsupported_media_type"
    status = 415


# Documented from the one signature schema; the endpoint reads its body itself (415 for other
# content types, and invalid attempts count against the rate limits before validation answers).
_SIGN_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": SignatureIn.model_json_schema()}}}}


def _petition_json(petition: Petition) -> dict[str, Any]:
    return {
        "slug": petition.slug,
        "title": petition.title,
        "text": petition.text,
        "target": petition.target,
        "jurisdiction": petition.jurisdiction,
        "campaign": petition.campaign.slug,
        "status": petition.status,
        "accepting_signatures": petition.accepting(),
        "opens_at": petition.opens_at.isoformat() if petition.opens_at else None,
        "closes_at": petition.closes_at.isoformat() if petition.closes_at else None,
        "thresholds": petition.thresholds,
        "verification": petition.verification,
        "counts": counts(petition),
        "url": f"/petitions/{petition.slug}/",
    }


@router.get("/petitions", summary="Public petitions with their counts")
def list_petitions(request: HttpRequest) -> list[dict[str, Any]]:
    qs = Petition.objects.public().select_related("campaign").order_by("slug")
    return [_petition_json(p) for p in qs]


@router.get("/petitions/{slug}", summary="A petition and its public counts")
def get_petition(request: HttpRequest, slug: str) -> dict[str, Any]:
    petition = get_public_petition(slug, cached=True)
    out = _petition_json(petition)
    out["public_signers"] = public_signers(petition)
    return out


@router.get("/petitions/{slug}/counts", summary="A petition's public counts and next milestone (for live pages)")
def get_petition_counts(request: HttpRequest, slug: str) -> HttpResponse:
    """What the petition page refreshes every few seconds: counts only, no text, no signers. Not cached
    by browsers or proxies, so a confirmed signature shows at the next refresh."""
    petition = get_public_petition(slug, cached=True)
    body = {"petition": petition.slug, "accepting_signatures": petition.accepting(), "counts": counts(petition)}
    response = HttpResponse(json.dumps(body), content_type=_JSON)
    response["Cache-Control"] = "no-store"
    return response


@router.post("/petitions/{slug}/signatures", summary="Sign a petition (pending email confirmation)",
             response={202: dict}, openapi_extra=_SIGN_BODY)
def sign_petition(request: HttpRequest, slug: str) -> HttpResponse:
    if request.content_type != "application/json":
        raise UnsupportedMediaType("Send the signature as application/json.")
    payload = load_json_body(request.body or b"{}")  # the API's checks on every JSON body
    if not isinstance(payload, dict):
        raise ValidationFailed("The body must be a JSON object.")
    petition = get_public_petition(slug, cached=True)
    sign(petition, payload, client_ip(request))
    return HttpResponse(_accepted_body(petition.slug), status=202, content_type=_JSON)


_JSON = "application/json; charset=utf-8"  # what the API's renderer answers
_accepted_bodies: dict[str, bytes] = {}


def _accepted_body(slug: str) -> bytes:
    """The 202 answer, the same for every signature of a petition: serialised once per slug."""
    body = _accepted_bodies.get(slug)
    if body is None:
        if len(_accepted_bodies) > 1000:
            _accepted_bodies.clear()
        body = _accepted_bodies[slug] = json.dumps({
            "status": "pending_confirmation",
            "message": "Check your email and confirm your signature; it counts once confirmed.",
            "petition": slug,
        }).encode()
    return body


class ConfirmIn(Schema):
    token: str


@router.post("/signatures/confirm", summary="Confirm a signature with the token from the email")
def confirm_signature(request: HttpRequest, body: ConfirmIn) -> dict[str, Any]:
    pending = (Signature.objects.select_related("petition__campaign")
               .filter(token_hash=token_hash(body.token)).first())
    if pending is not None and not pending.petition.is_public:
        # Its petition (or campaign) was withdrawn: confirm nothing, reveal nothing of it.
        raise NotFound("This confirmation link is not valid.")
    signature = confirm(body.token)
    return {"status": "confirmed", "petition": signature.petition.slug,
            "counts": counts(signature.petition)}


@router.get("/campaigns", summary="Campaigns")
def list_campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"slug": c.slug, "name": c.name, "target_body": c.target_body, "jurisdiction": c.jurisdiction,
             "policy_id": c.policy_id or None, "url": f"/campaigns/{c.slug}/"}
            for c in Campaign.objects.public()]


@router.get("/campaigns/{slug}", summary="A campaign and its whole timeline")
def get_campaign(request: HttpRequest, slug: str) -> dict[str, Any]:
    campaign = Campaign.objects.public().filter(slug=slug).first()
    if campaign is None:
        raise NotFound(f"No campaign {slug!r}.")
    return {
        "slug": campaign.slug, "name": campaign.name, "coalition": campaign.coalition,
        "target_body": campaign.target_body, "jurisdiction": campaign.jurisdiction, "summary": campaign.summary,
        "policy_id": campaign.policy_id or None,
        "members": [{"name": m.organisation.name, "role": m.role, "entity_id": m.organisation.entity_id or None}
                    for m in campaign.campaignmembership_set.select_related("organisation")],
        "evidence": list(public_evidence(campaign).values_list("pk", flat=True)),
        "timeline": [item.as_json() for item in campaign_timeline(campaign)],
        "sources": safe_sources(campaign.sources),
    }


def _hearing_json(h: Hearing) -> dict[str, Any]:
    return {
        "slug": h.slug, "body": h.body, "date": h.date.isoformat(),
        "start_time": h.start_time.isoformat() if h.start_time else None,
        "end_time": h.end_time.isoformat() if h.end_time else None,
        "agenda_item": h.agenda_item, "video_url": safe_href(h.video_url), "note": h.note,
        "campaign": h.campaign.slug if h.campaign else None,
        "summary": h.summary(),
        "testimonies": [{"speaker": t.speaker, "affiliation": t.affiliation, "stance": t.stance,
                         "resident": t.resident, "start_time": t.start_time.isoformat() if t.start_time else None,
                         "duration_seconds": t.duration_seconds} for t in h.testimonies.all()],
        "sources": safe_sources(h.sources),
    }


@router.get("/hearings/{slug}", summary="A hearing with its testimonies and summary")
def get_hearing(request: HttpRequest, slug: str) -> dict[str, Any]:
    hearing = Hearing.objects.public().select_related("campaign").filter(slug=slug).first()
    if hearing is None:
        raise NotFound(f"No hearing {slug!r}.")
    return _hearing_json(hearing)


@router.get("/votes/{slug}", summary="A vote with its roll call and outcome")
def get_vote(request: HttpRequest, slug: str) -> dict[str, Any]:
    v = Vote.objects.public().filter(slug=slug).first()
    if v is None:
        raise NotFound(f"No vote {slug!r}.")
    return {
        "slug": v.slug, "body": v.body, "motion": v.motion, "date": v.date.isoformat(), "outcome": v.outcome,
        "effect": v.effect, "policy_id": v.policy_id or None,
        "policy_url": f"/policies/{v.policy_id}/" if v.policy_id else None,
        "tally": v.tally(), "seats": v.seats, "note": v.note,
        "roll_call": [{"member": e.member, "position": e.position} for e in v.roll_call.all()],
        "sources": safe_sources(v.sources),
    }


@router.get("/letters/{slug}", summary="A sign-on letter with signatories and endorsements")
def get_letter(request: HttpRequest, slug: str) -> dict[str, Any]:
    letter = Letter.objects.public().filter(slug=slug).first()
    if letter is None:
        raise NotFound(f"No letter {slug!r}.")
    return {
        "slug": letter.slug, "title": letter.title, "date": letter.when, "stance": letter.stance,
        "addressed_to": letter.addressed_to, "text": letter.text, "summary": letter.summary,
        "reported_signatories": letter.reported_signatories or None, "uncertain": letter.uncertain,
        "signatories": [{"name": s.name, "role": s.role, "organisation": s.organisation}
                        for s in letter.signatories.all()],
        "endorsements": [e.organisation.name for e in letter.endorsements.select_related("organisation")],
        # The same organisations with the registry entity each stands for (null when not in the registry).
        "organisations": [{"name": e.organisation.name, "entity_id": e.organisation.entity_id or None}
                          for e in letter.endorsements.select_related("organisation")],
        "sources": safe_sources(letter.sources),
    }
