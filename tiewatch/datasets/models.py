"""The record of every dataset import: what was read, by whom, and what it changed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:  # the report module imports the writer, which imports this one
    from tiewatch.datasets.report import DatasetReport


class ImportRun(models.Model):
    dataset = models.CharField(max_length=40, db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True)
    # [{"file": path, "sha256": ..., "rows": n, "sheets": {...}}] for every file read.
    files = models.JSONField(default=list)
    # The report's counts: ties created/updated/unchanged, entities linked/created/queued, refused.
    counts = models.JSONField(default=dict)
    rows = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    # The release date of the newest file read (the data's "as of"), when the files say it.
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.dataset} import at {self.started_at:%Y-%m-%d %H:%M} by {self.actor or 'unknown'}"


def record_run(report: DatasetReport, started: dt.datetime, actor: str) -> ImportRun:
    summary = report.as_dict()
    return ImportRun.objects.create(
        dataset=report.dataset, started_at=started, finished_at=timezone.now(), actor=actor,
        files=summary["files"], counts={"ties": summary["ties"], "entities": summary["entities"],
                                        "releases": summary["releases"], "refused": len(report.refused)},
        rows=report.rows, refused=len(report.refused), as_of=report.as_of)
