"""The site's error pages (JSON in the API's one error shape under /api/, HTML everywhere else) and the
API's index at /api/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from config.api import api, error_response


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
