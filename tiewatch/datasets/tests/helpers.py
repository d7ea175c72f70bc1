"""Paths and small file surgery for the dataset tests (the real shared LESO files, copied and
damaged in a temporary folder; the shared folder itself is read-only)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from conftest import SHARED_DATA

LESO = SHARED_DATA / "leso" / "dla_leso_merged_2021-03-31_barbh1307"
FEW = ("NH", "DE", "VI")  # three small states: 529 + 314 + 5 held items, and their shipments, cancellations


def copy_states(folder: Path, states: tuple[str, ...] = FEW) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for state in states:
        target = folder / f"{state}_leso.tsv"
        shutil.copyfile(LESO / f"{state}_leso.tsv", target)
        target.chmod(0o644)
    return folder


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def first_line_with(path: Path, predicate: object) -> int:
    """The physical line number (1 = header) of the first line the predicate accepts."""
    with path.open(encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if predicate(line):  # type: ignore[operator]
                return number
    raise AssertionError("no such line")
