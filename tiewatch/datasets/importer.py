"""`tiewatch datasets import NAME --path DIR`: read every file of a dataset, validate it all, then
write it in one transaction.

Memory stays bounded by one batch whatever the dataset's size: the first pass reads and checks
every row (refusals with file:line and why, counts per file and sheet, the entities rows name,
each row's tie id) and spools the mapped rows, compactly (marshal), to a temporary file; then
incoming entities are resolved against the registry; the second pass reads the spool back and
writes ties in batches inside the one transaction. What is written is exactly what was checked,
and the files are parsed once.

A first load on PostgreSQL (none of the dataset's ties stored) writes while it reads instead
(firstload.py); it falls back to the two passes when a later release supersedes rows it wrote.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from tiewatch.datasets.copystream import copy_stream, unique_constraints_rebuilt
from tiewatch.datasets.firstload import Superseded, load_first, streams
from tiewatch.datasets.models import record_run
from tiewatch.datasets.report import DatasetReport
from tiewatch.datasets.resolve import (
    DEFAULT_QUEUE,
    DEFAULT_RESOLVER,
    QueuePairs,
    Resolved,
    Resolver,
    count_resolved,
    resolve_entities,
)
from tiewatch.datasets.rows import DatasetAdapter
from tiewatch.datasets.spec import DatasetFolder, get_dataset
from tiewatch.datasets.survey import Progress, Survey, no_progress, refuse_if_bad, sha256_of, survey_files
from tiewatch.datasets.writer import (
    BULK_TABLES,
    TieItem,
    TieWriter,
    ensure_fixed,
    tie_items,
    write_entity_side,
)
from tiewatch.registry.importers.writer import bulk_load, chunks
from tiewatch.registry.models import Entity

__all__ = ["import_dataset", "sha256_of"]


def resolve(survey: Survey, resolver: Resolver, actor: str) -> Resolved:
    stored: set[str] = set()
    for part in chunks(list(survey.incoming), 2000):
        stored.update(Entity.objects.filter(pk__in=part).values_list("pk", flat=True))
    resolved = resolve_entities(list(survey.incoming.values()), stored, resolver, actor)
    count_resolved(survey.report, resolved)
    return resolved


def _items(survey: Survey, resolved: Resolved) -> Iterator[list[TieItem]]:
    """The second pass: the spooled rows in batches, their entities resolved; of a row held by two
    releases, only the later release's."""
    winners = survey.winners
    for batch in survey.spool.batches():
        yield tie_items((row for row in batch if winners[row[0]][1] == row[1]
                         and winners[row[0]][0].toordinal() == row[2]), resolved.ids)


def _write(adapter: DatasetAdapter, survey: Survey, resolved: Resolved, actor: str, progress: Progress,
           queue_pairs: QueuePairs | None, dry_run: bool) -> TieWriter:
    writer = TieWriter(adapter.name, actor, dry_run=dry_run)
    if not dry_run:
        ensure_fixed(adapter.fixed_entities(), actor)
        write_entity_side(survey, resolved, actor, queue_pairs)
    total = len(survey.winners)
    # New ties go to PostgreSQL from a writer thread (copystream.py) on a first load; a re-import
    # compares each batch with what is stored, in this thread.
    streamed = connection.vendor == "postgresql" and not dry_run and not writer.any_stored
    new_rows = 0 if dry_run else total
    with ExitStack() as stack:
        stack.enter_context(bulk_load(BULK_TABLES, new_rows))
        stack.enter_context(unique_constraints_rebuilt(BULK_TABLES, new_rows))
        writer.stream = stack.enter_context(copy_stream()) if streamed else None
        for batch in _items(survey, resolved):
            writer.write(batch)
            progress("write", len(batch), total)
    writer.stream = None
    return writer


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the import: its full passes over the hundreds of
    thousands of objects the survey keeps (tie ids, winners, the registry's index) took a quarter
    of the import's Python time. The import makes no reference cycles that must be freed before it
    ends; the collector is restored (as it was) afterwards, whatever happens."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_dataset(name: str, path: Path | str, *, allow_errors: int = 0, actor: str = "datasets",
                   progress: Progress | None = None, dry_run: bool = False, resolver: Resolver | None = None,
                   queue_pairs: QueuePairs | None = DEFAULT_QUEUE, stream: bool = True) -> DatasetReport:
    """Import every file of dataset `name` under `path`. Raises ValidationFailed (nothing written) when
    a file cannot be read or more than `allow_errors` rows are refused; else writes the good rows.
    `stream=False` keeps a first load on PostgreSQL to the two passes (firstload.py writes while it reads)."""
    started, clock = timezone.now(), time.perf_counter()
    folder = get_dataset(name)
    adapter: DatasetAdapter = folder.adapter()
    report_progress = progress or no_progress
    with _collector_paused():
        if stream and streams(adapter.name, dry_run):
            try:
                return load_first(folder, Path(path), allow_errors=allow_errors, actor=actor,
                                  progress=report_progress, resolver=resolver, queue_pairs=queue_pairs,
                                  started=started)
            except Superseded:
                pass  # rolled back: read the files again, in two passes (firstload.py)
        survey = survey_files(adapter, Path(path), report_progress)
        survey.report.stages["check"] = time.perf_counter() - clock
        try:
            return _import(folder, adapter, survey, allow_errors, actor, report_progress, dry_run, resolver,
                           queue_pairs, started, clock)
        finally:
            survey.spool.close()


def _import(folder: DatasetFolder, adapter: DatasetAdapter, survey: Survey, allow_errors: int, actor: str,
            report_progress: Progress, dry_run: bool, resolver: Resolver | None, queue_pairs: QueuePairs | None,
            started: dt.datetime, clock: float) -> DatasetReport:
    report = survey.report
    report.dry_run = dry_run
    refuse_if_bad(folder, survey, allow_errors)
    with transaction.atomic():
        mark = time.perf_counter()
        resolved = resolve(survey, resolver or DEFAULT_RESOLVER, actor)
        report_progress("resolve", len(survey.incoming), len(survey.incoming))
        report.stages["resolve"], mark = time.perf_counter() - mark, time.perf_counter()
        writer = _write(adapter, survey, resolved, actor, report_progress, queue_pairs, dry_run)
        report.ties = writer.counts
        report.stages["write"] = time.perf_counter() - mark
        report.seconds = time.perf_counter() - clock
        if dry_run:
            transaction.set_rollback(True)
        else:
            record_run(report, started, actor)
    return report


