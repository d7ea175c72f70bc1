"""The SIPRI Trade Register folder's reader and mapping, as the datasets framework calls them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tiewatch.core.errors import Problem
from tiewatch.datasets.rows import DatasetRow, FixedEntity, Notice

from .linking import curated_governments
from .mapping import DATASET, map_parsed, read_register


class SipriRegisterAdapter:
    name = DATASET
    files_only = False  # read() looks up the registry's curated governments (linking.py)

    def list_files(self, root: Path) -> list[Path]:
        if root.is_file():
            return [root]
        return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")

    def fixed_entities(self) -> list[FixedEntity]:
        return []

    def read(self, path: Path, label: str) -> Iterator[DatasetRow | Notice | Problem]:
        parsed, head = read_register(path, label)
        names = {*parsed.deals["supplier"], *parsed.deals["recipient"]}
        if parsed.split_records:
            yield Notice(label, f"{parsed.split_records} record(s) split over two lines by a line break in "
                                "Comments were joined again")
        yield from map_parsed(parsed, head, label, curated_governments(names))


ADAPTER = SipriRegisterAdapter()
