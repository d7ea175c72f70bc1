"""Web pages of the arms app: top lists, a country page with charts, a pair page."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tiewatch.core.errors import Problem, TiewatchError, ValidationFailed

from .engine import charts, factsheet
from .engine import queries as q
from .engine.datasets import Store
from .web import HOW_TO, shown_path, source

SOURCES = ("tables", "register", "tidy")
MAX_LIMIT = 1000


def _limit(request: HttpRequest, default: int) -> int:
    text = request.GET.get("limit") or ""
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or int(text) > MAX_LIMIT:
        raise ValidationFailed(f"bad limit {text[:40]!r}", [Problem(
            f"expected a whole number from 0 to {MAX_LIMIT} (0 = all)", field="limit")])
    return int(text)


def _params(request: HttpRequest, store: Store) -> dict[str, Any]:
    """Every query parameter of the arms pages, checked: a bad one is a 400 page naming it."""
    release = request.GET.get("release") or None
    src = request.GET.get("source") or None
    if src is not None and src not in SOURCES:
        raise ValidationFailed(f"bad source {src[:40]!r}", [Problem(f"expected one of {', '.join(SOURCES)}",
                                                                    field="source")])
    if release is not None and not re.fullmatch(r"[\w\s.-]{1,40}", release):
        raise ValidationFailed(f"bad release {release[:40]!r}", [Problem("expected a release such as 2022 or 2022-03",
                                                                        field="release")])
    ds = store.dataset(release, src)
    last = ds.last_year or 2000
    period = request.GET.get("period") or f"{last - 4}-{last}"
    first, end = q.parse_period(period)
    compare = request.GET.get("compare") or f"{first - (end - first + 1)}-{first - 1}"
    q.parse_period(compare, "compare")
    return {"release": release, "source": src, "period": period, "compare": compare, "dataset": ds}


def _page(request: HttpRequest, template: str, build: Any, status: int = 200) -> HttpResponse:
    data = source()
    context: dict[str, Any] = {"demo": data.demo, "how_to": HOW_TO, "load_error": data.error,
                               "shared": shown_path(data.shared) if data.shared else ""}
    if data.store is None:
        return render(request, template, {**context, "unavailable": True}, status=200)
    try:
        params = _params(request, data.store)
        context.update(params)
        context["datasets"] = q.releases(data.store)["datasets"]
        context.update(build(data.store, params))
    except ValidationFailed as error:  # bad input in the query: say which parameter, as a 400
        context["problem"] = "; ".join(error.lines())
        status = 400
    except TiewatchError as error:
        context["problem"] = error.message
        status = error.status
    return render(request, template, context, status=status)


def index(request: HttpRequest) -> HttpResponse:
    def build(store: Store, p: dict[str, Any]) -> dict[str, Any]:
        limit = _limit(request, 15)
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
        # The ranks first: a bad name is then reported as the supplier or the recipient.
        rank_sup = q.rank(store, supplier, recipient, p["period"], "suppliers", p["release"], p["source"])
        series = q.series(store, supplier, "exporter", span, recipient, p["release"], p["source"])
        return {
            "series": series,
            "rank_sup": rank_sup,
            "rank_rec": q.rank(store, supplier, recipient, p["period"], "recipients", p["release"], p["source"]),
            "change": q.change(store, supplier, "exporter", p["compare"], p["period"], recipient, p["release"],
                               p["source"]),
            "chart": charts.line_chart({f"{series['country']} -> {series['partner']}": [
                (pt["year"], pt["tiv"]) for pt in series["points"]]}, "Transfers by year (TIV m)"),
        }
    return _page(request, "arms/pair.html", build)
