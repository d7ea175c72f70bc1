"""A screened list written out: CSV (one line per row and candidate, spreadsheet-safe), JSON (the
report as `screen.screen_rows` made it) or one self-contained HTML page (inline style, no script,
every value escaped, links to sources only when they are http(s) URLs)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.template.loader import render_to_string

from tiewatch.core import csvsafe
from tiewatch.core.urls import safe_href
from tiewatch.policies.listscreen.conf import FORMATS

__all__ = ["FORMATS", "render", "to_csv", "to_html"]
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                 "html": "text/html; charset=utf-8"}
CSV_COLUMNS = ["line", "id", "name", "state", "country", "kind", "jurisdiction", "status", "rank", "entity_id",
               "entity_name", "entity_kind", "score", "band", "why", "ties", "tie_ids", "findings", "finding_rules"]


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False)
    if fmt == "csv":
        return to_csv(report)
    return to_html(report)


def to_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(CSV_COLUMNS)
    for result in report["results"]:
        query = result["query"]
        head = [result["line"], result["id"], query["name"], query["state"], query["country"], query["kind"],
                query["jurisdiction"], result["status"]]
        if not result["candidates"]:
            writer.writerow([*head, *[""] * (len(CSV_COLUMNS) - len(head))])
        for rank, c in enumerate(result["candidates"], 1):
            why = "; ".join(f"{f['name']} {f['weight']:+.2f}: {f['detail']}" for f in c["features"])
            rules = sorted({f"{f['policy']}/{f['rule']} ({f['effect']})" for f in c["findings"]})
            writer.writerow([*head, rank, c["id"], c["name"], c["kind"], f"{c['score']:.3f}", c["band"], why,
                             c["ties_total"], " | ".join(t["id"] for t in c["ties"]), len(c["findings"]),
                             " | ".join(rules)])
    return out.getvalue()


def to_html(report: dict[str, Any]) -> str:
    results = [{**r, "candidates": [{**c, "findings": [_finding_view(f) for f in c["findings"]]}
                                    for c in r["candidates"]]} for r in report["results"]]
    return render_to_string("policies/listscreen_report.html", {"report": report, "results": results})


def _finding_view(finding: dict[str, Any]) -> dict[str, Any]:
    sources = [s.get("url") if isinstance(s, dict) else s for s in finding.get("sources") or []]
    return {**finding, "sources": [{"url": safe_href(s), "text": str(s)} for s in sources],
            "tie_sources": [{"url": safe_href(s), "text": str(s)} for s in finding.get("tie_sources") or []]}
