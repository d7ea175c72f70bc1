"""Fact sheet for one country and period: figures, charts, and for each figure its query and release.

`build()` returns plain data (used by the web page too); `to_html()` / `to_markdown()` render it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from tiewatch.core.errors import NotFound

from . import queries as q
from .charts import bar_chart, line_chart
from .datasets import FAMILY_LABEL, Store

PARTNERS_SHOWN = 10


def _role_section(store: Store, country: str, role: str, period: str, compare: str | None,
                  release: str | None, source: str | None) -> dict[str, Any]:
    ranking = q.top(store, role, period, limit=None, release=release, source=source)
    hit = next((r for r in ranking["rows"] if r["country"] == country), None)
    section: dict[str, Any] = {"role": role, "rank": hit["rank"] if hit else None, "of": len(ranking["rows"]),
                               "tiv": hit["tiv"] if hit else 0.0, "world_share": hit["share"] if hit else 0.0,
                               "rank_query": ranking["query"], "release": ranking["release"],
                               "generated": ranking["generated"], "dataset": ranking["dataset"]}
    if compare:
        section["change"] = q.change(store, country, role, compare, period, release=release, source=source)
    try:
        section["partners"] = q.partners(store, country, role, period, release=release, source=source)
    except NotFound:  # a totals-only release has no partner breakdown
        section["partners"] = None
    first = min(q.parse_period(compare)[0] if compare else 9999, q.parse_period(period)[0])
    section["series"] = q.series(store, country, role, f"{first}-{q.parse_period(period)[1]}",
                                 release=release, source=source)
    return section


def build(store: Store, country: str, period: str, compare: str | None = None, release: str | None = None,
          source: str | None = None) -> dict[str, Any]:
    ds = store.dataset(release, source)
    name = store.resolve(country, ds)
    sheet: dict[str, Any] = {"country": name, "period": q.period_label(q.parse_period(period)),
             "compare": q.period_label(q.parse_period(compare, "compare")) if compare else None,
             "release": ds.release, "generated": ds.generated, "source": FAMILY_LABEL.get(ds.family, ds.family),
             "dataset": ds.id, "convention": q.CONVENTION,
             "roles": {role: _role_section(store, name, role, period, compare, release, source) for role in q.ROLES}}
    sheet["categories"] = _categories(store, name, period)
    sheet["charts"] = charts(sheet)
    return sheet


def _categories(store: Store, name: str, period: str) -> dict[str, Any] | None:
    """Weapon categories, when a Trade Register is loaded (TIV tables have none)."""
    if not any(d.family == "register" for d in store.datasets.values()):
        return None
    out: dict[str, Any] = {}
    for role in q.ROLES:
        try:
            out[role] = q.categories(store, name, role, period)
        except NotFound:  # the country is not in the register
            out[role] = None
    return out


def charts(sheet: dict[str, Any]) -> dict[str, str]:
    out = {}
    for role, sec in sheet["roles"].items():
        if sec["partners"]:
            noun = "recipients of its exports" if role == "exporter" else "suppliers of its imports"
            items = [(r["partner"], r["tiv"]) for r in sec["partners"]["rows"][:PARTNERS_SHOWN]]
            out[f"{role}_partners"] = bar_chart(items, f"{sheet['country']}: main {noun}, {sheet['period']} (TIV m)")
    lines = {f"{'exports' if role == 'exporter' else 'imports'}": [(p["year"], p["tiv"]) for p in sec["series"]["points"]]
             for role, sec in sheet["roles"].items()}
    out["series"] = line_chart(lines, f"{sheet['country']}: arms transfers by year (TIV m)")
    return out


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"


def _ordinal(n: int | None) -> str:
    if n is None:
        return "not ranked"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def figures(sheet: dict[str, Any]) -> list[dict[str, str]]:
    """The headline figures as sentences, each with its query."""
    out = []
    for role, sec in sheet["roles"].items():
        noun = "exporter" if role == "exporter" else "importer"
        out.append({"text": f"{_ordinal(sec['rank'])} largest {noun} of {sec['of']} states, {sheet['period']}: "
                            f"{sec['tiv']:,.0f} TIV m, {_pct(sec['world_share'])} of the world total",
                    "query": sec["rank_query"]})
        change = sec.get("change")
        if change:
            pct = "n/a" if change["change_pct"] is None else f"{change['change_pct']:+.1f}%"
            out.append({"text": f"{'Exports' if role == 'exporter' else 'Imports'} {change['from']} -> {change['to']}: "
                                f"{change['tiv_from']:,.0f} -> {change['tiv_to']:,.0f} TIV m ({pct})",
                        "query": change["query"]})
    return out


def to_html(sheet: dict[str, Any]) -> str:
    """A standalone HTML page (inline CSS and SVG, nothing loaded from elsewhere)."""
    e = escape
    body = [f"<h1>Arms transfers: {e(sheet['country'])}, {e(sheet['period'])}</h1>",
            (f'<p class="release">Data: {e(sheet["source"])}, SIPRI release {e(sheet["release"])} '
            f'(generated {e(str(sheet["generated"]))}). Convention: {e(sheet["convention"])}.</p>'),
            "<h2>Figures</h2><ul>"]
    body += [f"<li>{e(f['text'])}<br><code>{e(f['query'])}</code></li>" for f in figures(sheet)]
    body.append("</ul>")
    body.append(f'<div class="chart">{sheet["charts"]["series"]}</div>')
    for role, sec in sheet["roles"].items():
        if not sec["partners"]:
            continue
        part = sec["partners"]
        title = "Recipients of exports" if role == "exporter" else "Suppliers of imports"
        body.append(f"<h2>{title}, {e(sheet['period'])}</h2>")
        body.append(f'<div class="chart">{sheet["charts"][f"{role}_partners"]}</div>')
        body.append('<table class="partners"><thead><tr><th>Rank</th><th>Partner</th><th>TIV m</th><th>Share</th>'
                    "</tr></thead><tbody>")
        body += [f"<tr><td>{r['rank'] or '-'}</td><td>{e(r['partner'])}</td><td>{r['tiv']:,.0f}</td>"
                 f"<td>{_pct(r['share'])}</td></tr>" for r in part["rows"]]
        body.append(f"</tbody></table><p><code>{e(part['query'])}</code></p>")
    for role, cat in (sheet.get("categories") or {}).items():
        if not cat or not cat["rows"]:
            continue
        body.append(f"<h2>Weapon categories, {'exports' if role == 'exporter' else 'imports'} {e(sheet['period'])}</h2>"
                    f'<p class="release">{e(cat["source"])}, release {e(cat["release"])}</p>'
                    '<table class="categories"><thead><tr><th>Category</th><th>TIV m</th><th>Share</th></tr></thead><tbody>')
        body += [f"<tr><td>{e(r['category'])}</td><td>{r['tiv']:,.0f}</td><td>{_pct(r['share'])}</td></tr>"
                 for r in cat["rows"][:PARTNERS_SHOWN]]
        body.append(f"</tbody></table><p><code>{e(cat['query'])}</code></p>")
    style = ("body{font-family:sans-serif;max-width:760px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}"
             "code{font-size:11px;color:#555}.release{color:#555}")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(sheet['country'])} arms transfers "
            f"{e(sheet['period'])}</title><style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def to_markdown(sheet: dict[str, Any]) -> str:
    lines = [f"# Arms transfers: {sheet['country']}, {sheet['period']}", "",
             (f"Data: {sheet['source']}, SIPRI release {sheet['release']} (generated {sheet['generated']}). "
             f"Convention: {sheet['convention']}."), "", "## Figures", ""]
    for fig in figures(sheet):
        lines += [f"- {fig['text']}  ", f"  `{fig['query']}`"]
    for role, sec in sheet["roles"].items():
        if not sec["partners"]:
            continue
        lines += ["", (f"## {'Recipients of exports' if role == 'exporter' else 'Suppliers of imports'}, "
                      f"{sheet['period']}"), "", "| rank | partner | TIV m | share |", "|---|---|---|---|"]
        lines += [f"| {r['rank'] or '-'} | {r['partner']} | {r['tiv']:,.0f} | {_pct(r['share'])} |"
                  for r in sec["partners"]["rows"]]
        lines += ["", f"`{sec['partners']['query']}`"]
    for role, cat in (sheet.get("categories") or {}).items():
        if not cat or not cat["rows"]:
            continue
        lines += ["", (f"## Weapon categories, {'exports' if role == 'exporter' else 'imports'} {sheet['period']} "
                      f"({cat['source']}, release {cat['release']})"), "", "| category | TIV m | share |", "|---|---|---|"]
        lines += [f"| {r['category']} | {r['tiv']:,.0f} | {_pct(r['share'])} |" for r in cat["rows"][:PARTNERS_SHOWN]]
        lines += ["", f"`{cat['query']}`"]
    return "\n".join(lines) + "\n"
