"""Follow pages: the feed link and the email form of a record, confirmation and one-click unsubscribe."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tiewatch.core.errors import NotFound, RateLimited, ValidationFailed
from tiewatch.desk import activity, follows_service
from tiewatch.desk.models.follows import FREQUENCIES


def _target(kind: str, target: str) -> activity.Target:
    try:
        return activity.target(kind, target.rstrip("/"))
    except NotFound as exc:
        raise Http404(exc.message) from None


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, kind: str, target: str) -> HttpResponse:
    of = _target(kind, target)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            follows_service.subscribe(of.kind, of.id, request.POST.get("email", ""),
                                      request.POST.get("frequency", "weekly"))
        except ValidationFailed as exc:
            errors, status = exc.fields(), 422
        except RateLimited as exc:
            errors, status = {"email": [exc.message]}, 429
        else:
            return render(request, "desk/follow_sent.html", {"target": of})
    return render(request, "desk/follow.html", {
        "target": of, "feed": follows_service.feed_path(of.kind, of.id), "errors": errors,
        "frequencies": FREQUENCIES, "recent": activity.items(of, limit=10)}, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links confirm nothing); POST confirms."""
    if request.method == "GET":
        return render(request, "desk/follow_confirm.html", {"done": False})
    try:
        followed = follows_service.confirm(token)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(request, "desk/follow_confirm.html", {"done": True, "follow": followed})


@csrf_exempt  # RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` with no session or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        return render(request, "desk/follow_unsubscribe.html", {"done": False})
    try:
        follows_service.unsubscribe(token)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(request, "desk/follow_unsubscribe.html", {"done": True})
