"""Public-records requests: create, change status, add response documents, cite one as a registry
Source. Every write is validated first and made in one transaction, and audited in the registry's
ChangeRecord trail (model "records_request")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tiewatch.campaigns.conf import site_url
from tiewatch.core.errors import NotFound, Problem, ValidationFailed
from tiewatch.desk.deadlines import law_for
from tiewatch.desk.documents import DEFAULT_MAX_BYTES, check_document
from tiewatch.desk.models import RecordsRequest, RequestDocument, RequestStatusChange
from tiewatch.desk.models.requests import CLOSED_STATUSES, REQUEST_STATUSES
from tiewatch.registry.audit import record_change, source_snapshot
from tiewatch.registry.models import Entity, Source

AUDIT_MODEL = "records_request"


def can_edit(user: Any) -> bool:
    """Admins and editors create and update requests; viewers only read."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return False
    return bool(user.is_superuser or user.groups.filter(name="editor").exists())


def visible_requests(drafts: bool) -> QuerySet[RecordsRequest]:
    qs = RecordsRequest.objects.select_related("agency")
    return qs if drafts else qs.filter(published=True, agency__published=True)


def overdue(qs: QuerySet[RecordsRequest], today: dt.date | None = None) -> QuerySet[RecordsRequest]:
    today = today or timezone.localdate()
    return qs.filter(deadline__lt=today).exclude(status__in=CLOSED_STATUSES)


def get_request(pk: int | str, drafts: bool) -> RecordsRequest:
    try:
        return visible_requests(drafts).get(pk=int(pk))
    except (ValueError, RecordsRequest.DoesNotExist):
        raise NotFound(f"no records request {pk}") from None


def parse_day(value: Any, field: str, problems: list[Problem], required: bool = True) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        if required:
            problems.append(Problem("required (YYYY-MM-DD)", field=field))
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(Problem(f"not a date (YYYY-MM-DD): {value!r}", field=field))
        return None


def law_of_agency(agency: Entity) -> str:
    """The deadline row an agency's requests fall under: its state, or federal for a US agency
    placed nowhere more precise."""
    jurisdiction = agency.jurisdiction_id or ""
    if "/state:" in jurisdiction:
        return jurisdiction.split("/state:", 1)[1].split("/", 1)[0].upper()
    return "federal"


def snapshot(req: RecordsRequest) -> dict[str, Any]:
    return {"agency": req.agency_id, "title": req.title, "text": req.text, "law": req.law,
            "sent_on": req.sent_on.isoformat(), "deadline": req.deadline.isoformat() if req.deadline else None,
            "status": req.status, "requester": req.requester, "show_requester": req.show_requester,
            "published": req.published, "documents": list(req.documents.values_list("id", flat=True))}


def create_request(data: dict[str, Any], user: Any) -> RecordsRequest:
    problems: list[Problem] = []
    agency = Entity.objects.filter(pk=str(data.get("agency") or "").strip()).first()
    if agency is None:
        problems.append(Problem(f"no registry entity {data.get('agency')!r}", field="agency"))
    title, text = str(data.get("title") or "").strip(), str(data.get("text") or "").strip()
    for field, value, limit in (("title", title, 300), ("text", text, 20000)):
        if not value:
            problems.append(Problem("required", field=field))
        elif len(value) > limit:
            problems.append(Problem(f"longer than {limit} characters", field=field))
    sent_on = parse_day(data.get("sent_on"), "sent_on", problems)
    law_code = str(data.get("law") or "").strip() or (law_of_agency(agency) if agency else "")
    law = None
    if law_code:
        try:
            law = law_for(law_code)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationFailed("the records request has errors", problems)
    assert agency is not None and sent_on is not None and law is not None
    with transaction.atomic():
        req = RecordsRequest.objects.create(
            agency=agency, title=title, text=text, law=law.code, sent_on=sent_on, deadline=law.deadline(sent_on),
            requester=str(data.get("requester") or "").strip()[:200], show_requester=bool(data.get("show_requester")),
            published=bool(data.get("published")), created_by=user if getattr(user, "is_authenticated", False) else None)
        RequestStatusChange.objects.create(request=req, status="sent", on=sent_on, actor=_actor(user))
        record_change(AUDIT_MODEL, str(req.pk), "create", None, snapshot(req), user=user)
    return req


