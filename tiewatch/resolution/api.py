"""JSON API of the resolution app (mounted by config/api.py at /api/).

    POST /api/match      a batch of up to 1,000 names with hints -> ranked, explained candidates, in order
    GET  /api/reconcile  the Reconciliation Service API (OpenRefine): manifest, or `queries` (JSONP `callback`)
    POST /api/reconcile  the same, `queries` form-encoded (as OpenRefine sends it) or a JSON body
    GET  /api/reconcile/preview   a small HTML card of one entity (`id`)
    GET  /api/reconcile/suggest   entity names starting with a prefix (OpenRefine's suggest)
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from tiewatch.core.errors import ValidationFailed
from tiewatch.registry.visibility import can_see_drafts
from tiewatch.resolution import reconcile
from tiewatch.resolution.matching import MAX_ALIASES, MAX_LIMIT, MAX_NAME, Hints, candidate_dict, match, query_of

router = Router(tags=["resolution"])

MAX_BATCH = 1000


class MatchQueryIn(Schema):
    name: str = Field(..., min_length=1, max_length=MAX_NAME, description="the name to match")
    state: str = Field("", max_length=2, description="US postal code, e.g. NC")
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2, e.g. US")
    kind: str = Field("", max_length=32, description="registry entity kind, e.g. sheriff")
    jurisdiction: str = Field("", max_length=200, description="Open Civic Data division id")
    aliases: list[str] = Field(default_factory=list, max_length=MAX_ALIASES, description="other names of the body")


class MatchIn(Schema):
    queries: list[MatchQueryIn] = Field(..., min_length=1, max_length=MAX_BATCH,
                                        description=f"1 to {MAX_BATCH:,} names; answered in the same order")
    limit: int = Field(5, ge=1, le=MAX_LIMIT, description="candidates per query")


class FeatureOut(Schema):
    name: str
    weight: float = Field(..., description="signed contribution to the score")
    detail: str = Field(..., description="what counted, in plain words")


class CandidateOut(Schema):
    id: str
    name: str
    kind: str
    country: str
    state: str
    jurisdiction: str
    aliases: list[str]
    score: float = Field(..., description="0 to 1")
    band: str = Field(..., description="auto (a link the engine would make), review, or weak")
    features: list[FeatureOut]


class MatchResultOut(Schema):
    query: int = Field(..., description="index of the query in the request")
    candidates: list[CandidateOut]


class MatchOut(Schema):
    results: list[MatchResultOut]


@router.post("/match", response=MatchOut, summary="Match a batch of names against the registry")
def match_names(request: HttpRequest, payload: MatchIn) -> dict[str, Any]:
    queries, problems = [], []
    for number, item in enumerate(payload.queries):
        try:
            queries.append(query_of(Hints(name=item.name, state=item.state, country=item.country, kind=item.kind,
                                          jurisdiction=item.jurisdiction, aliases=tuple(item.aliases)),
                                    prefix=f"queries.{number}."))
        except ValidationFailed as error:
            problems.extend(error.problems)
    if problems:
        raise ValidationFailed("The request is invalid.", problems)
    found = match(queries, limit=payload.limit, drafts=can_see_drafts(request.user))
    return {"results": [{"query": number, "candidates": [candidate_dict(c) for c in candidates]}
                        for number, candidates in enumerate(found)]}


@router.api_operation(["GET", "POST"], "/reconcile", url_name="reconcile", summary="Reconciliation Service API (OpenRefine)",
                      description="Without `queries`: the service manifest. With `queries` (a JSON object "
                      "{q0: {query, type, limit, properties: [{pid, v}]}}, form-encoded or in the query string): "
                      "{q0: {result: [{id, name, type, score, match, features}]}}. GET takes `callback` (JSONP). "
                      "A JSON body {\"queries\": {...}} is accepted too.")
def reconcile_endpoint(request: HttpRequest) -> HttpResponse:
    return reconcile.respond(request)


@router.get("/reconcile/preview", summary="A small HTML card of one entity, for reconciliation previews")
def reconcile_preview(request: HttpRequest, id: str = Query(..., min_length=1, max_length=150)) -> HttpResponse:
    return reconcile.preview(request, id)


@router.get("/reconcile/suggest", summary="Entity names starting with a prefix (reconciliation suggest)")
def reconcile_suggest(request: HttpRequest, prefix: str = Query(..., min_length=1, max_length=MAX_NAME),
                      cursor: int = Query(0, ge=0, le=10_000)) -> HttpResponse:
    return reconcile.suggest(request, prefix, cursor)
