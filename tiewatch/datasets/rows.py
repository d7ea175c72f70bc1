"""What a dataset folder's adapter hands the framework: rows already typed and mapped to ties,
the entities they name, the sources they cite, and refusals that say file:line and why.

The framework (`importer.py`) owns everything generic: reading order, counting, tie ids,
resolution of incoming entities against the registry, the one transaction, the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tiewatch.core.errors import Problem


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A document ties cite: for a dataset, one per released file."""

    id: str
    url: str
    title: str
    publisher: str
    published_on: dt.date | None = None
    excerpt: str = ""


@dataclass(frozen=True, slots=True)
class FixedEntity:
    """An entity every row of a dataset names (the agency that publishes it, its program): created
    when missing, never changed when present (curators may have edited it)."""

    id: str
    name: str
    kind: str
    country: str
    jurisdiction: str
    note: str
    source: SourceSpec


@dataclass(frozen=True, slots=True)
class IncomingEntity:
    """An entity a row names by its own words (an agency's name and state): resolved against the
    registry, linked to an existing entity when certain, created under `id` otherwise."""

    id: str  # the proposed stable id, derived from the row's words
    name: str
    kind: str
    country: str
    state: str = ""  # US postal code, a resolution hint
    jurisdiction: str = ""  # OCD id
    uncertain: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    written: str = ""  # the name exactly as the file writes it (padding and all), when it differs


@dataclass(slots=True)
class DatasetRow:
    """One row of a dataset file, typed and mapped to a tie."""

    file: str
    line: int
    sheet: str  # what the report counts rows by within the file (e.g. "SHIPMENTS")
    # The fields that identify the row across releases; the tie id is their hash (plus an occurrence
    # index for identical rows within one `group`), so a re-import finds the same ties.
    key: tuple[str, ...]
    group: str  # the release the row comes from (one source file of the publisher)
    as_of: dt.date | None  # that release's date: when two releases hold one row, the later wins
    subject: IncomingEntity | str  # an incoming entity, or the id of a fixed one
    counterparts: tuple[IncomingEntity | str, ...]
    program: str | None
    kind: str
    date: dt.date | None
    status: str
    attributes: dict[str, Any]
    source: SourceSpec
    date_precision: str = "day"  # "year" when `date` stands for a year only (a SIPRI order year)


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a reader of the report should know that refuses nothing (an unused column)."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


class DatasetAdapter(Protocol):
    """The reader and mapping of one dataset folder (`<folder>/adapter.py` defines `ADAPTER`)."""

    name: str  # the folder's name; also Tie.dataset and the prefix of tie ids
    # Whether `read` needs only the files (no database): a first load may then read them in a
    # child process (forked.py), which must not touch the connection it shares with its parent.
    files_only: bool

    def list_files(self, root: Path) -> list[Path]:
        """The data files under `root`, in a stable order."""
        ...

    def fixed_entities(self) -> list[FixedEntity]: ...

    def read(self, path: Path, label: str) -> Iterator[DatasetRow | Notice | Problem]:
        """Stream one file's rows. Yields a `Problem` (file:line, field, why) for a refused row and
        carries on; raises `InputError` when the file as a whole cannot be read (encoding, header)."""
        ...

__all__ = ["DatasetAdapter", "DatasetRow", "FixedEntity", "IncomingEntity", "Notice", "Problem", "SourceSpec"]
