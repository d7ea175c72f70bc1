"""JSON API of the arms app (mounted at /api/arms/ by config/api.py).

The same analyses as the CLI, with the same JSON (shares as fractions, the release with every figure).
Errors (unknown country with "did you mean", bad period, totals-only release) use the project's error shape.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from tiewatch.core.errors import Problem, ValidationFailed

from .engine import claims as claims_engine
from .engine import factsheet
from .engine import queries as q
from .engine.datasets import Store
from .web import HOW_TO, source

router = Router(tags=["arms"])
Role = Literal["exporter", "importer"]
Source = Literal["tables", "register", "tidy"]
# The formats a client should send, declared in the OpenAPI schema (the engine also accepts '2013-17'
# and '2013–2017'); a period must not end before it starts, which the descriptions say.
PERIOD_PATTERN = r"^\d{4}(-\d{4})?$"


def _period(alias: str | None = None) -> Any:
    return Query(..., alias=alias, pattern=PERIOD_PATTERN,
                 description="YYYY or YYYY-YYYY (the first year not after the last)")


def _store() -> Store:
    data = source()
    if data.store is None:
        raise ValidationFailed(f"arms data unavailable: {data.error}", [Problem(HOW_TO, field="data")])
    return data.store


def _with_demo(result: dict[str, Any]) -> dict[str, Any]:
    """Mark answers computed from the invented demo fixture, so nobody quotes them."""
    if source().demo:
        result["demo"] = "invented demo fixture, not SIPRI data"
    return result


@router.get("/releases", summary="What is loaded: releases, sources, files")
def releases(request: HttpRequest) -> dict[str, Any]:
    return _with_demo(q.releases(_store()))


@router.get("/top", summary="Largest exporters or importers of a period")
def top(request: HttpRequest, role: Role, period: str = _period(), limit: int = 10, release: str | None = None,
        source: Source | None = None) -> dict[str, Any]:
    return _with_demo(q.top(_store(), role, period, limit, release, source))


@router.get("/change", summary="Percent change of exports/imports (or of one pair) between two periods")
def change(request: HttpRequest, country: str, role: Role, period_from: str = _period("from"),
           period_to: str = _period("to"), partner: str | None = None, release: str | None = None,
           source: Source | None = None) -> dict[str, Any]:
    return _with_demo(q.change(_store(), country, role, period_from, period_to, partner, release, source))


@router.get("/partners", summary="Partner shares of a country's exports or imports")
def partners(request: HttpRequest, country: str, role: Role, period: str = _period(), limit: int | None = None,
             release: str | None = None, source: Source | None = None) -> dict[str, Any]:
    return _with_demo(q.partners(_store(), country, role, period, limit, release, source))


@router.get("/rank", summary="Rank of a supplier among a recipient's suppliers (or the reverse)")
def rank(request: HttpRequest, supplier: str, recipient: str, period: str = _period(),
         among: Literal["suppliers", "recipients"] = "suppliers", release: str | None = None,
         source: Source | None = None) -> dict[str, Any]:
    return _with_demo(q.rank(_store(), supplier, recipient, period, among, release, source))


@router.get("/series", summary="Yearly TIV of a country or a pair")
def series(request: HttpRequest, country: str, role: Role, period: str | None = None, partner: str | None = None,
           release: str | None = None, source: Source | None = None) -> dict[str, Any]:
    return _with_demo(q.series(_store(), country, role, period, partner, release, source))


@router.get("/categories", summary="TIV by weapon category (Trade Register only)")
def categories(request: HttpRequest, country: str, role: Role, period: str = _period(),
               release: str | None = None) -> dict[str, Any]:
    return _with_demo(q.categories(_store(), country, role, period, release))


@router.get("/factsheet", summary="Fact sheet data for a country and period (figures, partners, series)")
def fact_sheet(request: HttpRequest, country: str, period: str = _period(), compare: str | None = None,
               release: str | None = None, source: Source | None = None) -> dict[str, Any]:
    sheet = factsheet.build(_store(), country, period, compare, release, source)
    return _with_demo({**{k: v for k, v in sheet.items() if k != "charts"}, "figures": factsheet.figures(sheet)})


class ClaimsIn(Schema):
    claims: list[dict[str, Any]]
    release: str | None = None
    source: str | None = None


@router.post("/check", summary="Check numeric claims (same fields as a claims YAML file)")
def check(request: HttpRequest, payload: ClaimsIn) -> dict[str, Any]:
    doc = {"claims": payload.claims, **{k: v for k, v in (("release", payload.release),
                                                           ("source", payload.source)) if v}}
    return _with_demo(claims_engine.check_document(_store(), doc, "request"))
