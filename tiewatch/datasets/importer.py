"""`tiewatch datasets import NAME --path DIR`: read every file of a dataset, validate it all, then
write it in one transaction.

Memory stays bounded by one batch whatever the dataset's size: the first pass reads and checks
every row (refusals with file:line and why, counts per file and sheet, the entities rows name,
each row's tie id) and spools the mapped rows, compactly (marshal), to a temporary file; then
incoming entities are resolved against the registry; the second pass reads the spool back and
writes ties in batches inside the one transaction. What is written is exactly what was checked,
and the files are parsed once.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import marshal
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.core.inputs import InputError
from tiewatch.datasets.copystream import copy_stream, unique_constraints_rebuilt
from tiewatch.datasets.models import ImportRun
from tiewatch.datasets.report import DatasetReport, FileReport
from tiewatch.datasets.resolve import DEFAULT_QUEUE, DEFAULT_RESOLVER, Query, QueuePairs, Resolver
from tiewatch.datasets.rows import DatasetAdapter, DatasetRow, IncomingEntity, Notice, SourceSpec
from tiewatch.datasets.spec import DatasetFolder, get_dataset
from tiewatch.datasets.writer import (
    TieItem,
    TieWriter,
    add_entity_sources,
    ensure_fixed,
    write_entities,
    write_sources,
)
from tiewatch.registry.importers.writer import bulk_load, chunks
from tiewatch.registry.models import ChangeRecord, Entity, Tie, TieCounterpart

BATCH = 5000
# progress(stage, advance, total): "read" advances by bytes of the files, "resolve" by entities, "write" by rows.
Progress = Callable[[str, int, int | None], None]


def _no_progress(stage: str, advance: int, total: int | None) -> None:
    return None


class TieIds:
    """Stable tie ids: a hash of the fields that identify a row, plus the row's occurrence index among
    identical rows of the same release (a file may list one item twice, and both are kept)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.seen: dict[str, int] = {}  # release name + digest (of a fixed length) -> rows met

    def next(self, row: DatasetRow) -> str:
        digest = hashlib.blake2b("\x1f".join(row.key).encode(), digest_size=10).hexdigest()
        seen = row.group + digest
        occurrence = self.seen.get(seen, 0)
        self.seen[seen] = occurrence + 1
        return f"{self.prefix}-{digest}" if occurrence == 0 else f"{self.prefix}-{digest}-{occurrence}"


@dataclass
class Survey:
    """What the first pass learnt."""

    report: DatasetReport
    files: list[Path]
    incoming: dict[str, IncomingEntity] = field(default_factory=dict)
    sources: dict[str, SourceSpec] = field(default_factory=dict)
    sources_of: dict[str, set[str]] = field(default_factory=dict)  # entity id -> source ids citing it
    winners: dict[str, tuple[dt.date, str]] = field(default_factory=dict)  # tie id -> (as_of, release)
    problems: list[Problem] = field(default_factory=list)  # file-level: nothing can be imported
    spool: Spool = field(default_factory=lambda: Spool())


class Spool:
    """The mapped rows between the two passes, in marshalled batches on a temporary file. Attributes
    are kept as JSON text, encoded once here: the tie and its audit record are written around it."""

    def __init__(self) -> None:
        # Open across both passes; import_dataset closes it (and the system deletes it) when done.
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="tiewatch-dataset-")  # noqa: SIM115
        self.batch: list[tuple[Any, ...]] = []
        self.rows = 0

    def add(self, tie_id: str, row: DatasetRow) -> None:
        subject, counterparts = row.subject, row.counterparts
        self.batch.append((tie_id, row.group, (row.as_of or dt.date.min).toordinal(),
                           subject if isinstance(subject, str) else subject.id,
                           tuple(map(_ref, counterparts)), row.program, row.kind,
                           row.date.toordinal() if row.date else None, row.status,
                           orjson.dumps(row.attributes).decode(), row.source.id, row.date_precision))
        self.rows += 1
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            data = marshal.dumps(self.batch)
            self.file.write(struct.pack("<Q", len(data)) + data)
            self.batch = []

    def batches(self) -> Iterator[list[tuple[Any, ...]]]:
        self.flush()
        self.file.seek(0)
        while size := self.file.read(8):
            yield marshal.loads(self.file.read(struct.unpack("<Q", size)[0]))

    def close(self) -> None:
        self.file.close()


