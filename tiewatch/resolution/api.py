"""JSON API of the resolution app (mounted by config/api.py at /api/).

    POST /api/match      a batch of up to 1,000 names with hints -> ranked, explained candidates, in order
    GET  /api/reconcile  the Reconciliation Service API (OpenRefine): manifest, or `queries` (JSONP `callback`)
    POST /api/reconcile  the same, `queries` form-encoded (as OpenRefine sends it) or a JSON body
    GET  /api/reconcile/preview   a small HTML card of one entity (`id`)
    GET  /api/reconcile/suggest   entity names starting with a prefix (OpenRefine's suggest)
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict
from pydantic.config import JsonDict

from tiewatch.core.countries import COUNTRY_CODES
from tiewatch.core.errors import ValidationFailed
from tiewatch.core.records import ENTITY_KINDS
from tiewatch.registry.api import NO_NUL
from tiewatch.registry.visibility import can_see_drafts
from tiewatch.resolution import reconcile
from tiewatch.resolution.matching import (
    MAX_ALIASES,
    MAX_LIMIT,
    MAX_NAME,
    OCD_ID,
    US_STATES,
    Hints,
    candidate_dict,
    match,
    query_of,
)

router = Router(tags=["resolution"])

MAX_BATCH = 1000


# Declared in the OpenAPI schema so clients know the formats; the service still checks them itself, with
# "did you mean" suggestions and each problem under its place (`queries.1.state`).
_STATES: JsonDict = {"enum": ["", *sorted(US_STATES), *sorted(s.lower() for s in US_STATES)]}
_COUNTRIES: JsonDict = {"enum": ["", *sorted(c.upper() for c in COUNTRY_CODES if len(c) == 2),
                                 *sorted(c for c in COUNTRY_CODES if len(c) == 2)]}
_KINDS: JsonDict = {"enum": ["", *ENTITY_KINDS]}
_OCD: JsonDict = {"pattern": f"^({OCD_ID.pattern})?$"}
# Text that can be stored: not blank, no NUL, no lone UTF-16 surrogate (tiewatch.core.json_body).
_STORABLE = "[^\\u0000\\ud800-\\udfff]"
_TEXT: JsonDict = {"pattern": f"^{_STORABLE}*[^\\s\\u0000\\ud800-\\udfff]{_STORABLE}*$"}
Alias = Annotated[str, Field(max_length=MAX_NAME, json_schema_extra={"pattern": f"^{_STORABLE}*$"})]


class MatchQueryIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt hint ("stat") is refused, not ignored
    name: str = Field(..., min_length=1, max_length=MAX_NAME, description="the name to match (not blank)",
                      json_schema_extra=_TEXT)
    state: str = Field("", max_length=2, description="US postal code, e.g. NC", json_schema_extra=_STATES)
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2, e.g. US", json_schema_extra=_COUNTRIES)
    kind: str = Field("", max_length=32, description="registry entity kind, e.g. sheriff", json_schema_extra=_KINDS)
    jurisdiction: str = Field("", max_length=200, description="Open Civic Data division id", json_schema_extra=_OCD)
    aliases: list[Alias] = Field(default_factory=list, max_length=MAX_ALIASES, description="other names of the body")


class MatchIn(Schema):
    model_config = ConfigDict(extra="forbid")
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
def reconcile_preview(request: HttpRequest,
                      id: str = Query(..., min_length=1, max_length=150, pattern=NO_NUL)) -> HttpResponse:
    return reconcile.preview(request, id)


@router.get("/reconcile/suggest", summary="Entity names starting with a prefix (reconciliation suggest)")
def reconcile_suggest(request: HttpRequest,
                      prefix: str = Query(..., min_length=1, max_length=MAX_NAME, pattern=NO_NUL),
                      cursor: int = Query(0, ge=0, le=10_000)) -> HttpResponse:
    return reconcile.suggest(request, prefix, cursor)
