"""Inline SVG charts (no JavaScript, no CDN): a horizontal bar chart and a line chart."""

from __future__ import annotations

from html import escape


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def bar_chart(items: list[tuple[str, float]], title: str, width: int = 640) -> str:
    """Horizontal bars, one per (label, value), largest first as given."""
    bar_h, gap, label_w, top = 18, 6, 190, 28
    height = top + len(items) * (bar_h + gap) + 10
    peak = max((v for _, v in items), default=0) or 1
    plot_w = width - label_w - 70
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="arms-chart bar-chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'),
             f'<title>{escape(title)}</title>',
             f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + gap)
        w = max(1.0, value / peak * plot_w)
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="12" text-anchor="end">{escape(label[:28])}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#4a6fa5"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11">{_fmt(value)}</text>')
    if not items:
        parts.append(f'<text x="4" y="{top + 12}" font-size="12">no transfers in this period</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: dict[str, list[tuple[int, float]]], title: str, width: int = 640, height: int = 260) -> str:
    """One polyline per named series over years; the y axis starts at 0."""
    left, right, top, bottom = 56, 110, 28, 30
    years = sorted({y for pts in series.values() for y, _ in pts})
    peak = max((v for pts in series.values() for _, v in pts), default=0) or 1
    colours = ["#4a6fa5", "#c0504d", "#9bbb59", "#8064a2"]
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (years[-1] - years[0]) if len(years) > 1 else 1

    def xy(year: int, value: float) -> str:
        x = left + (year - years[0]) / span * plot_w
        return f"{x:.1f},{top + plot_h - value / peak * plot_h:.1f}"

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="arms-chart line-chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'),
             f'<title>{escape(title)}</title>',
             f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>',
             f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end">{_fmt(peak)}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>']
    if years:
        parts.append(f'<text x="{left}" y="{height - 10}" font-size="10">{years[0]}</text>'
                     f'<text x="{left + plot_w}" y="{height - 10}" font-size="10" text-anchor="end">{years[-1]}</text>')
    for i, (name, pts) in enumerate(series.items()):
        colour = colours[i % len(colours)]
        if pts:
            points = " ".join(xy(y, v) for y, v in pts)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{left + plot_w + 8}" y="{top + 12 + i * 16}" font-size="11" fill="{colour}">'
                     f'{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
