"""Web pages of the arms app: top lists, a country page with charts, a pair page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tiewatch.core.errors import TiewatchError

from .engine import charts, factsheet
from .engine import queries as q
from .engine.datasets import Store
from .web import HOW_TO, source


def _params(request: HttpRequest, store: Store) -> dict[str, Any]:
    release = request.GET.get("release") or None
    src = request.GET.get("source") or None
    ds = store.dataset(release, src)
    last = ds.last_year or 2000
    period = request.GET.get("period") or f"{last - 4}-{last}"
    first, end = q.parse_period(period)
    compare = request.GET.get("compare") or f"{first - (end - first + 1)}-{first - 1}"
    return {"release": release, "source": src, "period": period, "compare": compare, "dataset": ds}


def _page(request: HttpRequest, template: str, build: Any, status: int = 200) -> HttpResponse:
    data = source()
    context: dict[str, Any] = {"demo": data.demo, "how_to": HOW_TO, "load_error": data.error}
    if data.store is None:
        return render(request, template, {**context, "unavailable": True}, status=200)
    try:
        params = _params(request, data.store)
        context.update(params)
        context["datasets"] = q.releases(data.store)["datasets"]
        context.update(build(data.store, params))
    except TiewatchError as error:
        context["problem"] = error.message
        status = error.status
    return render(request, template, context, status=status)


def index(request: HttpRequest) -> HttpResponse:
    def build(store: Store, p: dict[str, Any]) -> dict[str, Any]:
        limit = int(request.GET.get("limit") or 15)
        return {"tops": [q.top(store, role, p["period"], limit, p["release"], p["source"]) for role in q.ROLES]}
    return _page(request, "arms/index.html", build)


def country(request: HttpRequest, name: str) -> HttpResponse:
    def build(store: Store, p: dict[str, Any]) -> dict[str, Any]:
        sheet = factsheet.build(store, name, p["period"], p["compare"], p["release"], p["source"])
        return {"sheet": sheet, "figures": factsheet.figures(sheet), "charts": sheet["charts"]}
    return _page(request, "arms/country.html", build)


def pair(request: HttpRequest, supplier: str, recipient: str) -> HttpResponse:
    def build(store: Store, p: dict[str, Any]) -> dict[str, Any]:
        ds = p["dataset"]
        span = f"{ds.first_year}-{ds.last_year}"
        series = q.series(store, supplier, "exporter", span, recipient, p["release"], p["source"])
        return {
            "series": series,
            "rank_sup": q.rank(store, supplier, recipient, p["period"], "suppliers", p["release"], p["source"]),
            "rank_rec": q.rank(store, supplier, recipient, p["period"], "recipients", p["release"], p["source"]),
            "change": q.change(store, supplier, "exporter", p["compare"], p["period"], recipient, p["release"],
                               p["source"]),
            "chart": charts.line_chart({f"{series['country']} -> {series['partner']}": [
                (pt["year"], pt["tiv"]) for pt in series["points"]]}, "Transfers by year (TIV m)"),
        }
    return _page(request, "arms/pair.html", build)
