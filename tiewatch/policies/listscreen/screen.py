"""Screen checked list rows: the engine's best matches for each, then, for the likely ones (bands
"auto" and "review"), what the registry holds on them: their ties and the current policy findings.

Ties follow the visibility rule (the public sees published ties, staff everything); findings are the
ones the last screening run stored (`tiewatch screen`), which rest on public records only. A weak
candidate is listed with its score and reasons but nothing is gathered on it: it is probably not the
body the row names, and a report should not pin another body's ties on a vendor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tiewatch.policies.listscreen.reader import ListRow
from tiewatch.policies.models import Finding, ScreeningRun
from tiewatch.registry import visibility
from tiewatch.registry.models import Tie, TieCounterpart
from tiewatch.resolution.engine import Candidate
from tiewatch.resolution.matching import candidate_dict, match, published_ids, query_dict

TIES_SHOWN = 20  # per entity; the total is always given
CHUNK = 900  # SQLite's bound-parameter limit
STATUSES = ("match", "review", "weak", "none")


def screen_rows(rows: Sequence[ListRow], limit: int = 3, drafts: bool = False,
                source: str = "") -> dict[str, Any]:
    """The whole report as plain data (what `--format json` prints)."""
    found = match([row.query for row in rows], limit=limit, drafts=drafts)
    likely = {c.record.id for candidates in found for c in candidates if c.band != "weak"}
    ties = ties_of(likely, drafts)
    findings = findings_of(likely, drafts)
    results = [_row_result(row, candidates, ties, findings) for row, candidates in zip(rows, found)]
    counts = dict.fromkeys(STATUSES, 0)
    for result in results:
        counts[result["status"]] += 1
    run = ScreeningRun.objects.filter(finished_at__isnull=False).order_by("-started_at", "-id").first()
    return {
        "list": source, "generated_at": timezone.now().isoformat(timespec="seconds"), "rows": len(rows),
        "limit": limit, "summary": counts,
        "with_findings": sum(1 for r in results if any(c["findings"] for c in r["candidates"])),
        "screening_run": {"id": run.pk, "finished_at": run.finished_at.isoformat(timespec="seconds")
                          if run.finished_at else None} if run else None,
        "results": results,
    }


def _row_result(row: ListRow, candidates: list[Candidate], ties: dict[str, list[dict[str, Any]]],
                findings: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out = []
    for candidate in candidates:
        item = candidate_dict(candidate)
        entity_ties = ties.get(candidate.record.id, []) if candidate.band != "weak" else []
        item["ties_total"] = len(entity_ties)
        item["ties"] = entity_ties[:TIES_SHOWN]
        item["findings"] = findings.get(candidate.record.id, []) if candidate.band != "weak" else []
        out.append(item)
    best = candidates[0].band if candidates else ""
    status = {"auto": "match", "review": "review", "weak": "weak"}.get(best, "none")
    return {"line": row.line, "id": row.row_id, "note": row.note, "query": query_dict(row.query),
            "status": status, "candidates": out}


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        yield wanted[start:start + CHUNK]


def ties_of(entity_ids: set[str], drafts: bool) -> dict[str, list[dict[str, Any]]]:
    """Each entity's ties (as subject, counterpart or program) that the reader may see, newest first."""
    tie_ids: set[str] = set()
    for chunk in _chunks(entity_ids):
        tie_ids.update(visibility.ties(drafts).filter(Q(subject_id__in=chunk) | Q(program_id__in=chunk))
                       .values_list("id", flat=True))
        tie_ids.update(TieCounterpart.objects.filter(entity_id__in=chunk).values_list("tie_id", flat=True))
    rows: list[tuple[Any, ...]] = []
    counterparts: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(tie_ids):
        rows.extend(visibility.ties(drafts).filter(id__in=chunk).values_list(
            "id", "kind", "subject_id", "program_id", "start_date", "end_date", "status", "dataset"))
        for tie_id, entity_id in TieCounterpart.objects.filter(tie_id__in=chunk).order_by(
                "tie_id", "position").values_list("tie_id", "entity_id"):
            counterparts[tie_id].append(entity_id)
    shown = _shown_entities(rows, counterparts, drafts)
    by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tie_id, kind, subject, program, start, end, status, dataset in sorted(
            rows, key=lambda r: (r[4] or dt.date.min, r[0]), reverse=True):
        tie = {"id": tie_id, "kind": kind, "subject": subject,
               "counterparts": [c for c in counterparts[tie_id] if c in shown],
               "program": program if program in shown else None,
               "start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
               "status": status, "dataset": dataset}
        for entity_id in {subject, program, *tie["counterparts"]} & entity_ids:
            by_entity[entity_id].append(tie)
    return by_entity


def _shown_entities(rows: list[tuple[Any, ...]], counterparts: dict[str, list[str]], drafts: bool) -> set[str]:
    named = {r[2] for r in rows} | {r[3] for r in rows if r[3]} | {c for cs in counterparts.values() for c in cs}
    return named if drafts else published_ids(named)


def findings_of(entity_ids: set[str], drafts: bool) -> dict[str, list[dict[str, Any]]]:
    """Current findings naming each entity as a tie's subject or counterpart; each carries the sources
    of its tie (`tie_sources`, the evidence the finding rests on) beside the law's own `sources`."""
    by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    items: list[dict[str, Any]] = []
    seen: set[int] = set()
    for chunk in _chunks(entity_ids):
        current = Finding.objects.filter(disappeared_run__isnull=True).filter(
            Q(subject_id__in=chunk) | Q(counterpart_id__in=chunk))
        for finding in current:
            if finding.pk in seen:
                continue
            seen.add(finding.pk)
            item = {"policy": finding.policy_id, "rule": finding.rule_id, "effect": finding.effect,
                    "clause": finding.clause, "tie": finding.tie_id, "subject": finding.subject_id,
                    "counterpart": finding.counterpart_id, "binding": finding.binding,
                    "reasons": finding.reasons, "evidence": finding.evidence, "sources": finding.sources}
            items.append(item)
            for entity_id in {finding.subject_id, finding.counterpart_id} & entity_ids:
                by_entity[entity_id].append(item)
    sources = tie_source_urls({item["tie"] for item in items}, drafts)
    for item in items:
        item["tie_sources"] = sources.get(item["tie"], [])
    return by_entity


def tie_source_urls(tie_ids: set[str], drafts: bool) -> dict[str, list[str]]:
    cited = Tie.sources.through.objects.all()
    if not drafts:
        cited = cited.filter(source__published=True)
    out: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(tie_ids):
        for tie_id, url in cited.filter(tie_id__in=chunk).order_by("tie_id", "source__url").values_list(
                "tie_id", "source__url"):
            out[tie_id].append(url)
    return out
