"""A dataset's first load on PostgreSQL, written while its files are read.

The two-pass import (importer.py) reads and checks every file, resolves the names, then writes. On
a first load that made the reading (Python) and the writing (PostgreSQL, another process) take
turns on a two-core machine. Here each batch of checked rows is resolved and handed to the COPY
writer thread (copystream.py) as soon as it is read, so PostgreSQL stores batch n while Python
reads batch n + 1. It is still one transaction: a file problem or too many refused rows raise at
the end and the rollback writes nothing; the report is the one the two passes give.

This thread never needs the connection the writer thread is busy with while rows stream:
- names are resolved against a snapshot of the registry read before the first batch
  (resolution.services.Snapshot): every batch against the registry as it was, as the two-pass
  import resolves all names at once;
- counterpart countries come from that snapshot and from the entities the load creates;
- the files as sources, the entities created and the pairs to review are written at the end (the
  ties' keys to them are checked when the keys are rebuilt, or at commit);
- the tie tallies are counted once at the end (registry.tallies.counted_once).

A row held by two releases, the later read after the earlier was written, cannot be streamed: the
load raises Superseded, its savepoint is rolled back and the import reads the files again in two
passes (which keep only the later release's row).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from tiewatch.datasets.copystream import copy_stream, unique_constraints_rebuilt
from tiewatch.datasets.forked import can_fork, survey_forked
from tiewatch.datasets.models import record_run
from tiewatch.datasets.report import DatasetReport
from tiewatch.datasets.resolve import (
    DEFAULT_RESOLVER,
    QueuePairs,
    Resolved,
    Resolver,
    count_resolved,
    resolve_entities,
)
from tiewatch.datasets.rows import DatasetAdapter
from tiewatch.datasets.spec import DatasetFolder
from tiewatch.datasets.survey import Progress, Survey, refuse_if_bad, survey_files
from tiewatch.datasets.writer import (
    BULK_TABLES,
    TieItem,
    TieWriter,
    ensure_fixed,
    tie_items,
    write_entity_side,
)
from tiewatch.registry import tallies
from tiewatch.registry.importers.writer import bulk_load, chunks
from tiewatch.registry.models import Entity, Tie
from tiewatch.resolution.services import Snapshot, resolve_incoming, snapshot


class Superseded(Exception):
    """A later release holds a row the load has already written: the import needs its two passes."""


def streams(dataset: str, dry_run: bool) -> bool:
    """Whether an import of `dataset` is a first load that can write while it reads."""
    return connection.vendor == "postgresql" and not dry_run and not Tie.objects.filter(dataset=dataset).exists()


class FirstLoad:
    """Takes the survey's batches as they fill (survey.Load): resolves their new names, then sends
    their ties to the writer thread."""

    def __init__(self, adapter: DatasetAdapter, actor: str, resolver: Resolver | None, queue_pairs: QueuePairs | None,
                 allow_errors: int, progress: Progress, stack: ExitStack) -> None:
        self.adapter, self.actor, self.allow_errors, self.progress = adapter, actor, allow_errors, progress
        self.stack, self.given_resolver, self.queue_pairs = stack, resolver, queue_pairs
        self.resolved = Resolved({}, [], [])
        self.writer = TieWriter(adapter.name, actor)
        self.resolve_seconds = 0.0
        self.rows = 0
        self.names_resolved = 0  # of the survey's incoming names, in the order it met them
        # (subject, kind, status, counterpart countries, year, program) -> ties written.
        self.written: Counter[tuple[Any, ...]] = Counter()

    def prepare(self) -> None:
        """What needs no row: the fixed entities and the registry's snapshot (done while a child
        starts reading the files, or else at `begin`)."""
        if hasattr(self, "registry"):
            return
        ensure_fixed(self.adapter.fixed_entities(), self.actor)
        self.registry: Snapshot = snapshot()
        # A resolver the caller gave (a test's, a bench's) is asked as it is.
        self.resolver: Resolver = self.given_resolver or DEFAULT_RESOLVER
        if self.resolver is DEFAULT_RESOLVER:
            self.resolver = partial(resolve_incoming, against=self.registry)

    def begin(self, survey: Survey, rows: int) -> None:
        """Before the first row: `prepare`, then the load's set-up (tallies off, indexes and keys
        dropped when `rows`, the files' line count, is big enough)."""
        self.survey, self.rows = survey, rows
        self.prepare()
        self.tally = self.stack.enter_context(tallies.counted_by_load())
        self.writer.on_insert = self._count
        self.stack.enter_context(bulk_load(BULK_TABLES, rows))
        self.stack.enter_context(unique_constraints_rebuilt(BULK_TABLES, rows))
        self.streaming = self.stack.enter_context(ExitStack())
        self.writer.stream = self.streaming.enter_context(copy_stream())

    def take(self, batch: list[tuple[Any, ...]]) -> None:
        if self.survey.report.superseded:
            raise Superseded
        if self.survey.problems or len(self.survey.report.refused) > self.allow_errors:
            return  # the import will be refused (and rolled back): writing more is wasted
        self._resolve_new()
        items = tie_items(batch, self.resolved.ids)
        self._know_countries(items)
        self.writer.write(items)
        self.progress("write", len(items), self.rows)

    def _resolve_new(self) -> None:
        """Resolve the names first met since the last batch (the survey keeps them in order)."""
        new = list(islice(self.survey.incoming.values(), self.names_resolved, None))
        if not new:
            return
        self.names_resolved += len(new)
        mark = time.perf_counter()
        found = resolve_entities(new, self.registry.records, self.resolver, self.actor)
        self.resolved.ids.update(found.ids)
        self.resolved.created.extend(found.created)
        self.resolved.queued.extend(found.queued)
        self.writer.countries.update((e.id, e.country) for e in found.created)
        self.resolve_seconds += time.perf_counter() - mark

    def _know_countries(self, items: list[TieItem]) -> None:
        """Counterparts' countries from the snapshot (the writer would otherwise ask the database):
        a published entity's country, nothing for a draft."""
        countries, registry = self.writer.countries, self.registry
        for item in items:
            for entity in item.counterparts:
                if entity not in countries and entity in registry.records:
                    countries[entity] = "" if entity in registry.drafts else registry.records[entity].country

    def _count(self, items: list[TieItem], countries: dict[str, str]) -> None:
        self.written.update((t.subject, t.kind, t.status, countries[t.id], t.date.year if t.date else None, t.program)
                            for t in items)

    def _tell_tallies(self) -> None:
        """The ties written, as the tallies count them: public when the subject is published (every
        new tie is), by the subject's place, both read as stored now (the entities this load created
        included; the load's lock keeps other writers from changing them before it commits)."""
        subjects: dict[str, tuple[bool, str | None]] = {}
        for part in chunks(sorted({key[0] for key in self.written}), 5000):
            subjects.update((eid, (published, place)) for eid, published, place in
                            Entity.objects.filter(pk__in=part).values_list("id", "published", "jurisdiction_id"))
        for (subject, kind, status, countries, year, program), n in self.written.items():
            public, place = subjects[subject]
            self.tally.add(public, kind, status, countries, year, year, program, self.adapter.name, place, n)

    def finish(self) -> None:
        """After the last batch: wait for the writer, then write the entity side."""
        if self.survey.report.superseded:
            raise Superseded
        self.streaming.close()
        self.writer.stream = None
        write_entity_side(self.survey, self.resolved, self.actor, self.queue_pairs)
        self._tell_tallies()
        count_resolved(self.survey.report, self.resolved)
        self.survey.report.ties = self.writer.counts
        self.survey.report.stages["resolve"] = self.resolve_seconds


