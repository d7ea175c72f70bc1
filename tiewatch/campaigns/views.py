"""Web pages of the campaigns app: campaigns, petitions (sign, confirm), hearings, votes, letters,
and the staff pages (moderation, exports) guarded by permissions."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tiewatch.campaigns import listing
from tiewatch.campaigns.forms import InvalidateForm, OfflineBatchForm, SignatureForm
from tiewatch.campaigns.models import (
    Campaign,
    ExportLog,
    Hearing,
    Letter,
    OfflineSignatureBatch,
    Petition,
    Signature,
    Vote,
)
from tiewatch.campaigns.services.counts import counts, public_signers
from tiewatch.campaigns.services.moderation import invalidate
from tiewatch.campaigns.services.petition_cache import get_public_petition
from tiewatch.campaigns.services.ratelimits import client_ip
from tiewatch.campaigns.services.signature_map import signature_map
from tiewatch.campaigns.services.signing import confirm, find_pending, sign
from tiewatch.campaigns.timeline import campaign_timeline
from tiewatch.campaigns.visibility import public_evidence
from tiewatch.core.csvsafe import escape_cell
from tiewatch.core.errors import (
    Conflict,
    Gone,
    NotFound,
    Problem,
    RateLimited,
    TiewatchError,
    ValidationFailed,
)
from tiewatch.registry import facets
from tiewatch.registry.exporters import export_response


def _user(request: HttpRequest) -> User:
    """The signed-in user of a staff view (those views refuse anonymous visitors first)."""
    assert isinstance(request.user, User)
    return request.user


def _public_petition(slug: str) -> Petition:
    try:
        return get_public_petition(slug)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _staff_petition(request: HttpRequest, slug: str, perm: str) -> Petition | HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(perm):
        raise PermissionDenied("You lack the permission " + perm)
    return get_object_or_404(Petition, slug=slug)


def campaign_list(request: HttpRequest) -> HttpResponse:
    """Campaigns filtered by outcome, state and year begun, counted by each, sorted by a column;
    `?format=csv|json` exports the filtered list."""
    form = listing.CampaignFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "campaigns/campaign_list.html", {"form": form, "rows": [], "invalid": True},
                      status=400)
    chosen = listing.selected(form)
    rows = facets.filter_rows(listing.campaign_rows(), chosen)
    sort = (form.cleaned_data.get("sort") if form.is_bound else "") or ""
    rows = facets.sort_rows(rows, sort) if sort else rows
    fmt = form.cleaned_data.get("format") if form.is_bound else ""
    if fmt in ("csv", "json"):
        return export_response("campaigns", fmt, listing.COLUMNS, rows)
    link = facets.request_link(request)
    petitions = Petition.objects.public().filter(status=Petition.Status.OPEN).select_related("campaign")
    return render(request, "campaigns/campaign_list.html", {
        "form": form, "rows": rows, "open_petitions": petitions,
        "facets": facets.row_facets(rows, listing.FACETS, chosen, link),
        "sort_headers": facets.sort_headers(listing.SORT_COLUMNS, sort, link), **facets.export_urls(link)})


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.public(), slug=slug)
    petitions = [(p, counts(p)) for p in campaign.petitions.public()]
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "members": campaign.campaignmembership_set.select_related("organisation"),
        "evidence": public_evidence(campaign).select_related("subject"),
        "petitions": petitions,
        "timeline": campaign_timeline(campaign),
        "submissions": campaign.letters.public().prefetch_related("endorsements__organisation"),
    })


def petition_list(request: HttpRequest) -> HttpResponse:
    petitions = [(p, counts(p)) for p in
                 Petition.objects.public().select_related("campaign").order_by("slug")]
    return render(request, "campaigns/petition_list.html", {"petitions": petitions})


@require_http_methods(["GET", "POST"])
def petition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    petition = _public_petition(slug)
    form = SignatureForm()
    status = 200
    if request.method == "POST":
        form = SignatureForm(request.POST)
        try:
            sign(petition, request.POST.dict(), client_ip(request))
        except ValidationFailed as exc:
            form.add_problems(exc.problems)
            status = 422
        except Conflict as exc:
            form.add_problems([Problem(exc.message, field="email")])
            status = 409
        except (RateLimited, Gone) as exc:
            form.add_problems([Problem(exc.message)])
            status = exc.status
        else:
            return redirect("campaigns:petition_thanks", slug=petition.slug)
    return render(request, "campaigns/petition_detail.html", {
        "petition": petition, "form": form, "counts": counts(petition),
        "signers": public_signers(petition), "accepting": petition.accepting(),
        "offline_batches": petition.offline_batches.all(), "signature_map": signature_map(petition),
    }, status=status)


def petition_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    petition = _public_petition(slug)
    return render(request, "campaigns/petition_thanks.html", {"petition": petition})


@require_http_methods(["GET", "POST"])
def petition_confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms (mail scanners that open links confirm nothing)."""
    petition = _public_petition(slug)
    context: dict[str, Any] = {"petition": petition, "token": token}
    status = 200
    pending = find_pending(petition, token)
    # A link used before says so (on GET, and on a second POST), rather than offering the button again.
    already = pending is not None and pending.confirmed_at is not None and pending.invalidated_at is None
    if request.method == "POST" and not already:
        try:
            confirm(token, petition)
        except TiewatchError as exc:
            context["error"] = exc.message
            status = exc.status
        else:
            context["confirmed"] = True
            context["counts"] = counts(petition)
    elif already:
        context["already_confirmed"] = True
        context["counts"] = counts(petition)
    elif pending is None:
        context["error"] = "This confirmation link is not valid."
        status = 404
    response = render(request, "campaigns/petition_confirm.html", context, status=status)
    # same-origin: the token never leaves in a Referer to other sites, and the form POST keeps its Origin.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def petition_moderate(request: HttpRequest, slug: str) -> HttpResponse:
    petition = _staff_petition(request, slug, "campaigns.moderate_signatures")
    if isinstance(petition, HttpResponse):
        return petition
    invalidate_form = InvalidateForm()
    batch_form = OfflineBatchForm()
    if request.method == "POST":
        if request.POST.get("action") == "invalidate":
            invalidate_form = InvalidateForm(request.POST)
            ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
            if invalidate_form.is_valid():
                if not ids:
                    invalidate_form.add_error(None, "Select at least one signature.")
                else:
                    n = invalidate(petition, ids, invalidate_form.cleaned_data["reason"], _user(request))
                    messages.success(request, f"{n} signature(s) invalidated.")
                    return redirect(request.get_full_path())
        elif request.POST.get("action") == "offline":
            batch_form = OfflineBatchForm(request.POST)
            if batch_form.is_valid():
                data = batch_form.cleaned_data
                with transaction.atomic():
                    OfflineSignatureBatch.objects.create(
                        petition=petition, count=data["count"], source=data["source"],
                        collected_on=data.get("collected_on"), note=data.get("note", ""),
                        verified_residents=data.get("verified_residents") or 0, entered_by=_user(request))
                messages.success(request, f"{data['count']} offline signature(s) recorded.")
                return redirect(request.get_full_path())
    show = request.GET.get("show", "all")
    qs = petition.signatures.all().order_by("-created_at")
    if show == "review":
        qs = qs.filter(needs_review=True, invalidated_at__isnull=True)
    elif show == "pending":
        qs = qs.filter(confirmed_at__isnull=True, invalidated_at__isnull=True)
    elif show == "invalidated":
        qs = qs.filter(invalidated_at__isnull=False)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "campaigns/petition_moderate.html", {
        "petition": petition, "page": page, "show": show, "invalidate_form": invalidate_form,
        "batch_form": batch_form, "counts": counts(petition),
        "batches": petition.offline_batches.all(), "log": petition.moderation_log.all()[:20],
        "exports": petition.exports.all()[:20],
    })


