"""The one JSON API (django-ninja). Each app adds its router here; all errors share one shape:
`{"error": {"code": ..., "message": ..., "fields": {field: [messages]}}}`."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from tiewatch.core.errors import Problem, TiewatchError, ValidationFailed
from tiewatch.core.json_body import load_json_body, text_problem

logger = logging.getLogger(__name__)

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    }},
}
_ERROR_RESPONSE = {
    "description": "A client error (bad input, not found, too large, rate-limited ...), in the one error shape.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


class TiewatchAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema declares the one error shape as every operation's 4XX response,
    so clients (and schemathesis) know every status the API can answer with."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault("4XX", _ERROR_RESPONSE)
        return schema


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's own static files, served by the site (settings.STATICFILES_DIRS),
    never from a CDN, so /api/docs works offline. (ninja renders its local template only when it is an
    installed app, which would make every command import it.)"""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, "api/swagger.html", {"api": api, "swagger_settings": json.dumps(self.settings)})


api = TiewatchAPI(
    title="tiewatch API",
    version="1",
    description="Sourced ties between local police and foreign forces, the local policies that govern them, "
    "the campaigns behind those policies, and SIPRI arms-transfer statistics.",
    docs_url="/docs",
    # Deep links put an <a> inside each operation's toggle <button>: nested controls that screen readers
    # cannot reach (axe-core's nested-interactive); the operations still have their own ids.
    docs=LocalSwagger(settings={"deepLinking": False}),
    openapi_url="/openapi.json",
    urls_namespace="api",
)


def error_response(request: HttpRequest, status: int, code: str, message: str,
                   fields: dict[str, list[str]] | None = None) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


@api.exception_handler(TiewatchError)
def _tiewatch_error(request: HttpRequest, exc: TiewatchError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.fields())


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    return error_response(request, 422, "invalid", "The request is invalid.", fields)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthorized", "Authentication required.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, TiewatchError):  # ninja wraps what the body parser refused
        return _tiewatch_error(request, exc.__cause__)
    return error_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(request, 413, "too_large", f"The request body is larger than {limit:,} bytes.")


def _database_unavailable(request: HttpRequest, exc: Any) -> HttpResponse:
    """The database cannot be reached (a restart, a failover): a JSON 503 the client may retry, not
    a 500 (docs/deploy.md). Nothing was acknowledged, so retrying is safe."""
    logger.warning("database unavailable: %s %s: %s", request.method, request.path, exc)
    response = error_response(request, 503, "unavailable",
                              "The service is briefly unavailable (its database cannot be reached). Try again.")
    response["Retry-After"] = "2"
    return response


for _unreachable in (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError):
    api.add_exception_handler(_unreachable, _database_unavailable)


@api.exception_handler(SuspiciousOperation)
def _bad_request(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Too many form fields, a malformed multipart body ...: the client's fault, said in the one shape.
    return error_response(request, 400, "bad_request", "The request is malformed.")


class CheckedParser(Parser):
    """Every JSON body passes tiewatch.core.json_body (valid JSON, nesting depth, no NUL or lone
    surrogate in text) and every query or form value is free of NUL characters, so each endpoint
    inherits the checks instead of failing later (a RecursionError, a database refusing NUL)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return load_json_body(request.body)

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> Any:
        problems = [Problem(problem, field=key) for key, values in data.lists()
                    for value in (key, *values) if isinstance(value, str) and (problem := text_problem(value))]
        if problems:
            raise ValidationFailed("The request is invalid.", problems)
        return super().parse_querydict(data, list_fields, request)


def _checked_path_values(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Path parameters (`/api/petitions/{slug}`) get the parser's text check too: a NUL reaching a
    PostgreSQL lookup would be a 500."""

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        problems = [Problem(problem, field=name) for name, value in kwargs.items()
                    if isinstance(value, str) and (problem := text_problem(value))]
        if problems:
            return _tiewatch_error(request, ValidationFailed("The request is invalid.", problems))
        return run(request, *args, **kwargs)

    return checked


api.parser = CheckedParser()
api.add_decorator(_checked_path_values, mode="view")


def _register_routers() -> None:
    # Imported here so each app's router module stays the only place its endpoints are declared.
    from tiewatch.arms.api import router as arms_router
    from tiewatch.campaigns.api import router as campaigns_router
    from tiewatch.desk.api import router as desk_router
    from tiewatch.desk.api_requests import router as desk_requests_router
    from tiewatch.policies.api import router as policies_router
    from tiewatch.policies.listscreen.api import router as listscreen_router
    from tiewatch.registry.api import router as registry_router
    from tiewatch.registry.research_api import router as research_router
    from tiewatch.resolution.api import router as resolution_router
    from tiewatch.site.api import router as search_router

    api.add_router("/", registry_router)
    api.add_router("/", research_router)
    api.add_router("/", policies_router)
    api.add_router("/arms", arms_router)
    api.add_router("/", campaigns_router)
    api.add_router("/", resolution_router)
    api.add_router("/", listscreen_router)
    api.add_router("/", desk_router)
    api.add_router("/", desk_requests_router)
    api.add_router("/", search_router)


_register_routers()
