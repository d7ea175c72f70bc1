"""JSON API of list screening (mounted by config/api.py at /api/), for signed-in users (session
cookie, with Django's CSRF token on writes). A list is its uploader's and staff's only: anyone
else gets the 404 of a list that does not exist.

    POST   /api/screen-lists             upload a CSV (multipart `file`, `name_column`, `limit`): screen and keep it
    GET    /api/screen-lists             your lists (staff: every list)
    GET    /api/screen-lists/{list_id}   one list's report (?format=json|csv|html)
    DELETE /api/screen-lists/{list_id}   delete it before its retention runs out
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.policies.listscreen import conf, report, store
from tiewatch.policies.models import ScreenedList

router = Router(tags=["policies"], auth=django_auth)


class ListOut(Schema):
    id: int
    filename: str
    rows: int
    uploaded_at: dt.datetime
    expires_at: dt.datetime
    summary: dict[str, int] = Field(..., description="rows per status: match, review, weak, none")
    with_findings: int


class FormatQuery(Schema):
    format: str = Field("json", pattern="^(json|csv|html)$", description="json (default), csv or html")


def _out(item: ScreenedList) -> dict[str, Any]:
    return {"id": item.pk, "filename": item.filename, "rows": item.rows, "uploaded_at": item.uploaded_at,
            "expires_at": item.expires_at, "summary": item.report.get("summary", {}),
            "with_findings": item.report.get("with_findings", 0)}


@router.post("/screen-lists", response={201: ListOut}, summary="Upload a list of names to screen")
def upload_list(request: HttpRequest, file: File[UploadedFile],
                name_column: Form[str] = "name", limit: Form[int] = 3) -> Status:
    problems = []
    if file.size is not None and file.size > conf.max_bytes():
        problems.append(Problem(f"{file.size:,} bytes, over the limit of {conf.max_bytes():,}", field="file"))
    if not 1 <= limit <= 10:
        problems.append(Problem("must be 1 to 10", field="limit"))
    if problems:
        raise ValidationFailed("The upload is invalid.", problems)
    saved = store.screen_upload(request.user, file.read(), file.name or "list.csv", name_column.strip() or "name",
                                limit)
    return Status(201, _out(saved))


@router.get("/screen-lists", response=list[ListOut], summary="Your screened lists")
def list_lists(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(item) for item in store.visible_lists(request.user)]


@router.get("/screen-lists/{list_id}", summary="One screened list's report (JSON, CSV or HTML)")
def get_list(request: HttpRequest, list_id: int, q: Query[FormatQuery]) -> Any:
    item = store.get_list(request.user, list_id)
    if q.format == "json":
        return {**_out(item), "report": item.report}
    response = HttpResponse(report.render(item.report, q.format), content_type=report.CONTENT_TYPES[q.format])
    response["Content-Disposition"] = f'attachment; filename="screened-{item.pk}.{q.format}"'
    return response


@router.delete("/screen-lists/{list_id}", response={204: None}, summary="Delete a screened list now")
def delete_list(request: HttpRequest, list_id: int) -> Status:
    store.get_list(request.user, list_id).delete()
    return Status(204, None)