def _export_rows(petition: Petition, include_all: bool) -> list[Signature]:
    qs = petition.signatures.all().order_by("created_at", "id")
    if not include_all:
        qs = qs.filter(confirmed_at__isnull=False, invalidated_at__isnull=True)
    return list(qs)


def _log_export(request: HttpRequest, petition: Petition, fmt: str, rows: int) -> None:
    ExportLog.objects.create(petition=petition, user=_user(request), username=request.user.get_username(),
                             format=fmt, rows=rows, ip=client_ip(request))


def _cell(value: Any) -> str:
    # Spreadsheet formula injection: never let a signer's text start a formula.
    return escape_cell("" if value is None else str(value))


def petition_export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    petition = _staff_petition(request, slug, "campaigns.export_signatures")
    if isinstance(petition, HttpResponse):
        return petition
    include_all = request.GET.get("all") == "1"
    rows = _export_rows(petition, include_all)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "name", "email", "address", "postal_code", "city", "resident_attested",
                     "verified_resident", "verification", "comment", "signed_at", "confirmed_at", "status",
                     "needs_review", "invalidation_reason"])
    for s in rows:
        status = "invalidated" if s.invalidated_at else ("confirmed" if s.confirmed_at else "pending")
        writer.writerow([_cell(v) for v in (
            s.pk, s.name, s.email, s.address, s.postal_code, s.city, s.resident, s.verified_resident,
            s.verification_detail, s.comment, s.created_at.isoformat(),
            s.confirmed_at.isoformat() if s.confirmed_at else "", status, s.needs_review, s.invalidation_reason)])
    _log_export(request, petition, "csv", len(rows))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-signatures.csv"'
    response["Cache-Control"] = "no-store"
    return response


def petition_export_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    petition = _staff_petition(request, slug, "campaigns.export_signatures")
    if isinstance(petition, HttpResponse):
        return petition
    from tiewatch.campaigns.pdf import petition_pdf

    rows = _export_rows(petition, include_all=False)
    data = petition_pdf(petition, rows, counts(petition), list(petition.offline_batches.all()))
    _log_export(request, petition, "pdf", len(rows))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-for-delivery.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def hearing_detail(request: HttpRequest, slug: str) -> HttpResponse:
    hearing = get_object_or_404(Hearing.objects.public().select_related("campaign"), slug=slug)
    # Written submissions on record: the campaign's letters, memos and petitions dated up to the hearing.
    submissions = (hearing.campaign.letters.public().filter(date__lte=hearing.date)
                   .prefetch_related("endorsements__organisation") if hearing.campaign else Letter.objects.none())
    return render(request, "campaigns/hearing_detail.html", {
        "hearing": hearing, "summary": hearing.summary(), "testimonies": hearing.testimonies.all(),
        "votes": hearing.votes.public(), "submissions": submissions})


def vote_detail(request: HttpRequest, slug: str) -> HttpResponse:
    vote = get_object_or_404(Vote.objects.public().select_related("campaign", "hearing"), slug=slug)
    return render(request, "campaigns/vote_detail.html", {"vote": vote, "tally": vote.tally(),
                                                          "roll_call": vote.roll_call.all()})


def letter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    letter = get_object_or_404(Letter.objects.public().select_related("campaign"), slug=slug)
    return render(request, "campaigns/letter_detail.html", {
        "letter": letter, "signatories": letter.signatories.all(),
        "endorsements": letter.endorsements.select_related("organisation")})


__all__ = ["timezone"]
