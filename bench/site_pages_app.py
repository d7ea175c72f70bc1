"""The WSGI app bench/site_pages.py serves through gunicorn: the site itself, or, with
SITE_PAGES_BASELINE=1, the same site with its facets, chart, maps and tie-count summaries replaced by
empty ones (the baseline: the same pages without them)."""

from __future__ import annotations

import os
from typing import Any

from config.wsgi import application

if os.environ.get("SITE_PAGES_BASELINE") == "1":
    from tiewatch.core.maps.chart import stacked_bars
    from tiewatch.registry import atlas, facets, queries

    empty = atlas.Overview(stacked_bars("Ties by year, by kind", [], []), [], [], {})
    atlas.registry_overview_html = lambda drafts, by_county=False: ""  # type: ignore[assignment]
    atlas.overview = lambda qs, by_county=True: empty  # type: ignore[assignment]
    facets.cached_tie_counts = lambda drafts: {}  # type: ignore[assignment]
    facets.tie_counts = lambda qs, drafts: {}  # type: ignore[assignment]
    facets.entity_facets = lambda qs, selected, link: []  # type: ignore[assignment]

    def _no_summaries(entity: Any, role: str, qs: Any, drafts: bool, version: Any) -> Any:
        return [], qs.filter(dataset="")

    def _no_counts(entity: Any, role: str, qs: Any, drafts: bool, version: Any, large: bool = False) -> Any:
        # No table by kind and year: only a capped count, which decides how the role's newest ties are found.
        n, _ = queries.capped_count(qs, queries.CACHED_COUNTS_FROM)
        return queries.kind_year_table([("equipment_transfer", None, n)] if n else [])

    queries.dataset_summaries = _no_summaries  # type: ignore[assignment]
    queries.role_counts = _no_counts  # type: ignore[assignment]

__all__ = ["application"]
