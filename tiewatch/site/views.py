"""The site's error pages (JSON in the API's one error shape under /api/, HTML everywhere else) and the
API's index at /api/, and the site search at /search/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from config.api import api, error_response
from tiewatch.registry import views as registry_views
from tiewatch.registry.forms import SearchForm
from tiewatch.registry.views import EXPORT_FORMATS
from tiewatch.registry.visibility import can_see_drafts
from tiewatch.site import search


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(request, 404, "not_found", "Not found.")
    return render(request, "404.html", {"path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def api_index(request: HttpRequest) -> HttpResponse:
    """`/api/`: where the API's documentation and schema are, and its endpoints, each with its summary."""
    schema = api.get_openapi_schema(path_prefix=reverse("api_index"))
    endpoints = [{"method": method.upper(), "path": path, "summary": operation.get("summary", "")}
                 for path, operations in sorted(schema.get("paths", {}).items())
                 for method, operation in operations.items()]
    return JsonResponse({"name": api.title, "version": api.version, "description": api.description,
                         "docs": reverse("api:openapi-view"), "openapi": reverse("api:openapi-json"),
                         "endpoints": endpoints}, json_dumps_params={"ensure_ascii": False, "indent": 1})


def site_search(request: HttpRequest) -> HttpResponse:
    """`/search/`: everything the reader may see, grouped by type, with "did you mean". `?format=csv|json`
    keeps exporting the matching entities (the registry's search export)."""
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "q": "", "results": None}
    if not form.is_bound:
        return render(request, "site/search.html", context)
    if not form.is_valid():
        return render(request, "site/search.html", context, status=400)
    if form.cleaned_data.get("format") in EXPORT_FORMATS:
        return registry_views.search(request)
    q = (form.cleaned_data.get("q") or "").strip()
    context["q"] = q
    if q:
        context["results"] = search.search(q, can_see_drafts(request.user))
    return render(request, "site/search.html", context)
