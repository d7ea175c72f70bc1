"""Coverage queries and their one rendering: counts per state of each answer, for published agencies.

`render_state_chart` is the one place that draws the per-state picture (a server-rendered SVG of
stacked bars); a map can replace it there without touching the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tiewatch.core.maps.render import MapFigure, count_map
from tiewatch.core.urls import safe_href
from tiewatch.desk.models import Coverage
from tiewatch.desk.models.coverage import FOUND, NOT_RESEARCHED, NOTHING_FOUND, STATE_LABELS
from tiewatch.desk.questions import Question, questions
from tiewatch.registry.models import Entity

AGENCY_KINDS = ("police_agency", "sheriff", "state_police")
ANSWERS = (FOUND, NOTHING_FOUND, NOT_RESEARCHED)
NO_STATE = "—"
_STATE = re.compile(r"/state:([a-z]{2})(?:/|$)")


def state_of(jurisdiction_id: str | None) -> str:
    """The US state code of an OCD division id, upper-case; NO_STATE when it names none."""
    match = _STATE.search(jurisdiction_id or "")
    return match.group(1).upper() if match else NO_STATE


def public_agencies() -> QuerySet[Entity]:
    return Entity.objects.filter(published=True, kind__in=AGENCY_KINDS)


def public_coverage(question: str | None = None) -> QuerySet[Coverage]:
    """Coverage the public may read: of published agencies only."""
    qs = Coverage.objects.filter(agency__published=True, agency__kind__in=AGENCY_KINDS)
    return qs.filter(question=question) if question else qs


@dataclass
class StateRow:
    state: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ANSWERS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def researched(self) -> int:
        return self.counts[FOUND] + self.counts[NOTHING_FOUND]


@dataclass
class Summary:
    question: Question
    totals: dict[str, int]
    states: list[StateRow]

    @property
    def agencies(self) -> int:
        return sum(self.totals.values())


def summary(question: Question) -> Summary:
    """Counts per answer, overall and per state, in three grouped queries (no row per agency)."""
    rows: dict[str, StateRow] = {}
    for item in public_agencies().values("jurisdiction_id").annotate(n=Count("id")):
        row = rows.setdefault(state_of(item["jurisdiction_id"]), StateRow(state_of(item["jurisdiction_id"])))
        row.counts[NOT_RESEARCHED] += item["n"]
    grouped = public_coverage(question.slug).values("agency__jurisdiction_id", "state").annotate(n=Count("id"))
    for answer in grouped:
        row = rows[state_of(answer["agency__jurisdiction_id"])]
        row.counts[answer["state"]] += answer["n"]
        row.counts[NOT_RESEARCHED] -= answer["n"]
    states = sorted(rows.values(), key=lambda r: (r.state == NO_STATE, r.state))
    totals = {answer: sum(r.counts[answer] for r in states) for answer in ANSWERS}
    return Summary(question, totals, states)


_COLOURS = {FOUND: "#b5442b", NOTHING_FOUND: "#3f7d4e", NOT_RESEARCHED: "#d8d8d8"}
_BAR_WIDTH, _ROW_HEIGHT, _LABEL_WIDTH = 360, 18, 40


def render_state_chart(rows: list[StateRow]) -> SafeString:
    """Each state's agencies as one bar split by answer (found, nothing found, not yet researched)."""
    height = max(len(rows), 1) * _ROW_HEIGHT
    bars: list[SafeString] = []
    for index, row in enumerate(rows):
        y, x = index * _ROW_HEIGHT, float(_LABEL_WIDTH)
        parts = [format_html('<text x="0" y="{}" font-size="12">{}</text>', y + 13, row.state)]
        for answer in ANSWERS:
            width = _BAR_WIDTH * row.counts[answer] / row.total if row.total else 0.0
            if width:
                parts.append(format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {}</title></rect>',
                    f"{x:.1f}", y + 2, f"{width:.1f}", _ROW_HEIGHT - 4, _COLOURS[answer], row.state,
                    row.counts[answer], STATE_LABELS[answer]))
            x += width
        bars.append(format_html_join("", "{}", ((p,) for p in parts)))
    return format_html(
        '<svg class="coverage-chart" role="img" aria-label="Coverage per state" width="{}" height="{}" '
        'viewBox="0 0 {} {}">{}</svg>', _LABEL_WIDTH + _BAR_WIDTH, height, _LABEL_WIDTH + _BAR_WIDTH, height,
        format_html_join("", "{}", ((b,) for b in bars)))


def researched_map(rows: list[StateRow], page: str) -> MapFigure:
    """How many of each state's agencies have been researched (found or nothing found), on the US map."""
    # The map's areas are keyed by lower-case postal code.
    return count_map("Agencies researched, by state", {row.state.lower(): row.researched for row in rows},
                     unit="agencies researched", hrefs={row.state.lower(): f"{page}#state-{row.state.lower()}" for row in rows})


def consulted_links(lines: list[str]) -> list[dict[str, str | None]]:
    """Sources consulted, each with its link when it is an http(s) URL (tiewatch.core.urls)."""
    return [{"text": line, "href": safe_href(line)} for line in lines]


def agency_answers(agency: Entity) -> list[dict[str, Any]]:
    """Every question with this agency's coverage record, or None (not yet researched)."""
    records = {c.question: c for c in Coverage.objects.filter(agency=agency)
               .prefetch_related("ties", "sources")}
    return [{"question": q, "record": records.get(q.slug)} for q in questions()]


EXPORT_COLUMNS = ["agency", "agency_name", "state", "question", "answer", "researched_on", "method",
                  "consulted", "ties", "sources", "credit"]


def coverage_dict(record: Coverage) -> dict[str, Any]:
    """One public coverage record: published ties and sources only, the credit, never the researcher."""
    return {
        "agency": record.agency_id, "agency_name": record.agency.name,
        "state": state_of(record.agency.jurisdiction_id), "question": record.question,
        "answer": record.state, "researched_on": record.researched_on.isoformat(), "method": record.method,
        "consulted": list(record.consulted),
        "ties": sorted(t.pk for t in record.ties.all() if t.published),
        "sources": sorted(s.url for s in record.sources.all() if s.published),
        "credit": record.credit or "anonymous",
    }


def export_records(question: str | None = None) -> list[dict[str, Any]]:
    qs = public_coverage(question).select_related("agency").prefetch_related("ties", "sources")
    return [coverage_dict(record) for record in qs.order_by("question", "agency_id")]
