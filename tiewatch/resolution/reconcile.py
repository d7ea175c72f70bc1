"""The Reconciliation Service API (versions 0.1 and 0.2, as OpenRefine speaks it) over the matching
engine, so a spreadsheet column can be reconciled against the registry.

- GET without `queries`: the service manifest (JSONP when `callback` is given).
- GET or POST with `queries`, a JSON object {q0: {query, type, limit, properties: [{pid, v}]}}: for
  each key, {result: [{id, name, type: [{id, name}], score 0-100, match, description, features}]}.
  `match` is true only for the engine's "auto" band, so OpenRefine links by itself exactly what
  the engine would link on import, and leaves the rest for a person to choose.
- POST with a JSON body: {"queries": {q0: ...}} (the same), or the newer form {"queries": [{query,
  type, limit, conditions: [{matchType, propertyId, propertyValue}]}]} answered {"results": [{"candidates"}]}.

Types are registry entity kinds; a query's type is a hint to the engine, as `kind` is to /api/match.
Properties (pid): state, country, kind, jurisdiction, alias.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from tiewatch.core.errors import NotFound, Problem, TiewatchError
from tiewatch.core.json_body import load_json_body, text_problem
from tiewatch.core.records import ENTITY_KINDS
from tiewatch.registry.visibility import can_see_drafts, entities
from tiewatch.resolution.engine import Candidate, Query
from tiewatch.resolution.matching import MAX_LIMIT, Hints, match, query_of

VERSIONS = ["0.1", "0.2"]
MAX_QUERIES = 1000
DEFAULT_LIMIT = 5
PROPERTIES = ("state", "country", "kind", "jurisdiction", "alias")
CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")
SUGGEST_PAGE = 10


class BadReconcileRequest(TiewatchError):
    code = "bad_request"
    status = 400


def kind_label(kind: str) -> str:
    return kind.replace("_", " ")


def manifest(request: HttpRequest) -> dict[str, Any]:
    base = request.build_absolute_uri("/").rstrip("/")
    api = base + reverse("api:reconcile").rstrip("/")
    return {
        "versions": VERSIONS,
        "name": "tiewatch registry (police agencies, foreign forces, companies, programs)",
        "identifierSpace": f"{base}/entities/",
        "schemaSpace": f"{api}#entity-kinds",
        "defaultTypes": [{"id": kind, "name": kind_label(kind)} for kind in ENTITY_KINDS],
        "view": {"url": f"{base}/entities/{{{{id}}}}/"},
        "preview": {"url": f"{api}/preview?id={{{{id}}}}", "width": 420, "height": 180},
        "suggest": {"entity": {"service_url": api, "service_path": "/suggest"}},
    }


def _callback(request: HttpRequest) -> str:
    callback = request.GET.get("callback", "")
    if callback and (len(callback) > 100 or not CALLBACK.fullmatch(callback)):
        raise BadReconcileRequest("`callback` must be a JavaScript name such as jsonp123 or cb.f",
                                  [Problem("not a JavaScript name", field="callback")])
    return callback


def _answer(data: Any, callback: str) -> HttpResponse:
    if callback:  # JSONP: the 0.1 and 0.2 clients' way around the browser's same-origin rule
        body = f"/**/{callback}({json.dumps(data, ensure_ascii=False)});"
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    else:
        response = JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # public data; no credentials are honoured cross-origin
    return response


def respond(request: HttpRequest) -> HttpResponse:
    callback = _callback(request) if request.method == "GET" else ""
    raw = request.GET.get("queries") if request.method == "GET" else _posted_queries(request)
    if raw is None:
        return _answer(manifest(request), callback)
    if isinstance(raw, list):
        return _answer(_draft_batch(request, raw), "")
    return _answer(_batch(request, raw), callback)


def _posted_queries(request: HttpRequest) -> Any:
    """The `queries` of a POST: form-encoded (OpenRefine) or a JSON body; None for neither."""
    if (request.content_type or "").startswith("application/json"):
        body = _load(request.body, "body")
        if not isinstance(body, dict) or "queries" not in body:
            raise BadReconcileRequest("The JSON body must be an object with `queries`.",
                                      [Problem("required", field="queries")])
        queries = body["queries"]
        return queries if isinstance(queries, list) else json.dumps(queries)
    return request.POST.get("queries")


def _load(raw: str | bytes, field: str) -> Any:
    try:
        return load_json_body(raw)
    except TiewatchError as error:
        raise BadReconcileRequest(f"`{field}` is not usable JSON: {error.message}",
                                  error.problems or [Problem(error.message, field=field)]) from None


def _batch(request: HttpRequest, raw: str) -> dict[str, Any]:
    problem = text_problem(raw)
    if problem:
        raise BadReconcileRequest("`queries` is invalid.", [Problem(problem, field="queries")])
    data = _load(raw, "queries")
    if not isinstance(data, dict) or not data:
        raise BadReconcileRequest("`queries` must be a JSON object such as {\"q0\": {\"query\": \"Durham PD\"}}.",
                                  [Problem("expected a non-empty object of queries", field="queries")])
    if len(data) > MAX_QUERIES:
        raise BadReconcileRequest(f"At most {MAX_QUERIES:,} queries per request.",
                                  [Problem(f"{len(data):,} queries", field="queries")])
    keys = list(data)
    parsed = [_query(data[key], f"queries.{key}.") for key in keys]
    limit = max(limit for _, limit in parsed)
    found = match([query for query, _ in parsed], limit=limit, drafts=can_see_drafts(request.user))
    return {key: {"result": [result(c) for c in candidates[:wanted]]}
            for key, (_, wanted), candidates in zip(keys, parsed, found)}


def _query(item: Any, prefix: str) -> tuple[Query, int]:
    if isinstance(item, str):
        item = {"query": item}
    if not isinstance(item, dict):
        raise BadReconcileRequest("Each query must be an object with `query`.",
                                  [Problem("expected an object", field=prefix.rstrip("."))])
    hints: dict[str, Any] = {"name": item.get("query"), "aliases": []}
    kind = item.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else ""
    if kind:
        hints["kind"] = kind
    for number, prop in enumerate(item.get("properties") or []):
        _property(prop, hints, f"{prefix}properties.{number}")
    return _checked(hints, item.get("limit", DEFAULT_LIMIT), prefix)


def _property(prop: Any, hints: dict[str, Any], field: str) -> None:
    pid = prop.get("pid") if isinstance(prop, dict) else None
    if pid not in PROPERTIES:
        raise BadReconcileRequest(f"Unknown property {pid!r}; the properties are {', '.join(PROPERTIES)}.",
                                  [Problem(f"unknown property {pid!r}", field=field)])
    values = prop.get("v")
    values = values if isinstance(values, list) else [values]
    texts = [v.get("id") if isinstance(v, dict) else v for v in values]
    if not all(isinstance(v, str) for v in texts):
        raise BadReconcileRequest("A property value must be text.", [Problem("expected text", field=field + ".v")])
    if pid == "alias":
        hints["aliases"].extend(texts)
    else:
        hints[pid] = texts[0] if texts else ""


def _checked(hints: dict[str, Any], limit: Any, prefix: str) -> tuple[Query, int]:
    if not isinstance(hints.get("name"), str) or not all(isinstance(v, str) for k, v in hints.items()
                                                           if k != "aliases"):
        raise BadReconcileRequest("Each query needs `query` as text.", [Problem("expected text", field=prefix + "query")])
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadReconcileRequest(f"`limit` must be a whole number from 1 to {MAX_LIMIT}.",
                                  [Problem(f"must be 1 to {MAX_LIMIT}", field=prefix + "limit")])
    try:
        query = query_of(Hints(**{**hints, "aliases": tuple(hints["aliases"])}), prefix=prefix)
    except TiewatchError as error:
        raise BadReconcileRequest(error.message, [Problem(p.message, field=p.field.replace(
            prefix + "name", prefix + "query")) for p in error.problems]) from None
    return query, limit


def _draft_batch(request: HttpRequest, items: list[Any]) -> dict[str, Any]:
    """The newer JSON form: a list of queries, `conditions` in place of `properties`."""
    if not items or len(items) > MAX_QUERIES:
        raise BadReconcileRequest(f"`queries` must hold 1 to {MAX_QUERIES:,} queries.",
                                  [Problem("wrong number of queries", field="queries")])
    parsed = []
    for number, item in enumerate(items):
        prefix = f"queries.{number}."
        if not isinstance(item, dict):
            raise BadReconcileRequest("Each query must be an object.", [Problem("expected an object", field=prefix[:-1])])
        hints: dict[str, Any] = {"name": item.get("query", ""), "aliases": []}
        if isinstance(item.get("type"), str) and item["type"]:
            hints["kind"] = item["type"]
        for index, condition in enumerate(item.get("conditions") or []):
            field = f"{prefix}conditions.{index}"
            if not isinstance(condition, dict):
                raise BadReconcileRequest("A condition must be an object.", [Problem("expected an object", field=field)])
            if condition.get("matchType") == "name":
                hints["name"] = condition.get("propertyValue", hints["name"])
            else:
                _property({"pid": condition.get("propertyId"), "v": condition.get("propertyValue")}, hints, field)
        parsed.append(_checked(hints, item.get("limit", DEFAULT_LIMIT), prefix))
    found = match([q for q, _ in parsed], limit=max(n for _, n in parsed), drafts=can_see_drafts(request.user))
    return {"results": [{"candidates": [_draft_candidate(c) for c in candidates[:wanted]]}
                        for (_, wanted), candidates in zip(parsed, found)]}


def result(candidate: Candidate) -> dict[str, Any]:
    record = candidate.record
    return {
        "id": record.id, "name": record.name,
        "type": [{"id": record.kind, "name": kind_label(record.kind)}] if record.kind else [],
        "score": round(candidate.score * 100, 1), "match": candidate.band == "auto",
        "description": "; ".join(f"{f.name}: {f.detail}" for f in candidate.features),
        "features": [{"id": f.name, "value": round(f.weight, 4)} for f in candidate.features],
    }


def _draft_candidate(candidate: Candidate) -> dict[str, Any]:
    out = result(candidate)
    out["types"] = out.pop("type")
    return out


def preview(request: HttpRequest, entity_id: str) -> HttpResponse:
    from django.template.loader import render_to_string

    entity = entities(can_see_drafts(request.user)).filter(pk=entity_id).select_related("jurisdiction").first()
    if entity is None:
        raise NotFound(f"no entity {entity_id!r}")
    html = render_to_string("resolution/preview.html", {"entity": entity, "kind": kind_label(entity.kind)})
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def suggest(request: HttpRequest, prefix: str, cursor: int) -> HttpResponse:
    callback = _callback(request)
    found = entities(can_see_drafts(request.user)).filter(name__istartswith=prefix.strip()).order_by("name", "id")
    page = found.values_list("id", "name", "kind")[cursor:cursor + SUGGEST_PAGE]
    return _answer({"result": [{"id": eid, "name": name, "description": kind_label(kind),
                                "notable": [{"id": kind, "name": kind_label(kind)}]} for eid, name, kind in page]},
                   callback)
