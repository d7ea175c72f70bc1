"""Records request pages: the public list and detail (published requests, requester hidden unless
they chose otherwise), and the editors' forms to create, update and add response documents."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tiewatch.core.csvsafe import escape_cell
from tiewatch.core.errors import NotFound, Problem, ValidationFailed
from tiewatch.desk import requests_service as svc
from tiewatch.desk.deadlines import laws
from tiewatch.desk.models import RecordsRequest, RequestDocument
from tiewatch.desk.models.requests import REQUEST_STATUSES
from tiewatch.registry.visibility import can_see_drafts

EXPORT_COLUMNS = ["id", "agency", "agency_name", "title", "text", "law", "sent_on", "deadline", "status", "overdue",
                  "requester", "published"]


def _request(request: HttpRequest, pk: int) -> RecordsRequest:
    try:
        return svc.get_request(pk, can_see_drafts(request.user))
    except NotFound as exc:
        raise Http404(exc.message) from None


def _editor(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not svc.can_edit(request.user):
        raise PermissionDenied("Only editors create and update records requests")
    return None


def request_list(request: HttpRequest) -> HttpResponse:
    qs = svc.visible_requests(can_see_drafts(request.user))
    only_overdue = request.GET.get("overdue") in ("1", "true", "yes")
    if only_overdue:
        qs = svc.overdue(qs)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "json"):
        return export(list(qs), fmt)
    return render(request, "desk/request_list.html", {
        "requests": list(qs[:500]), "only_overdue": only_overdue, "can_edit": svc.can_edit(request.user)})


def export(items: list[RecordsRequest], fmt: str) -> HttpResponse:
    rows = [svc.export_row(r) for r in items]
    if fmt == "json":
        return HttpResponse(json.dumps(rows, indent=1), content_type="application/json")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows({k: escape_cell(v) for k, v in row.items()} for row in rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="records-requests.csv"'
    return response


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    return render(request, "desk/request_detail.html", {
        "req": req, "history": list(req.history.all()), "documents": list(req.documents.defer("content")),
        "law": laws().get(req.law), "overdue": req.is_overdue(), "can_edit": svc.can_edit(request.user),
        "statuses": REQUEST_STATUSES, "errors": {}})


def document(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    req = _request(request, pk)
    doc = RequestDocument.objects.filter(request=req, pk=doc_id).first()
    if doc is None:
        raise Http404(f"no document {doc_id} of records request {pk}")
    response = HttpResponse(bytes(doc.content), content_type=doc.content_type)
    # An agency's HTML is never rendered as this site's page: downloaded, and sandboxed if opened.
    disposition = "inline" if doc.content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{_ascii(doc.filename)}"'
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    refused = _editor(request)
    if refused is not None:
        return refused
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            req = svc.create_request(request.POST.dict() | {"show_requester": "show_requester" in request.POST,
                                                            "published": "published" in request.POST}, request.user)
        except ValidationFailed as exc:
            errors = exc.fields()
        else:
            return redirect(f"/requests/{req.pk}/")
    return render(request, "desk/request_form.html", {"errors": errors, "data": request.POST, "laws": laws()},
                  status=422 if errors else 200)


@require_POST
def request_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, lambda req: svc.change_status(req, request.POST.dict(), request.user))


@require_POST
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    def add(req: RecordsRequest) -> Any:
        upload = request.FILES.get("document")
        if upload is None:
            raise ValidationFailed("no document", [Problem("choose a file", field="document")])
        content = upload.read(svc.max_bytes() + 1)
        return svc.add_document(req, upload.name or "", content, request.POST.dict(), request.user)
    return _edit(request, pk, add)


@require_POST
def document_cite(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    def cite(req: RecordsRequest) -> Any:
        doc = req.documents.filter(pk=doc_id).first()
        if doc is None:
            raise NotFound(f"no document {doc_id} of records request {pk}")
        return svc.cite_document(doc, request.user)
    return _edit(request, pk, cite)


def _edit(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    refused = _editor(request)
    if refused is not None:
        return refused
    req = _request(request, pk)
    try:
        action(req)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except ValidationFailed as exc:
        return render(request, "desk/request_detail.html", {
            "req": req, "history": list(req.history.all()), "documents": list(req.documents.defer("content")),
            "law": laws().get(req.law), "overdue": req.is_overdue(), "can_edit": True,
            "statuses": REQUEST_STATUSES, "errors": exc.fields()}, status=422)
    return redirect(f"/requests/{req.pk}/")


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