def change_status(req: RecordsRequest, data: dict[str, Any], user: Any) -> RequestStatusChange:
    problems: list[Problem] = []
    status = str(data.get("status") or "").strip()
    if status not in REQUEST_STATUSES:
        problems.append(Problem(f"one of {', '.join(REQUEST_STATUSES)}", field="status"))
    on = parse_day(data.get("on"), "on", problems)
    new_deadline = parse_day(data.get("new_deadline"), "new_deadline", problems, required=False)
    if status == "extended" and new_deadline is None and not problems:
        problems.append(Problem("an extension needs its new deadline", field="new_deadline"))
    if on is not None and on < req.sent_on:
        problems.append(Problem("before the request was sent", field="on"))
    if problems:
        raise ValidationFailed("the status change has errors", problems)
    assert on is not None
    with transaction.atomic():
        before = snapshot(req)
        change = RequestStatusChange.objects.create(request=req, status=status, on=on, new_deadline=new_deadline,
                                                    note=str(data.get("note") or "").strip()[:5000], actor=_actor(user))
        req.status = status
        if new_deadline is not None:
            req.deadline = new_deadline
        req.save(update_fields=["status", "deadline"])
        record_change(AUDIT_MODEL, str(req.pk), "update", before, snapshot(req), user=user)
    return change


def add_document(req: RecordsRequest, filename: str, content: bytes, data: dict[str, Any],
                 user: Any) -> RequestDocument:
    problems: list[Problem] = []
    received_on = parse_day(data.get("received_on"), "received_on", problems)
    try:
        checked = check_document(filename, content, max_bytes())
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    if problems:
        raise ValidationFailed("the response document has errors", problems)
    assert received_on is not None
    with transaction.atomic():
        before = snapshot(req)
        doc = RequestDocument.objects.create(
            request=req, received_on=received_on, note=str(data.get("note") or "").strip()[:5000],
            filename=checked.filename, content_type=checked.content_type, size=len(checked.content),
            sha256=checked.sha256, content=checked.content, text=checked.text)
        record_change(AUDIT_MODEL, str(req.pk), "update", before, snapshot(req), user=user)
    return doc


def cite_document(doc: RequestDocument, user: Any) -> Source:
    """A registry Source for a response document (its page on this site), so facts can cite it."""
    if doc.source_id:
        return doc.source  # type: ignore[return-value]
    req = doc.request
    url = f"{site_url()}/requests/{req.pk}/documents/{doc.pk}/"
    with transaction.atomic():
        source = Source.objects.create(
            id=f"src-request-{req.pk}-{doc.pk}", url=url, publisher=req.agency.name[:200],
            title=f"{req.agency.name}: {doc.filename} (response to records request {req.pk})"[:500],
            published_on=doc.received_on, accessed_on=timezone.localdate(), excerpt=doc.text[:500],
            published=req.published and req.agency.published)
        doc.source = source
        doc.save(update_fields=["source"])
        record_change("source", source.pk, "create", None, source_snapshot(source), user=user)
    return source


def export_row(req: RecordsRequest, today: dt.date | None = None) -> dict[str, Any]:
    return {"id": req.pk, "agency": req.agency_id, "agency_name": req.agency.name, "title": req.title,
            "text": req.text, "law": req.law, "sent_on": req.sent_on.isoformat(),
            "deadline": req.deadline.isoformat() if req.deadline else None, "status": req.status,
            "overdue": req.is_overdue(today), "requester": req.requester if req.show_requester else None,
            "published": req.published}


def max_bytes() -> int:
    return int(getattr(settings, "TIEWATCH_DESK_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def mentioning(agency_ids: QuerySet[Any] | list[str], drafts: bool) -> QuerySet[RecordsRequest]:
    return visible_requests(drafts).filter(Q(agency_id__in=agency_ids))


def _actor(user: Any) -> str:
    return str(user.get_username()) if getattr(user, "is_authenticated", False) else ""
