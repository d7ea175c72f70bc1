"""A small stacked bar chart drawn as SVG on the server (ties by year, stacked by kind). The SVG is an
image with its own title and description; pages show the same numbers in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from tiewatch.core.maps.render import CATEGORICAL, LegendItem

WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP = 44, 28, 10
MAX_BARS = 80  # more years than this are shown as the latest 80


@dataclass
class ChartFigure:
    title: str
    summary: str
    svg: str
    legend: list[LegendItem]


def nice_top(value: int) -> int:
    """The smallest 1-2-5 number at or above `value` (the top of the axis)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def year_rows(rows: Sequence[tuple[int | None, Sequence[int]]], width: int) -> list[tuple[str, list[int]]]:
    """Bars for every year from the first to the last (years without a tie as empty bars), undated last."""
    dated = {year: list(cells) for year, cells in rows if year is not None}
    undated = [list(cells) for year, cells in rows if year is None]
    out: list[tuple[str, list[int]]] = []
    if dated:
        last = max(dated)
        first = max(min(dated), last - MAX_BARS + 1)
        out = [(str(year), dated.get(year, [0] * width)) for year in range(first, last + 1)]
    if undated:
        out.append(("no year", [sum(col) for col in zip(*undated, strict=True)]))
    return out


def stacked_bars(title: str, categories: Sequence[str], rows: Sequence[tuple[int | None, Sequence[int]]],
                 unit: str = "ties", ident: str = "chart") -> ChartFigure:
    """`rows` are (year or None, counts per category in `categories` order); `ident` prefixes the ids of
    the title and description, unique per page."""
    bars = year_rows(rows, len(categories))
    palette = [CATEGORICAL[i % len(CATEGORICAL)] for i in range(len(categories))]
    total = sum(sum(cells) for _, cells in bars)
    top = nice_top(max((sum(cells) for _, cells in bars), default=1))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(bars), 1)
    summary = _summary(bars, total, unit)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{ident}-title {ident}-desc" font-family="sans-serif" font-size="11">'
             f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(summary)}</desc>',
             _axis(top, plot_w, plot_h)]
    label_every = max(1, round(len(bars) / 10))
    for i, (label, cells) in enumerate(bars):
        x = LEFT + i * slot
        y: float = TOP + plot_h
        for kind, n, fill in zip(categories, cells, palette, strict=True):
            if n:
                h = plot_h * n / top
                y -= h
                parts.append(f'<rect x="{x + slot * 0.1:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" '
                             f'fill="{fill}"><title>{escape(label)}, {escape(kind)}: {n:,}</title></rect>')
        crowds_undated = bars[-1][0] == "no year" and i == len(bars) - 2 and label_every > 1
        if (i % label_every == 0 and not crowds_undated) or label == "no year":
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    legend = [LegendItem(kind, fill) for kind, fill in zip(categories, palette, strict=True)]
    return ChartFigure(title, summary, "".join(parts), legend)


def _axis(top: int, plot_w: float, plot_h: float) -> str:
    lines = []
    for fraction in ((0, 0.5, 1) if top % 2 == 0 else (0, 1)):
        y = TOP + plot_h * (1 - fraction)
        lines.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#cccccc"/>'
                     f'<text x="{LEFT - 6}" y="{y:.1f}" dy="0.35em" text-anchor="end">{_tick(top * fraction)}</text>')
    return "".join(lines)


def _tick(value: float) -> str:
    return f"{value:,.0f}"


def _summary(bars: list[tuple[str, list[int]]], total: int, unit: str) -> str:
    years = [label for label, _ in bars if label != "no year"]
    undated = sum(sum(cells) for label, cells in bars if label == "no year")
    text = f"{total:,} {unit}" + (f", from {years[0]} to {years[-1]}" if years else "")
    return (text + (f"; {undated:,} without a year" if undated else "")) if total else f"No {unit} yet."
