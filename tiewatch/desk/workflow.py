"""The task queue's transitions, each in one transaction with the task row locked:
open -> claimed (a contributor) -> submitted (a finding) -> accepted (an editor), or back to
claimed when the editor rejects the finding with a note."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tiewatch.core.errors import Problem, TiewatchError, ValidationFailed
from tiewatch.desk.models import Coverage, Finding, Task, TaskList
from tiewatch.desk.models.coverage import FOUND, NOTHING_FOUND
from tiewatch.desk.models.tasks import (
    ACCEPTED,
    CLAIMED,
    FINDING_ACCEPTED,
    FINDING_SUBMITTED,
    OPEN,
    REJECTED,
    SUBMITTED,
    TASK_STATES,
)
from tiewatch.registry.audit import record_change, snapshot
from tiewatch.registry.models import Source, Tie, TieCounterpart


class Conflict(TiewatchError):
    code = "conflict"
    status = 409


def progress(task_list: TaskList) -> dict[str, int]:
    counts = dict.fromkeys(TASK_STATES, 0)
    for row in task_list.tasks.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def claim(task_id: int, user: Any) -> Task:
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task_id)
        if task.state != OPEN:
            raise Conflict("This task has already been claimed.")
        task.state, task.claimed_by, task.claimed_at = CLAIMED, user, timezone.now()
        task.save(update_fields=["state", "claimed_by", "claimed_at"])
    return task


def submit(task_id: int, user: Any, values: dict[str, Any]) -> Finding:
    """A finding for a task the user claimed; `values` are a checked FindingForm's cleaned data."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task_id)
        if task.claimed_by_id != user.pk or task.state != CLAIMED:
            raise Conflict("Only the contributor who claimed this task can submit a finding, once per review.")
        finding = Finding.objects.create(task=task, contributor=user, state=FINDING_SUBMITTED, **values)
        task.state = SUBMITTED
        task.save(update_fields=["state"])
    return finding


def reject(finding_id: int, editor: Any, note: str) -> Finding:
    if not note.strip():
        raise ValidationFailed("A rejection needs a note.", [Problem("say what is missing", field="note")])
    with transaction.atomic():
        finding = _locked_submitted(finding_id)
        finding.state, finding.review_note = REJECTED, note.strip()
        finding.reviewed_by, finding.reviewed_at = editor, timezone.now()
        finding.save(update_fields=["state", "review_note", "reviewed_by", "reviewed_at"])
        Task.objects.filter(pk=finding.task_id).update(state=CLAIMED)
    return finding


def credit_of(finding: Finding) -> str:
    if finding.anonymous:
        return ""
    contributor = getattr(finding.contributor, "contributor", None)
    return contributor.display_name if contributor is not None else ""


def accept(finding_id: int, editor: Any, note: str = "") -> Finding:
    """Publish the finding: its sources, a tie when something was found, and the coverage record."""
    with transaction.atomic():
        finding = _locked_submitted(finding_id)
        task = finding.task
        sources = [_published_source(s, editor) for s in finding.sources]
        credit = credit_of(finding)
        tie = _publish_tie(finding, sources, credit, editor) if finding.found else None
        coverage, _ = Coverage.objects.update_or_create(
            agency=task.agency, question=task.question,
            defaults={"state": FOUND if finding.found else NOTHING_FOUND,
                      "researched_on": finding.created_at.date(), "method": finding.method,
                      "consulted": [s.url for s in sources], "researcher": finding.contributor,
                      "credit": credit, "note": finding.summary})
        coverage.sources.add(*sources)
        if tie is not None:
            coverage.ties.add(tie)
        finding.state, finding.review_note, finding.tie = FINDING_ACCEPTED, note.strip(), tie
        finding.reviewed_by, finding.reviewed_at = editor, timezone.now()
        finding.save(update_fields=["state", "review_note", "tie", "reviewed_by", "reviewed_at"])
        Task.objects.filter(pk=task.pk).update(state=ACCEPTED)
    return finding


def _locked_submitted(finding_id: int) -> Finding:
    finding = Finding.objects.select_for_update().select_related("task__agency", "contributor").get(pk=finding_id)
    if finding.state != FINDING_SUBMITTED:
        raise Conflict(f"This finding was already {finding.state}.")
    return finding


def _published_source(entry: dict[str, str], editor: Any) -> Source:
    url = entry["url"]
    source = Source.objects.filter(url=url).first()
    if source is None:
        source = Source.objects.create(id="desk-" + hashlib.sha256(url.encode()).hexdigest()[:20], url=url,
                                       title=entry.get("title", "")[:500], accessed_on=dt.date.today())
        record_change("source", source.pk, "create", None, snapshot(source), user=editor)
    elif not source.published:
        before = snapshot(source)
        source.published = True
        source.save(update_fields=["published"])
        record_change("source", source.pk, "update", before, snapshot(source), user=editor)
    return source


def _publish_tie(finding: Finding, sources: list[Source], credit: str, editor: Any) -> Tie:
    agency, counterpart = finding.task.agency, finding.counterpart
    year = finding.year
    tie = Tie(id=f"{agency.pk}--desk-{finding.pk}"[:250], subject=agency, kind=finding.tie_kind or "partnership",
              start_date=dt.date(year, 1, 1) if year else None, start_precision="year",
              end_precision="year", years=[year] if year else [], note=finding.summary,
              attributes={"researched_by": credit or "anonymous contributor"},
              counterpart_countries=counterpart.country if counterpart and counterpart.published else "")
    tie.refresh_denormalised()
    tie.save()
    if counterpart is not None:
        TieCounterpart.objects.create(tie=tie, entity=counterpart, position=0)
    tie.sources.set(sources)
    record_change("tie", tie.pk, "create", None, snapshot(tie), user=editor)
    return tie
