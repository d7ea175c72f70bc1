"""A first load's reading and checking in a child process, beside its resolving and writing here.

On a first load three things keep a machine busy: reading and checking the files (Python), resolving
the names and formatting the rows for COPY (Python), and storing them (PostgreSQL, its own process).
In one process the two Python halves share one core (the GIL): LESO's 140,500 rows took ~1.9 s to
read and check and ~1.8 s to resolve and format, one after the other. Here the files are surveyed
by a forked child (`survey.survey_files`, unchanged), which sends each batch of checked rows (marshal)
and the names, refusals and file problems met since the batch before; this process hands them to
the load (firstload.FirstLoad) as the in-process survey would. A thread here drains the pipe into
a bounded queue, so the child may read up to `AHEAD` batches ahead while this process is busy.

When the platform cannot fork, or the child fails, nothing is half done: the child only reads files;
an error in it is raised here (with the child's traceback) and the load's transaction rolls back.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import queue
import threading
import traceback
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connections

from tiewatch.datasets.report import DatasetReport
from tiewatch.datasets.rows import DatasetAdapter
from tiewatch.datasets.survey import Load, Progress, Survey, survey_files

AHEAD = 16  # batches (of survey.BATCH rows, ~1 MB each marshalled) the child may read ahead


def can_fork(adapter: DatasetAdapter) -> bool:
    """Whether `adapter`'s files may be read by a forked child: it reads only files, and the
    platform forks."""
    return adapter.files_only and hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


def _no_database(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("the child reading a dataset's files may not use the database: its connection is "
                       "the parent's (set the adapter's files_only to False)")


class _Relay:
    """The child's side: a survey.Load that sends what the parent's load needs."""

    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.sent = {"incoming": 0, "refused": 0, "problems": 0}

    def prepare(self) -> None:
        return None  # the parent prepares its load itself

    def begin(self, survey: Survey, rows: int) -> None:
        self.survey = survey
        self.pipe.send(("begin", rows))

    def news(self) -> tuple[list[Any], list[Any], list[Any], int]:
        """Names, refusals and file problems met since the last message, and rows superseded so far."""
        survey, sent = self.survey, self.sent
        incoming = list(islice(survey.incoming.values(), sent["incoming"], None))
        refused = survey.report.refused[sent["refused"]:]
        problems = survey.problems[sent["problems"]:]
        sent["incoming"] += len(incoming)
        sent["refused"] += len(refused)
        sent["problems"] += len(problems)
        return incoming, refused, problems, survey.report.superseded

    def take(self, batch: list[tuple[Any, ...]]) -> None:
        self.pipe.send(("batch", *self.news()))
        self.pipe.send_bytes(marshal.dumps(batch))

    def progress(self, stage: str, advance: int, total: int | None) -> None:
        self.pipe.send(("progress", stage, advance, total))


def _child(pipe: Any, adapter: DatasetAdapter, root: Path) -> None:
    # The inherited connection belongs to the parent's transaction: a query here would corrupt it.
    for connection in connections.all(initialized_only=True):
        connection.ensure_connection = _no_database  # type: ignore[method-assign]
    try:
        relay = _Relay(pipe)
        survey = survey_files(adapter, root, relay.progress, relay)
        survey.spool.close()
        report = survey.report
        pipe.send(("done", *relay.news(), report, survey.files, survey.sources, survey.sources_of))
    except BaseException:  # noqa: BLE001 -- told to the parent, which raises it
        pipe.send(("error", traceback.format_exc()))


class SurveyFailed(RuntimeError):
    """The child reading the files failed (a fault in the code, not in the files: those are refusals)."""


def survey_forked(adapter: DatasetAdapter, root: Path, progress: Progress, load: Load) -> Survey:
    """`survey_files(adapter, root, progress, load)`, the files read by a forked child."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sending, adapter, root), daemon=True, name="tiewatch-survey")
    child.start()
    sending.close()
    messages: queue.Queue[tuple[Any, ...]] = queue.Queue(maxsize=AHEAD)
    reader = threading.Thread(target=_drain, args=(receiving, messages), daemon=True, name="tiewatch-survey-pipe")
    reader.start()
    survey = Survey(DatasetReport(dataset=adapter.name), [])
    try:
        load.prepare()  # while the child reads the first rows
        _follow(messages, survey, progress, load)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        receiving.close()
    return survey


def _drain(pipe: Any, messages: queue.Queue[tuple[Any, ...]]) -> None:
    """Move the child's messages to `messages` (a batch's rows decoded), until it is done or gone."""
    try:
        while True:
            message = pipe.recv()
            if message[0] == "batch":
                message = (*message, marshal.loads(pipe.recv_bytes()))
            messages.put(message)
            if message[0] in ("done", "error"):
                return
    except (EOFError, OSError):
        messages.put(("error", "the child reading the files stopped without a word"))


def _follow(messages: queue.Queue[tuple[Any, ...]], survey: Survey, progress: Progress, load: Load) -> None:
    while True:
        kind, *fields = messages.get()
        if kind == "progress":
            progress(*fields)
        elif kind == "begin":
            load.begin(survey, fields[0])
        elif kind == "batch":
            _note(survey, *fields[:4])
            load.take(fields[4])
        elif kind == "done":
            _note(survey, *fields[:4])
            survey.report, survey.files, survey.sources, survey.sources_of = fields[4:]
            return
        else:
            raise SurveyFailed(f"reading the files failed:\n{fields[0]}")


def _note(survey: Survey, incoming: list[Any], refused: list[Any], problems: list[Any], superseded: int) -> None:
    survey.incoming.update((entity.id, entity) for entity in incoming)
    survey.report.refused.extend(refused)
    survey.problems.extend(problems)
    survey.report.superseded = superseded
