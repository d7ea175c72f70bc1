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

from tiewatch.registry import tallies
from tiewatch.registry.atlas import dataset_label
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
    return value.replace("_", " ")


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
    """Facets with links: a value sets its filter (year: year_from and year_to); the selected one clears it.
    The dataset facet has no filter: its counts are shown without links."""
    facets = []
    for name, label in TIE_FACETS:
        facet = Facet(name, label)
        for value, text, n in counts.get(name, []):
            if name == "year":
                chosen = str(selected.get("year_from") or "") == value == str(selected.get("year_to") or "")
                url = link({"year_from": None if chosen else value, "year_to": None if chosen else value})
            elif name == "dataset":
                chosen, url = False, ""
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
