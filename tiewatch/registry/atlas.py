"""The registry at a glance: ties by year and kind (a chart), and by state and county (maps), for any set
of ties a page lists. A tie is placed where its subject (the local agency) is: the subject's jurisdiction,
an Open Civic Data division, gives the state and, for a county or a place, the county
(tiewatch/core/maps/places.py). Ties imported from a dataset (Tie.dataset: "leso", ...) get maps of
their own, so equipment transfers and curated ties are not mixed up."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

from tiewatch.core.maps.chart import ChartFigure, stacked_bars
from tiewatch.core.maps.places import locate_ocd
from tiewatch.core.maps.render import MapFigure, count_map
from tiewatch.core.maps.shapes import counties, states
from tiewatch.registry import tallies
from tiewatch.registry.jurisdictions import lineage
from tiewatch.registry.models import Jurisdiction, Tie
from tiewatch.registry.queries import kind_year_counts, kind_year_table

CACHE_SECONDS = 60
OVERVIEW_DIMENSIONS = ("kind_year", "place")


@dataclass
class AreaCounts:
    states: dict[str, int] = field(default_factory=dict)
    counties: dict[str, int] = field(default_factory=dict)
    unplaced: int = 0
    places: set[str] = field(default_factory=set)  # the subjects' divisions, for the links

    def add(self, ocd_id: str | None, n: int) -> None:
        state, county = locate_ocd(ocd_id) if ocd_id else (None, None)
        if state is None:
            self.unplaced += n
            return
        self.places.add(ocd_id or "")
        self.states[state] = self.states.get(state, 0) + n
        if county:
            self.counties[county] = self.counties.get(county, 0) + n


@dataclass
class Overview:
    chart: ChartFigure
    chart_rows: list[dict[str, Any]]
    maps: list[MapFigure]
    unplaced: dict[str, int]


def dataset_label(dataset: str) -> str:
    return "curated ties" if not dataset else f"{dataset.replace('_', ' ').upper()} dataset records"


def areas_by_dataset(qs: QuerySet[Tie]) -> dict[str, AreaCounts]:
    """Counts of `qs` by dataset ("" for curated) and area, from one GROUP BY over the subjects' places."""
    out: dict[str, AreaCounts] = {}
    rows = qs.order_by().values_list("dataset", "subject__jurisdiction_id").annotate(n=Count("id"))
    for dataset, ocd_id, n in rows:
        out.setdefault(dataset, AreaCounts()).add(ocd_id, n)
    return dict(sorted(out.items()))


def area_links(keys_by_level: dict[str, set[str]], places: set[str]) -> dict[str, str]:
    """Links from map areas to place pages (states by postal code, counties by FIPS). Only divisions
    that are, or contain, a subject's division are linked: the subjects of the ties a reader sees are
    ones the reader may see, so those places are public by the rule of visibility.jurisdictions,
    without running its query over every placed entity. The links of a set of areas and places are
    kept in the cache (a new tie rarely adds a place; the lookup and the URLs are most of a map's cost)."""
    digest = hashlib.sha1(repr((sorted(keys_by_level.get("state", ())), sorted(keys_by_level.get("county", ())),
                                sorted(places))).encode()).hexdigest()
    key = f"tiewatch:area-links:{digest}"
    found = cache.get(key)
    if not isinstance(found, dict):
        found = _area_links(keys_by_level, places)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _area_links(keys_by_level: dict[str, set[str]], places: set[str]) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for code in keys_by_level.get("state", set()):
        wanted[f"ocd-division/country:us/state:{code}"] = code
    for fips in keys_by_level.get("county", set()):
        shape = counties()[fips]
        county = shape.name.removesuffix(" County").removesuffix(" Parish").lower().replace(" ", "_")
        wanted[f"ocd-division/country:us/state:{shape.state}/county:{county}"] = fips
    shown = {ocd_id for place in places for ocd_id in lineage(place)}
    linked = sorted(ocd_id for ocd_id in wanted if ocd_id in shown)
    found = Jurisdiction.objects.filter(pk__in=linked).values_list("id", flat=True)
    # reverse() once, then the same quoting for each place (reverse per area: ~0.1 ms each, a thousand areas).
    prefix = reverse("registry:jurisdiction_detail", args=["x"]).removesuffix("x/")
    return {wanted[ocd_id]: f"{prefix}{quote(ocd_id.removeprefix('ocd-division/'), safe=RFC3986_SUBDELIMS + '/~:@')}/"
            for ocd_id in found}