def _ref(party: IncomingEntity | str) -> str:
    return party.id if isinstance(party, IncomingEntity) else party


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _entities_of(row: DatasetRow) -> Iterator[IncomingEntity]:
    for party in (row.subject, *row.counterparts):
        if isinstance(party, IncomingEntity):
            yield party


class _Notes:
    """What the survey notes of each row (releases, sheets, sources, entities, winners), with the
    entity bookkeeping skipped for a row naming the same entity objects and source as the row
    before it (files list an agency's rows together: most rows repeat the previous row's)."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.names: set[tuple[str, str]] = set()
        self.last: tuple[Any, ...] = ()

    def note(self, row: DatasetRow, tie_id: str) -> None:
        survey, report = self.survey, self.survey.report
        sheets = report.releases.get(row.group)
        if sheets is None:
            sheets = report.releases[row.group] = {}
        sheets[row.sheet] = sheets.get(row.sheet, 0) + 1
        last = self.last
        if not last or row.subject is not last[0] or row.counterparts is not last[1] or row.source is not last[2]:
            self.last = (row.subject, row.counterparts, row.source)
            self._entities(row)
        as_of = row.as_of or dt.date.min
        held = survey.winners.get(tie_id)
        if held is None:
            survey.winners[tie_id] = (as_of, row.group)
        else:
            report.superseded += 1
            if as_of > held[0]:
                survey.winners[tie_id] = (as_of, row.group)
        if row.as_of and (report.as_of is None or row.as_of > report.as_of):
            report.as_of = row.as_of

    def _entities(self, row: DatasetRow) -> None:
        survey = self.survey
        survey.sources.setdefault(row.source.id, row.source)
        for entity in _entities_of(row):
            self.names.add((entity.state, entity.written or entity.name))
            survey.incoming.setdefault(entity.id, entity)
            survey.sources_of.setdefault(entity.id, set()).add(row.source.id)


def survey_files(adapter: DatasetAdapter, root: Path, progress: Progress) -> Survey:
    files = adapter.list_files(root)
    survey = Survey(DatasetReport(dataset=adapter.name), files)
    if not files:
        survey.problems.append(Problem(f"no {adapter.name} data files found", file=str(root)))
    total = sum(p.stat().st_size for p in files)
    ids, notes = TieIds(adapter.name), _Notes(survey)
    notices: dict[str, list[str]] = {}  # the same notice from many files is told once
    for path in files:
        entry = FileReport(file=str(path), sha256=sha256_of(path))
        survey.report.files.append(entry)
        try:
            for item in adapter.read(path, str(path)):
                if isinstance(item, Problem):
                    entry.rows += 1
                    entry.refused += 1
                    survey.report.refused.append(item)
                elif isinstance(item, Notice):
                    notices.setdefault(item.message, []).append(item.file)
                else:
                    entry.rows += 1
                    entry.sheets[item.sheet] = entry.sheets.get(item.sheet, 0) + 1
                    tie_id = ids.next(item)
                    notes.note(item, tie_id)
                    survey.spool.add(tie_id, item)
        except InputError as error:
            survey.problems.extend(error.problems)
        progress("read", path.stat().st_size, total)
    survey.report.names, survey.report.proposed = len(notes.names), len(survey.incoming)
    survey.report.notices = [f"{files[0]}: {message}" if len(files) == 1 else
                             f"{message} ({len(files)} files, e.g. {files[0]})" for message, files in notices.items()]
    return survey


def _check_expected(folder: DatasetFolder, report: DatasetReport) -> None:
    """Say where the rows read differ from the counts the folder's metadata expects."""
    counted: dict[str, int] = {"total": report.rows}
    for release, sheets in report.releases.items():
        counted[release] = sum(sheets.values())
        counted.update({f"{release}/{sheet}": n for sheet, n in sheets.items()})
    for key, expected in folder.spec.expected_rows.items():
        if counted.get(key, 0) != expected:
            report.notices.append(f"{key}: {counted.get(key, 0):,} rows read, {expected:,} expected "
                                  "by dataset.yaml (a different release?)")


@dataclass
class Resolved:
    ids: dict[str, str]  # proposed id -> entity id
    created: list[IncomingEntity]
    queued: list[tuple[str, str, Any]]  # (proposed id, entity id, candidate) for review


