"""The records requests API: list (filter overdue), detail; editors create and change status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from tiewatch.core.errors import TiewatchError
from tiewatch.desk import requests_service as svc
from tiewatch.registry.visibility import can_see_drafts

router = Router(tags=["desk"])


class Forbidden(TiewatchError):
    code = "forbidden"
    status = 403


class RequestIn(Schema):
    agency: str
    title: str
    text: str
    sent_on: str
    law: str = ""
    requester: str = ""
    show_requester: bool = False
    published: bool = False


class StatusIn(Schema):
    status: str
    on: str
    note: str = ""
    new_deadline: str = ""


def _editor(request: HttpRequest) -> None:
    if not svc.can_edit(request.user):
        raise Forbidden("only editors create and update records requests")


@router.get("/requests", response=list[dict[str, Any]])
def list_requests(request: HttpRequest, overdue: bool = False) -> list[dict[str, Any]]:
    qs = svc.visible_requests(can_see_drafts(request.user))
    if overdue:
        qs = svc.overdue(qs)
    return [svc.export_row(r) for r in qs[:1000]]


@router.get("/requests/{request_id}", response=dict[str, Any])
def get_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    req = svc.get_request(request_id, can_see_drafts(request.user))
    return svc.export_row(req) | {
        "history": [{"status": h.status, "on": h.on.isoformat(), "note": h.note,
                     "new_deadline": h.new_deadline.isoformat() if h.new_deadline else None} for h in req.history.all()],
        "documents": [{"id": d.pk, "filename": d.filename, "content_type": d.content_type, "size": d.size,
                       "sha256": d.sha256, "received_on": d.received_on.isoformat(), "source": d.source_id,
                       "url": f"/requests/{req.pk}/documents/{d.pk}/"} for d in req.documents.defer("content")]}


@router.post("/requests", response={201: dict[str, Any]}, auth=django_auth)
def create_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    _editor(request)
    return Status(201, svc.export_row(svc.create_request(payload.dict(), request.user)))


@router.post("/requests/{request_id}/status", response=dict[str, Any], auth=django_auth)
def change_status(request: HttpRequest, request_id: int, payload: StatusIn) -> dict[str, Any]:
    _editor(request)
    req = svc.get_request(request_id, True)
    svc.change_status(req, payload.dict(), request.user)
    return svc.export_row(req)
