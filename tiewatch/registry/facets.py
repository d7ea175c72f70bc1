"""Facet counts and sortable column headers for the registry's lists (issue 12, "facets and sorting").

A facet counts the listed records by one filter's values, each count a link applying that filter. Every
count is one GROUP BY over the already-filtered queryset, on an indexed or small column; the tie list's
country and year facets group by the denormalised `counterpart_countries` and (year_from, year_to)
and spread the groups in Python, so each count equals what its link lists:

- country: a tie counts once for each country among its counterparts (the filter matches any of them);
- year: a tie counts for every year its [year_from, year_to] range overlaps (the filter's rule).

The unfiltered tie list's facets (a million ties: a second and more to count) are read from the
registry's tallies (tiewatch/registry/tallies.py), kept exact by the database as ties change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest

from tiewatch.core.plain_words import words
from tiewatch.registry import tallies
from tiewatch.registry.atlas import dataset_label
from tiewatch.registry.dataset_summary import CURATED
from tiewatch.registry.models import Entity, Tie
from tiewatch.registry.visibility import entities

PROGRAM_FACET_SIZE = 10
YEAR_FACET_SIZE = 12

# A link's query string with one parameter set (None: removed) and the page reset.
Link = Callable[[dict[str, Any]], str]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    url: str = ""
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)


def _label(value: str) -> str:
    return words(value)


def country_label(code: str) -> str:
    return code.upper()


def tie_counts(qs: QuerySet[Tie], drafts: bool) -> dict[str, list[tuple[str, str, int]]]:
    """(value, label, count) per facet of the ties in `qs`, largest first. One GROUP BY over all the
    faceted columns (one scan of the ties, not one per facet), then summed per facet in Python: the
    groups are the distinct combinations, far fewer than the ties."""
    columns = ("kind", "status", "counterpart_countries", "year_from", "year_to", "program_id", "dataset")
    rows = qs.order_by().values_list(*columns).annotate(n=Count("pk")).order_by()
    return facet_values(tallies.spread((*row[:7], None, row[7]) for row in rows), drafts)


def facet_values(counted: tallies.Tallies, drafts: bool) -> dict[str, list[tuple[str, str, int]]]:
    """Tallies as each facet's (value, label, count), largest first (years: the most recent)."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for name, text in (("kind", _label), ("status", _label), ("country", country_label), ("dataset", dataset_label)):
        out[name] = [(v, text(v), n) for v, n in _largest(counted[name])]
    recent = sorted(counted["year"], key=int, reverse=True)[:YEAR_FACET_SIZE]
    out["year"] = [(y, y, counted["year"][y]) for y in recent]
    programs = _largest(counted["program"])[: PROGRAM_FACET_SIZE * 2]
    names = dict(entities(drafts).filter(pk__in=[p for p, _ in programs]).values_list("pk", "name"))
    out["program"] = [(p, names[p], n) for p, n in programs if p in names][:PROGRAM_FACET_SIZE]
    return out


def _largest(tally: Counter[Any]) -> list[tuple[Any, int]]:
    return sorted(tally.items(), key=lambda kv: (-kv[1], str(kv[0])))


def cached_tie_counts(drafts: bool) -> dict[str, list[tuple[str, str, int]]]:
    """The facet counts of every tie the reader may see, from the registry's tallies (kept exact by the
    database on PostgreSQL: no recount after a change; tiewatch/registry/tallies.py)."""
    return facet_values(tallies.counts(drafts, FACET_DIMENSIONS), drafts)


FACET_DIMENSIONS = ("kind", "status", "country", "year", "program", "dataset")
TIE_FACETS = (("kind", "Kind"), ("country", "Counterpart country"), ("year", "Year"), ("program", "Program"),
              ("status", "Status"), ("dataset", "Dataset"))


def tie_facets(counts: dict[str, list[tuple[str, str, int]]], selected: dict[str, Any], link: Link) -> list[Facet]:
    """Facets with links: a value sets its filter (year: year_from and year_to; dataset: its name, or
    CURATED for the ties entered by hand); the selected one clears it. The other filters are kept."""
    facets = []
    for name, label in TIE_FACETS:
        facet = Facet(name, label)
        for value, text, n in counts.get(name, []):
            if name == "year":
                chosen = str(selected.get("year_from") or "") == value == str(selected.get("year_to") or "")
                url = link({"year_from": None if chosen else value, "year_to": None if chosen else value})
            elif name == "dataset":
                param = value or CURATED
                chosen = str(selected.get("dataset") or "") == param
                url = link({"dataset": None if chosen else param})
            else:
                chosen = str(selected.get(name) or "").upper() == value.upper()
                url = link({name: None if chosen else value})
            facet.values.append(FacetValue(value, text, n, url, chosen))
        if facet.values:
            facets.append(facet)
    return facets