def tie_maps(qs: QuerySet[Tie], by_county: bool = True) -> tuple[list[MapFigure], dict[str, int]]:
    """A state map (and a county map, if `by_county`) per dataset present in `qs`, and the ties placed
    nowhere per dataset."""
    return dataset_maps(areas_by_dataset(qs), by_county)


def dataset_maps(by_dataset: dict[str, AreaCounts], by_county: bool) -> tuple[list[MapFigure], dict[str, int]]:
    keys = {"state": {k for a in by_dataset.values() for k in a.states},
            "county": {k for a in by_dataset.values() for k in a.counties}}
    links = area_links(keys, {place for a in by_dataset.values() for place in a.places})
    maps: list[MapFigure] = []
    for dataset, areas in by_dataset.items():
        label = dataset_label(dataset)
        label = label[0].upper() + label[1:]
        unit = "ties" if not dataset else "records"
        maps.append(count_map(f"{label} by state", areas.states, level="state", unit=unit,
                              hrefs={k: v for k, v in links.items() if k in states()}))
        if by_county and areas.counties:
            maps.append(count_map(f"{label} by county", areas.counties, level="county", unit=unit,
                                  hrefs={k: v for k, v in links.items() if k in areas.counties}))
    return maps, {dataset_label(d): a.unplaced for d, a in by_dataset.items() if a.unplaced}


def year_kind_chart(qs: QuerySet[Tie], ident: str = "ties-chart") -> tuple[ChartFigure, list[dict[str, Any]]]:
    return chart_of(kind_year_counts(qs), ident)


def chart_of(counts: dict[str, Any], ident: str = "ties-chart") -> tuple[ChartFigure, list[dict[str, Any]]]:
    labels = [k["label"] for k in counts["kinds"]]
    figure = stacked_bars("Ties by year, by kind", labels, [(r["year"], r["cells"]) for r in counts["rows"]],
                          ident=ident)
    rows = [{"year": r["year"], "total": r["total"], "cells": r["cells"]} for r in counts["rows"]]
    return figure, rows


def overview(qs: QuerySet[Tie], by_county: bool = True) -> Overview:
    chart, rows = year_kind_chart(qs)
    maps, unplaced = tie_maps(qs, by_county)
    return Overview(chart, rows, maps, unplaced)


def registry_overview(drafts: bool, by_county: bool, counted: tallies.Tallies | None = None) -> Overview:
    """The overview of every tie the reader may see, drawn from the registry's tallies (kept exact by
    the database on PostgreSQL, so the first reader after a change pays no recount)."""
    counted = counted or tallies.counts(drafts, OVERVIEW_DIMENSIONS)
    triples = []
    for key, n in counted["kind_year"].items():
        kind, _, year = key.partition("|")
        triples.append((kind, int(year) if year else None, n))
    chart, rows = chart_of(kind_year_table(triples))
    by_dataset: dict[str, AreaCounts] = {}
    for key, n in sorted(counted["place"].items()):
        dataset, _, place = key.partition("|")
        by_dataset.setdefault(dataset, AreaCounts()).add(place or None, n)
    maps, unplaced = dataset_maps(by_dataset, by_county)
    return Overview(chart, rows, maps, unplaced)


def registry_overview_html(drafts: bool, by_county: bool = False) -> str:
    """The rendered overview of every tie the reader may see, for the home page and the unfiltered tie
    list (the home page leaves out the county maps, the heaviest part of a page). The HTML is kept in
    the cache under a digest of the counts it draws, so it is drawn again only when they changed (a
    change of a tie's status or note leaves them as they were)."""
    counted = tallies.counts(drafts, OVERVIEW_DIMENSIONS)
    digest = hashlib.sha1(repr(sorted((name, sorted(c.items())) for name, c in counted.items())).encode()).hexdigest()
    key = f"tiewatch:registry-overview:{int(drafts)}:{int(by_county)}:{digest}"
    cached = cache.get(key)
    if not isinstance(cached, str):
        figures = registry_overview(drafts, by_county, counted)
        cached = render_to_string("maps/_ties_overview.html", {"overview": figures})
        cache.set(key, cached, CACHE_SECONDS)
    return cached
