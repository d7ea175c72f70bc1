"""Import Trade Register files: read and map every file first (any problem: nothing is written),
then write them oldest release first in one transaction, so a newer release's values win.

A tie last written from a newer release is left as it is when an older file is imported after it
(counted as `kept_newer`): importing last year's download never rolls the register back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.registry.importers.validate import Bundle, TieRow
from tiewatch.registry.importers.writer import chunks, write_bundle
from tiewatch.registry.models import Tie

from .linking import Resolver, link
from .mapping import DATASET, MappedFile, map_file

ACTOR = "datasets:sipri_register"
Progress = Callable[[str, int], None]


@dataclass
class FileReport:
    file: str
    generated: str
    release: str
    rows: int
    split_records_rejoined: int
    ties_created: int = 0
    ties_updated: int = 0
    ties_unchanged: int = 0
    ties_kept_newer: int = 0


@dataclass
class RegisterReport:
    files: list[FileReport] = field(default_factory=list)
    entities_linked: int = 0
    entities_created: int = 0
    sources_created: int = 0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {"dataset": DATASET, "rows": self.rows, "files": [asdict(f) for f in self.files],
                "entities": {"linked": self.entities_linked, "created": self.entities_created},
                "sources_created": self.sources_created,
                "ties": {k: self.total(f"ties_{k}") for k in ("created", "updated", "unchanged", "kept_newer")}}


def register_files(path: str | Path) -> list[Path]:
    """A file, or every .csv under a folder (sorted)."""
    root = Path(path)
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")
    if root.is_file():
        return [root]
    raise ValidationFailed(f"{root}: no such file or folder", [Problem("no such file or folder", file=str(root))])


def read_all(files: Sequence[Path]) -> list[MappedFile]:
    """Every file mapped, oldest release first; the problems of all files raised together."""
    mapped: list[MappedFile] = []
    problems: list[Problem] = []
    for file in files:
        try:
            mapped.append(map_file(file))
        except ValidationFailed as error:
            problems.extend(error.problems)
    if not files:
        problems.append(Problem("no Trade Register (.csv) files found", field="path"))
    if problems:
        raise ValidationFailed(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; "
                               "nothing was written", problems)
    return sorted(mapped, key=lambda m: (m.generated, m.path))


def import_register(path: str | Path, actor: str = ACTOR, resolver: Resolver | None = None,
                    progress: Progress | None = None) -> RegisterReport:
    mapped = read_all(register_files(path))
    report = RegisterReport()
    parties = {p.id: p for m in mapped for p in m.parties.values()}
    targets, stored = link(parties.values(), resolver)
    report.entities_linked = len(stored)
    report.entities_created = len(parties) - len(stored)
    with transaction.atomic():
        for m in mapped:
            report.files.append(_write_file(m, targets, stored, actor, progress, report))
    return report


def _write_file(m: MappedFile, targets: dict[str, str], stored: set[str], actor: str,
                progress: Progress | None, report: RegisterReport) -> FileReport:
    out = FileReport(file=m.path, generated=m.generated.isoformat(), release=m.release, rows=m.rows,
                     split_records_rejoined=m.split_records)
    bundle = Bundle()
    bundle.sources[m.source.id] = m.source
    # The dataset's own entities (new ones, or ones it created before), never a linked curated one.
    for p in m.parties.values():
        if targets[p.id] == p.id:
            bundle.entities[p.id] = p.row()
    newer = _stored_newer(m)
    out.ties_kept_newer = len(newer)
    for row in m.ties:
        if row.id not in newer:
            row.subject = targets[row.subject]
            row.counterparts = [targets[c] for c in row.counterparts]
            bundle.ties[row.id] = row
    counts = write_bundle(bundle, actor=actor, progress=progress, protect_edited=True)
    report.sources_created += counts["sources"].created
    out.ties_created, out.ties_updated = counts["ties"].created, counts["ties"].updated
    out.ties_unchanged = counts["ties"].unchanged
    _tag(list(bundle.ties.values()))
    return out


def _stored_newer(m: MappedFile) -> set[str]:
    """Ids of this file's deals stored from a file SIPRI generated later."""
    mine = m.generated.isoformat()
    newer: set[str] = set()
    for part in chunks([t.id for t in m.ties], 2000):
        for tid, generated in Tie.objects.filter(pk__in=part, dataset=DATASET) \
                .values_list("id", "attributes__generated"):
            if isinstance(generated, str) and generated > mine:
                newer.add(tid)
    return newer


def _tag(rows: list[TieRow]) -> None:
    """Tie.dataset: the bundle writer writes the registry's own columns only."""
    for part in chunks([r.id for r in rows], 2000):
        Tie.objects.filter(pk__in=part).exclude(dataset=DATASET).update(dataset=DATASET)
