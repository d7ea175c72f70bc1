"""Each dataset folder's metadata (`tiewatch/datasets/<name>/dataset.yaml`, checked by spec.py), for
the pages. A folder whose YAML is refused is listed with its problem rather than breaking the pages:
the import command is where a bad metadata file stops anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tiewatch.core.errors import TiewatchError
from tiewatch.datasets.spec import DATASETS_DIR, SPEC_FILE, load_spec


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
        if self.coverage_from:
            return f"{self.coverage_from} to {self.coverage_to or 'now'}"
        return ""


def read_info(folder: Path) -> DatasetInfo:
    name = folder.name
    try:
        spec = load_spec(folder / SPEC_FILE)
    except TiewatchError as error:
        return DatasetInfo(name=name, title=name.replace("_", " "), problem=str(error))
    return DatasetInfo(
        name=name, title=spec.title, publisher=spec.publisher, licence=spec.licence, source_url=spec.source_url,
        coverage_from=spec.coverage.from_.isoformat(), coverage_to=spec.coverage.to.isoformat() if spec.coverage.to
        else "", update_frequency=spec.update_frequency, notes=" ".join(spec.notes.split()),
        expected_rows=dict(spec.expected_rows))


@lru_cache(maxsize=1)
def datasets() -> dict[str, DatasetInfo]:
    """Every dataset folder, by name (read once per process: the folders ship with the code)."""
    found = sorted(p.parent for p in DATASETS_DIR.glob(f"*/{SPEC_FILE}"))
    return {folder.name: read_info(folder) for folder in found}
