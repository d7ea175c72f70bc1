"""What a dataset import read and did, as the CLI prints it and `--json` dumps it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tiewatch.core.errors import Problem


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class FileReport:
    file: str
    sha256: str = ""
    rows: int = 0
    refused: int = 0
    sheets: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "rows": self.rows, "refused": self.refused,
                "sheets": dict(sorted(self.sheets.items()))}


@dataclass
class DatasetReport:
    dataset: str
    dry_run: bool = False
    files: list[FileReport] = field(default_factory=list)
    # Rows per release (publisher's file) and sheet within it: {"Shipments_...xlsx": {"SHIPMENTS": 4617}}.
    releases: dict[str, dict[str, int]] = field(default_factory=dict)
    ties: Counts = field(default_factory=Counts)
    # Rows that also appear in a later release read in the same import: the later one is kept.
    superseded: int = 0
    names: int = 0  # distinct names (with their state) of the incoming entities, as the files write them
    proposed: int = 0  # distinct entities they stand for (after trimming, spelling)
    linked: int = 0
    created: int = 0
    queued: int = 0
    refused: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    as_of: dt.date | None = None
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # wall seconds of check, resolve, write

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset, "dry_run": self.dry_run, "rows": self.rows,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "files": [f.as_dict() for f in self.files],
            "releases": {name: dict(sorted(sheets.items())) for name, sheets in sorted(self.releases.items())},
            "ties": {**self.ties.as_dict(), "superseded": self.superseded},
            "entities": {"names": self.names, "distinct": self.proposed, "linked": self.linked, "created": self.created,
                         "queued": self.queued},
            "refused": [{"file": p.file, "line": p.line, "field": p.field, "message": p.message}
                        for p in self.refused],
            "notices": list(self.notices), "seconds": round(self.seconds, 3),
            "stages": {stage: round(seconds, 3) for stage, seconds in self.stages.items()},
        }

    def summary_lines(self) -> list[str]:
        lines = [f"{f.file}: {f.rows:,} rows" + (f", {f.refused:,} refused" if f.refused else "") for f in self.files]
        for name, sheets in sorted(self.releases.items()):
            parts = ", ".join(f"{sheet} {n:,}" for sheet, n in sorted(sheets.items()))
            lines.append(f"{name}: {sum(sheets.values()):,} rows ({parts})")
        t = self.ties
        verb = "would be written" if self.dry_run else "written"
        lines.append(f"rows: {self.rows:,} read, {len(self.refused):,} refused; ties {verb}: "
                     f"{t.created:,} created, {t.updated:,} updated, {t.unchanged:,} unchanged"
                     + (f", {self.superseded:,} superseded by a later release" if self.superseded else ""))
        lines.append(f"entities: {self.names:,} names as written, {self.proposed:,} distinct; {self.linked:,} linked to existing records, "
                     f"{self.created:,} created, {self.queued:,} queued for review")
        lines.extend(f"refused: {p}" for p in self.refused)
        return lines
