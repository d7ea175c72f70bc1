"""Each dataset folder's metadata (`tiewatch/datasets/<name>/dataset.yaml`), read for the pages.

A folder whose YAML cannot be read is listed with its problem rather than breaking the pages: the
import command is where a bad metadata file is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tiewatch.core.errors import TiewatchError
from tiewatch.core.inputs import load_yaml, read_text

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    publisher: str = ""
    licence: str = ""
    source_url: str = ""
    coverage_from: str = ""
    coverage_to: str = ""
    update_frequency: str = ""
    notes: str = ""
    expected_rows: dict[str, int] = field(default_factory=dict)
    problem: str = ""

    @property
    def coverage(self) -> str:
        if self.coverage_from and self.coverage_to:
            return f"{self.coverage_from} to {self.coverage_to}"
        return self.coverage_from or self.coverage_to


def _text(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""


def read_info(folder: Path) -> DatasetInfo:
    name = folder.name
    try:
        doc = load_yaml(read_text(folder / "dataset.yaml"), str(folder / "dataset.yaml"))
    except TiewatchError as error:
        return DatasetInfo(name=name, title=name.replace("_", " "), problem=str(error))
    if not isinstance(doc, dict):
        return DatasetInfo(name=name, title=name.replace("_", " "), problem="dataset.yaml is not a mapping")
    coverage = doc.get("coverage") if isinstance(doc.get("coverage"), dict) else {}
    rows = doc.get("expected_rows") if isinstance(doc.get("expected_rows"), dict) else {}
    return DatasetInfo(
        name=name, title=_text(doc, "title") or name.replace("_", " "), publisher=_text(doc, "publisher"),
        licence=_text(doc, "licence"), source_url=_text(doc, "source_url"),
        coverage_from=_text(coverage, "from"), coverage_to=_text(coverage, "to"),
        update_frequency=_text(doc, "update_frequency"), notes=_text(doc, "notes"),
        expected_rows={str(k): v for k, v in rows.items() if isinstance(v, int)})


@lru_cache(maxsize=1)
def datasets() -> dict[str, DatasetInfo]:
    """Every dataset folder, by name (read once per process: the folders ship with the code)."""
    found = sorted(p.parent for p in ROOT.glob("*/dataset.yaml"))
    return {folder.name: read_info(folder) for folder in found}
