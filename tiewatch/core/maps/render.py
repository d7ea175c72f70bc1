"""US maps drawn as SVG on the server: a choropleth of counts by state or county, or of categories by state,
with an optional count marker per state. Each map comes with its legend and its rows (the table a page
shows beside it: the map itself is a picture, hidden from screen readers, whose areas are also links for
pointer users). Pure Python; every text is escaped here and every link passes `site_href`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

from tiewatch.core.maps.shapes import Shape, counties, frame, states
from tiewatch.core.urls import site_href

# ColorBrewer "Blues" (5 classes) and "Dark2": printable and readable by most colour-blind readers.
SEQUENTIAL = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
CATEGORICAL = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
EMPTY_FILL = "#f1f1f1"
SUPPRESSED_FILL = "#d9d9d9"
LEVELS = ("state", "county")


@dataclass(frozen=True)
class LegendItem:
    label: str
    fill: str


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    value: str           # what the table shows ("12", "ordinance, resolution")
    count: int | None    # for sorting and totals; None for a category
    href: str | None
    fill: str


@dataclass
class MapFigure:
    title: str
    summary: str
    svg: str
    legend: list[LegendItem]
    rows: list[Row]
    level: str
    notes: list[str] = field(default_factory=list)


def breaks(maximum: int, classes: int = len(SEQUENTIAL), start: int = 1) -> list[int]:
    """Lower bounds of up to `classes` count classes on the 1-2-5 series, the first always `start` (the
    smallest count shown: 1, or the suppression threshold)."""
    series = [start]
    step = 0
    while True:
        value = (2, 5, 10)[step % 3] * 10 ** (step // 3)
        if value > maximum:
            break
        if value > start:
            series.append(value)
        step += 1
    if len(series) <= classes:
        return series
    # Keep the first and spread the rest evenly over the series, so large counts keep their own class.
    picks = [round(i * (len(series) - 1) / (classes - 1)) for i in range(classes)]
    return [series[i] for i in sorted(set(picks))]


def class_labels(bounds: list[int]) -> list[str]:
    labels = []
    for i, low in enumerate(bounds):
        if i + 1 < len(bounds):
            high = bounds[i + 1] - 1
            labels.append(f"{low:,}" if high == low else f"{low:,}–{high:,}")
        else:
            labels.append(f"{low:,} or more")
    return labels


def _class_of(value: int, bounds: list[int]) -> int:
    return max(i for i, low in enumerate(bounds) if value >= low)


def _shapes(level: str) -> Mapping[str, Shape]:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return states() if level == "state" else counties()


def count_map(title: str, counts: Mapping[str, int], *, level: str = "state", unit: str = "ties",
              hrefs: Mapping[str, str] | None = None, suppress_below: int = 0) -> MapFigure:
    """Areas (state postal codes or county FIPS codes) coloured by count. Counts under `suppress_below`
    are neither drawn nor named: one row gives their sum, so a small area never shows who is in it."""
    known = _shapes(level)
    shown = {k: n for k, n in counts.items() if k in known and n > 0 and n >= suppress_below}
    hidden = sum(n for k, n in counts.items() if n > 0 and k not in shown)
    bounds = breaks(max(shown.values(), default=1), start=max(1, suppress_below))
    fills = {k: SEQUENTIAL[_class_of(n, bounds)] for k, n in shown.items()}
    links = {k: h for k, h in (hrefs or {}).items() if k in shown and site_href(h)}
    rows = [Row(k, known[k].name, f"{n:,}", n, links.get(k), fills[k])
            for k, n in sorted(shown.items(), key=lambda kv: (-kv[1], known[kv[0]].name))]
    notes = []
    if hidden:
        what = f"under {suppress_below} each" if suppress_below else "outside the mapped states"
        notes.append(f"{hidden:,} {unit} in areas {what} are counted but not shown.")
    tips = {k: f"{known[k].name}: {n:,} {unit}" for k, n in shown.items()}
    legend = [LegendItem(label, SEQUENTIAL[i]) for i, label in enumerate(class_labels(bounds))] if shown else []
    total = sum(shown.values())
    summary = (f"{unit.capitalize()}: {total:,}, in {areas_phrase(len(shown), level)}" if shown
               else f"No {unit} to map yet.")
    return MapFigure(title, summary, draw(level, fills, tips, links), legend, rows, level, notes)


def category_map(title: str, categories: Mapping[str, Iterable[str]], *, hrefs: Mapping[str, str] | None = None,
                 markers: Mapping[str, int] | None = None, marker_unit: str = "places",
                 unit: str = "policies") -> MapFigure:
    """States coloured by the category they fall in (a state with several gets "several kinds"), with an
    optional numbered marker (places with a policy, say) on each state that has one."""
    known = states()
    named = {k: sorted(set(v)) for k, v in categories.items() if k in known and v}
    kinds = sorted({c for v in named.values() for c in v})
    several = len(kinds) > 1 and any(len(v) > 1 for v in named.values())
    palette = {kind: CATEGORICAL[i % len(CATEGORICAL)] for i, kind in enumerate(kinds)}
    mixed_fill = "#525252"
    fills = {k: (palette[v[0]] if len(v) == 1 else mixed_fill) for k, v in named.items()}
    links = {k: h for k, h in (hrefs or {}).items() if k in named and site_href(h)}
    counted = {k: n for k, n in (markers or {}).items() if k in known and n > 0}
    rows = [Row(k, known[k].name, ", ".join(v), counted.get(k), links.get(k), fills[k])
            for k, v in sorted(named.items(), key=lambda kv: known[kv[0]].name)]
    legend = [LegendItem(kind, palette[kind]) for kind in kinds]
    if several:
        legend.append(LegendItem("several kinds", mixed_fill))
    tips = {k: f"{known[k].name}: {', '.join(v)}" for k, v in named.items()}
    summary = f"{unit.capitalize()} in {areas_phrase(len(named), 'state')}" if named else f"No {unit} to map yet."
    svg = draw("state", fills, tips, links, markers={k: n for k, n in counted.items() if k in named})
    return MapFigure(title, summary, svg, legend, rows, "state",
                     [f"Numbers on the map: {marker_unit} per state."] if counted else [])


def areas_phrase(n: int, level: str) -> str:
    """"1 state", "22 states", "1 county", "3 counties"."""
    word = {"state": ("state", "states"), "county": ("county", "counties")}[level][n != 1]
    return f"{n:,} {word}"


def _area(shape: Shape, fill: str, tip: str | None, href: str | None) -> str:
    if not shape.d:
        return ""
    title = f"<title>{escape(tip)}</title>" if tip else ""
    path = f'<path d="{shape.d}" fill="{fill}">{title}</path>'
    return f'<a href="{escape(href)}" tabindex="-1">{path}</a>' if href else path


def _marker(shape: Shape, n: int) -> str:
    radius = 7 + 3 * math.log10(max(n, 1))
    return (f'<g class="marker" fill="#252525" font-size="12" font-family="sans-serif"><circle cx="{shape.x}" cy="{shape.y}" r="{radius:.1f}"/>'
            f'<text x="{shape.x}" y="{shape.y}" dy="0.35em" text-anchor="middle" fill="#ffffff">{n:,}</text></g>')


def draw(level: str, fills: Mapping[str, str], tips: Mapping[str, str], links: Mapping[str, str],
         markers: Mapping[str, int] | None = None) -> str:
    """The SVG: every state (coloured when `level` is "state"), then the coloured counties on top when it
    is "county", then the markers. Each shape is drawn once (its stroke is the border): a page stays light."""
    by_state = level == "state"
    border = "#ffffff" if by_state else "#737373"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="usmap" viewBox="{" ".join(map(str, frame()))}" '
             'aria-hidden="true" focusable="false" preserveAspectRatio="xMidYMid meet">',
             f'<g class="states" stroke="{border}" stroke-width="0.8" stroke-linejoin="round">']
    all_states = states()
    for key, shape in all_states.items():
        parts.append(_area(shape, fills.get(key, EMPTY_FILL) if by_state else EMPTY_FILL,
                           tips.get(key) if by_state else None, links.get(key) if by_state else None))
    parts.append("</g>")
    if not by_state:
        all_counties = counties()
        parts.append('<g class="counties" stroke="#ffffff" stroke-width="0.3">')
        parts.extend(_area(all_counties[key], fills[key], tips.get(key), links.get(key)) for key in sorted(fills))
        parts.append("</g>")
    parts.extend(_marker(all_states[k], n) for k, n in sorted((markers or {}).items()))
    parts.append("</svg>")
    return "".join(parts)