# How often (seconds) Python hands the GIL between threads during a load, instead of every 5 ms:
# the writer thread sends each batch to PostgreSQL in 128 KB pieces (psycopg), and between two
# pieces it waits for the GIL while this thread formats the next batch. At 5 ms PostgreSQL sat
# idle part of LESO's 3.5 s of COPY; at 0.5 ms the whole load took about 0.6 s less (docs/benchmarks.md).
SWITCH_INTERVAL = 0.0005


@contextmanager
def _threads_switch_often() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def load_first(folder: DatasetFolder, root: Path, *, allow_errors: int, actor: str, progress: Progress,
               resolver: Resolver | None, queue_pairs: QueuePairs | None, started: dt.datetime) -> DatasetReport:
    """Import dataset `folder`'s files under `root`, writing while they are read (module docstring).
    Raises ValidationFailed (nothing written) as the two-pass import does, Superseded (nothing
    written) when it must be run in two passes."""
    clock = time.perf_counter()
    adapter = folder.adapter()
    with transaction.atomic():
        with ExitStack() as stack:
            stack.enter_context(_threads_switch_often())
            load = FirstLoad(adapter, actor, resolver, queue_pairs, allow_errors, progress, stack)
            survey = (survey_forked if can_fork(adapter) else survey_files)(adapter, root, progress, load)
            report = survey.report
            try:
                report.stages["check and write"] = time.perf_counter() - clock
                refuse_if_bad(folder, survey, allow_errors)
                mark = time.perf_counter()
                load.finish()
            finally:
                survey.spool.close()
        # The stack closed: keys and indexes rebuilt, the tallies counted.
        report.stages["finish"] = time.perf_counter() - mark
        report.seconds = time.perf_counter() - clock
        record_run(report, started, actor)
    return report
