"""Pages for signed-in users: upload a list to screen, see your lists, open or download a report.
A list is the uploader's (and staff's) only: anyone else gets the same 404 as for a list that does
not exist."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tiewatch.core.errors import NotFound, TiewatchError
from tiewatch.policies.listscreen import conf, report, store
from tiewatch.policies.models import ScreenedList


def _owned(request: HttpRequest, list_id: int) -> ScreenedList:
    try:
        return store.get_list(request.user, list_id)
    except NotFound as error:
        raise Http404(error.message) from None


FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the form's other fields


def _body_too_large(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > conf.max_bytes() + FORM_OVERHEAD


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    form = {"name_column": request.POST.get("name_column", "name") or "name",
            "limit": request.POST.get("limit", "3")}
    if request.method == "POST" and _body_too_large(request):
        # Refused from the request's declared length, before Django spools the upload to disk.
        errors.append(f"file: over the limit of {conf.max_bytes():,} bytes; split the list")
    elif request.method == "POST":
        upload_file = request.FILES.get("file")
        if upload_file is None:
            errors.append("file: choose a CSV file to screen")
        elif upload_file.size is not None and upload_file.size > conf.max_bytes():
            errors.append(f"file: {upload_file.size:,} bytes, over the limit of {conf.max_bytes():,}; split the list")
        elif not form["limit"].isdigit() or not 1 <= int(form["limit"]) <= 10:
            errors.append("limit: a number from 1 to 10")
        else:
            try:
                saved = store.screen_upload(request.user, upload_file.read(), upload_file.name or "list.csv",
                                            form["name_column"].strip(), int(form["limit"]))
            except TiewatchError as error:
                errors = error.lines()
            else:
                return HttpResponseRedirect(reverse("policies:screen_list_detail", args=[saved.pk]))
    lists = store.visible_lists(request.user).only("id", "filename", "rows", "uploaded_at", "expires_at",
                                                  "owner_id").select_related("owner")
    return render(request, "policies/screen_list.html", {
        "errors": errors, "form": form, "lists": lists, "max_bytes": conf.max_bytes(),
        "max_rows": conf.max_rows(), "retention_days": conf.retention_days(),
        "max_upload_memory": settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
    }, status=400 if errors else 200)


@login_required
def detail(request: HttpRequest, list_id: int) -> HttpResponse:
    screened = _owned(request, list_id)
    return render(request, "policies/screen_list_detail.html", {"item": screened, "report": screened.report})


@login_required
def download(request: HttpRequest, list_id: int, fmt: str) -> HttpResponse:
    screened = _owned(request, list_id)
    if fmt not in report.FORMATS:
        raise Http404("no such format")
    response = HttpResponse(report.render(screened.report, fmt), content_type=report.CONTENT_TYPES[fmt])
    stem = screened.filename.rsplit(".", 1)[0] or "list"
    response["Content-Disposition"] = f'attachment; filename="screened-{screened.pk}-{stem[:60]}.{fmt}"'
    return response


@login_required
@require_POST
def delete(request: HttpRequest, list_id: int) -> HttpResponse:
    _owned(request, list_id).delete()
    return HttpResponseRedirect(reverse("policies:screen_list"))
