"""The first pass of a dataset import: read and check every row of every file.

Refusals are noted with file:line and why, rows are counted per file, release and sheet, the
entities rows name are gathered for resolution, and each row gets its stable tie id. The mapped
rows go, compactly (marshal), to a spool file read back by the second pass (importer.py), or batch
by batch to a load that writes while the files are read (firstload.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.core.inputs import InputError
from tiewatch.datasets.report import DatasetReport, FileReport
from tiewatch.datasets.rows import DatasetAdapter, DatasetRow, IncomingEntity, Notice, SourceSpec
from tiewatch.datasets.spec import DatasetFolder

BATCH = 5000
# progress(stage, advance, total): "read" advances by bytes of the files, "resolve" by entities, "write" by rows.
Progress = Callable[[str, int, int | None], None]


def no_progress(stage: str, advance: int, total: int | None) -> None:
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
        # A first load that writes while it reads (firstload.py) takes each batch as it fills instead.
        self.consumer: Callable[[list[tuple[Any, ...]]], None] | None = None

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
        if self.batch and self.consumer is not None:
            batch, self.batch = self.batch, []
            self.consumer(batch)
        elif self.batch:
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
    return digest_and_lines(path)[0]


def digest_and_lines(path: Path) -> tuple[str, int]:
    """A file's SHA-256 and its line count (in the same read: what a first load's size is guessed
    from before its rows are read)."""
    digest, lines = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), lines


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


class Load(Protocol):
    """What takes the surveyed rows batch by batch, as they are read (firstload.FirstLoad)."""

    def prepare(self) -> None: ...

    def begin(self, survey: Survey, rows: int) -> None: ...

    def take(self, batch: list[tuple[Any, ...]]) -> None: ...


def survey_files(adapter: DatasetAdapter, root: Path, progress: Progress, load: Load | None = None) -> Survey:
    """The first pass. With `load`, each batch of checked rows goes to it as it fills (the files'
    line count is its guess of their rows); else to the spool file, for the second pass."""
    files = adapter.list_files(root)
    survey = Survey(DatasetReport(dataset=adapter.name), files)
    if not files:
        survey.problems.append(Problem(f"no {adapter.name} data files found", file=str(root)))
    total = sum(p.stat().st_size for p in files)
    digests = {path: digest_and_lines(path) for path in files}
    if load is not None:
        survey.spool.consumer = load.take
        load.begin(survey, sum(lines for _, lines in digests.values()))
    ids, notes = TieIds(adapter.name), _Notes(survey)
    notices: dict[str, list[str]] = {}  # the same notice from many files is told once
    for path in files:
        entry = FileReport(file=str(path), sha256=digests[path][0])
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
    survey.spool.flush()
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


def refuse_if_bad(folder: DatasetFolder, survey: Survey, allow_errors: int) -> None:
    """Raise ValidationFailed (the caller's transaction then writes nothing) when a file could not be
    read or more rows were refused than `allow_errors`; note where counts differ from dataset.yaml's."""
    report = survey.report
    _check_expected(folder, report)
    if survey.problems:
        raise ValidationFailed(f"{len(survey.problems)} file problem(s); nothing was written", survey.problems)
    if len(report.refused) > allow_errors:
        raise ValidationFailed(f"{len(report.refused):,} row(s) refused, over the {allow_errors:,} allowed "
                               "(--allow-errors); nothing was written", report.refused)
