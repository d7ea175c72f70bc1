"""Server-drawn maps and charts in any app's templates (`{% load tiewatch_maps %}`):

    {% us_map figure "Ties" %}              a MapFigure (tiewatch/core/maps/render.py) with its legend and table
    {% year_chart chart rows kinds %}       a ChartFigure (tiewatch/core/maps/chart.py) with its table
    {% registry_overview drafts by_county %} the whole registry: ties by year and kind, by state (and county)

The SVG markup is built and escaped by tiewatch/core/maps, which is why it may be marked safe here."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from tiewatch.core.maps.chart import ChartFigure
from tiewatch.core.maps.render import MapFigure
from tiewatch.registry import atlas

register = template.Library()


@register.inclusion_tag("maps/_map.html")
def us_map(figure: MapFigure, value_label: str = "Count", open_table: bool = False) -> dict[str, Any]:
    return {"map": figure, "svg": mark_safe(figure.svg),  # escaped by tiewatch/core/maps
            "value_label": value_label, "area_label": "State" if figure.level == "state" else "County",
            "open_table": open_table}


@register.inclusion_tag("maps/_chart.html")
def year_chart(chart: ChartFigure, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"chart": chart, "svg": mark_safe(chart.svg), "rows": rows}  # escaped by tiewatch/core/maps


@register.simple_tag
def registry_overview(drafts: bool, by_county: bool = False) -> str:
    return mark_safe(atlas.registry_overview_html(drafts, by_county))  # rendered (escaped) by our template


@register.inclusion_tag("maps/_ties_overview.html")
def ties_overview(overview: atlas.Overview) -> dict[str, Any]:
    return {"overview": overview}
