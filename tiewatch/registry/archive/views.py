"""The archived copy of a source, served by the site itself. It is hostile content: the response is
sandboxed (Content-Security-Policy `sandbox`, no script runs, nothing loads from elsewhere), never
sniffed, and only HTML, PDF and plain text are shown inline; anything else is a download."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from tiewatch.registry import queries, visibility
from tiewatch.registry.archive.services import store
from tiewatch.registry.models import SourceCapture

INLINE_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/pdf", "text/plain"})
SANDBOX = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'"


def _capture(request: HttpRequest, source_id: str) -> SourceCapture:
    source = queries.get_source(source_id, visibility.can_see_drafts(getattr(request, "user", None)))
    capture = SourceCapture.objects.filter(source=source).first() if source is not None else None
    if capture is None:
        raise Http404("No archived copy of this source.")
    return capture


def _locked(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = SANDBOX
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def archived_copy(request: HttpRequest, source_id: str) -> HttpResponse:
    capture = _capture(request, source_id)
    body = store().read(capture.sha256)
    if body is None:
        raise Http404("The archived copy is missing from the archive directory.")
    inline = capture.content_type in INLINE_TYPES
    content_type = capture.content_type if inline else "application/octet-stream"
    response = HttpResponse(body, content_type=content_type)
    extension = {"application/pdf": "pdf", "text/plain": "txt"}.get(capture.content_type, "html" if inline else "bin")
    response["Content-Disposition"] = (f'{"inline" if inline else "attachment"}; '
                                       f'filename="{capture.sha256[:16]}.{extension}"')
    return _locked(response)


def archived_text(request: HttpRequest, source_id: str) -> HttpResponse:
    capture = _capture(request, source_id)
    return _locked(HttpResponse(capture.text, content_type="text/plain; charset=utf-8"))