def entity_facets(qs: QuerySet[Entity], selected: dict[str, Any], link: Link) -> list[Facet]:
    base = qs.order_by()
    facets = []
    for name, label, text in (("kind", "Kind", _label), ("country", "Country", country_label)):
        facet = Facet(name, label)
        for value, n in base.exclude(**{name: ""}).values_list(name).annotate(n=Count("pk")).order_by("-n", name):
            chosen = str(selected.get(name) or "").upper() == value.upper()
            facet.values.append(FacetValue(value, text(value), n, link({name: None if chosen else value}), chosen))
        if facet.values:
            facets.append(facet)
    return facets


def group_facets(qs: QuerySet[Any], columns: tuple[tuple[str, str, str], ...], selected: dict[str, Any],
                 link: Link) -> list[Facet]:
    """Facets of a plain list: per (column, filter parameter, label), one GROUP BY over the listed rows."""
    base = qs.order_by()
    out = []
    for column, param, label in columns:
        facet = Facet(param, label)
        for value, n in base.values_list(column).annotate(n=Count("pk")).order_by("-n", column):
            chosen = str(selected.get(param) or "") == str(value)
            facet.values.append(FacetValue(str(value), _label(str(value)), n, link({param: None if chosen else value}),
                                           chosen))
        if facet.values:
            out.append(facet)
    return out


def request_link(request: HttpRequest) -> Link:
    """Links of a list page: its query string with the changes applied (None: removed), the page and the
    export format reset, the other filters kept."""
    def link(changes: dict[str, Any]) -> str:
        params = request.GET.copy()
        for key, value in {**changes, "page": None, "format": None}.items():
            if value in (None, ""):
                params.pop(key, None)
            else:
                params[key] = str(value)
        return f"?{params.urlencode()}" if params else "?"
    return link


def export_urls(link: Link) -> dict[str, str]:
    """The list's CSV and JSON exports, with its filters and sort."""
    base = link({})
    joiner = "" if base == "?" else "&"
    return {"csv_url": f"{base}{joiner}format=csv", "json_url": f"{base}{joiner}format=json"}


# A list built in Python (law packs, campaigns): rows as dicts, each facet a (field, label, words) triple.
RowFacets = tuple[tuple[str, str, Callable[[str], str]], ...]


def filter_rows(rows: list[dict[str, Any]], selected: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows whose fields equal every selected value (a filter left empty selects all)."""
    wanted = {key: str(value) for key, value in selected.items() if value not in (None, "")}
    return [row for row in rows if all(str(row.get(key, "")) == value for key, value in wanted.items())]


def row_facets(rows: list[dict[str, Any]], columns: RowFacets, selected: dict[str, Any], link: Link) -> list[Facet]:
    """Facets of a list built in Python, like group_facets: the listed rows counted per field value, each
    count a link applying that filter (the selected one clears it); rows without a value are not counted."""
    out = []
    for key, label, text in columns:
        tally = Counter(str(row[key]) for row in rows if row.get(key) not in (None, ""))
        facet = Facet(key, label)
        for value, n in _largest(tally):
            chosen = str(selected.get(key) or "") == value
            facet.values.append(FacetValue(value, text(value), n, link({key: None if chosen else value}), chosen))
        if facet.values:
            out.append(facet)
    return out


def sort_rows(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Rows by the field `sort` names ("-field": descending), rows without a value last either way."""
    key = sort.removeprefix("-")
    present = [row for row in rows if row.get(key) not in (None, "")]
    present.sort(key=lambda row: (str(row[key]).lower() if isinstance(row[key], str) else row[key]),
                 reverse=sort.startswith("-"))
    return present + [row for row in rows if row.get(key) in (None, "")]


@dataclass
class SortHeader:
    label: str
    url: str
    active: str  # "ascending", "descending" or ""


def sort_headers(columns: list[tuple[str, str, str | None]], current: str, link: Link) -> dict[str, SortHeader]:
    """Column -> its header link. Each column names its ascending and (optional) descending sort key, all
    of them whitelisted keys of the list's sorts; clicking the active column flips its direction."""
    out = {}
    for label, asc, desc in columns:
        if current == asc:
            out[label] = SortHeader(label, link({"sort": desc or asc}), "ascending")
        elif desc is not None and current == desc:
            out[label] = SortHeader(label, link({"sort": asc}), "descending")
        else:
            out[label] = SortHeader(label, link({"sort": asc}), "")
    return out