def resolve(survey: Survey, resolver: Resolver, actor: str) -> Resolved:
    stored: set[str] = set()
    for part in chunks(list(survey.incoming), 2000):
        stored.update(Entity.objects.filter(pk__in=part).values_list("pk", flat=True))
    resolved = Resolved({pid: pid for pid in stored}, [], [])
    items = [(e.id, Query(name=e.name, country=e.country, state=e.state, jurisdiction=e.jurisdiction, kind=e.kind))
             for e in survey.incoming.values() if e.id not in stored]
    for outcome in resolver(items, actor) if items else []:
        resolved.ids[outcome.proposed_id] = outcome.entity_id
        if outcome.outcome == "linked":
            continue
        if outcome.entity_id == outcome.proposed_id:
            resolved.created.append(survey.incoming[outcome.proposed_id])
        candidate = outcome.candidate
        if outcome.outcome == "created_queued" and candidate is not None:
            resolved.queued.append((outcome.proposed_id, candidate.record.id, candidate))
    report = survey.report
    report.created, report.queued = len(resolved.created), len(resolved.queued)
    report.linked = len(resolved.ids) - report.created
    return resolved


def _items(survey: Survey, resolved: Resolved) -> Iterator[list[TieItem]]:
    """The second pass: the spooled rows in batches, their entities resolved; of a row held by two
    releases, only the later release's."""
    ref, winners, fromordinal = resolved.ids, survey.winners, dt.date.fromordinal
    for batch in survey.spool.batches():
        items = []
        for tie_id, group, as_of, subject, counterparts, program, kind, day, status, attributes, source, \
                precision in batch:
            held = winners[tie_id]
            if held[1] != group or held[0].toordinal() != as_of:
                continue
            items.append(TieItem(tie_id, ref.get(subject, subject), tuple(ref.get(c, c) for c in counterparts),
                                 program, kind, None if day is None else fromordinal(day), status, attributes,
                                 source, precision))
        yield items


def _write(adapter: DatasetAdapter, survey: Survey, resolved: Resolved, actor: str, progress: Progress,
           queue_pairs: QueuePairs | None, dry_run: bool) -> TieWriter:
    writer = TieWriter(adapter.name, actor, dry_run=dry_run)
    if not dry_run:
        write_sources(survey.sources.values(), actor)
        ensure_fixed(adapter.fixed_entities(), actor)
        write_entities(resolved.created, survey.sources_of, actor)
        created = {e.id for e in resolved.created}
        add_entity_sources({resolved.ids[pid]: sids for pid, sids in survey.sources_of.items() if pid not in created})
        if queue_pairs is not None and resolved.queued:
            queue_pairs(resolved.queued, actor)
    total = len(survey.winners)
    # New ties go to PostgreSQL from a writer thread (copystream.py) on a first load; a re-import
    # compares each batch with what is stored, in this thread.
    streamed = connection.vendor == "postgresql" and not dry_run and not writer.any_stored
    tables, new_rows = [Tie, TieCounterpart, Tie.sources.through, ChangeRecord], 0 if dry_run else total
    with bulk_load(tables, new_rows), unique_constraints_rebuilt(tables, new_rows), \
            (copy_stream() if streamed else nullcontext()) as stream:
        writer.stream = stream
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
                   queue_pairs: QueuePairs | None = DEFAULT_QUEUE) -> DatasetReport:
    """Import every file of dataset `name` under `path`. Raises ValidationFailed (nothing written) when
    a file cannot be read or more than `allow_errors` rows are refused; else writes the good rows."""
    started, clock = timezone.now(), time.perf_counter()
    folder = get_dataset(name)
    adapter: DatasetAdapter = folder.adapter()
    report_progress = progress or _no_progress
    with _collector_paused():
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
    _check_expected(folder, report)
    if survey.problems:
        raise ValidationFailed(f"{len(survey.problems)} file problem(s); nothing was written", survey.problems)
    if len(report.refused) > allow_errors:
        raise ValidationFailed(f"{len(report.refused):,} row(s) refused, over the {allow_errors:,} allowed "
                               "(--allow-errors); nothing was written", report.refused)
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
            _record_run(report, started, actor)
    return report


def _record_run(report: DatasetReport, started: dt.datetime, actor: str) -> ImportRun:
    summary = report.as_dict()
    return ImportRun.objects.create(
        dataset=report.dataset, started_at=started, finished_at=timezone.now(), actor=actor,
        files=summary["files"], counts={"ties": summary["ties"], "entities": summary["entities"],
                                        "releases": summary["releases"], "refused": len(report.refused)},
        rows=report.rows, refused=len(report.refused), as_of=report.as_of)
