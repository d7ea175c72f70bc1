"""Dataset folders: `tiewatch/datasets/<name>/dataset.yaml` (the metadata, checked against one
declared schema) beside the folder's reader and mapping (`adapter.py` exposing `ADAPTER`).

A folder is a dataset when it holds a `dataset.yaml`; nothing is registered in code, so adding a
dataset is adding a folder.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tiewatch.core.errors import NotFound, Problem, ValidationFailed, did_you_mean
from tiewatch.core.inputs import line_of, load_yaml, read_text
from tiewatch.core.urls import is_http_url

DATASETS_DIR = Path(__file__).resolve().parent
SPEC_FILE = "dataset.yaml"
UPDATE_FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly", "irregular", "one-off")


class Coverage(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None


class DatasetSpec(BaseModel):
    """The schema of every dataset.yaml."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    source_url: str
    coverage: Coverage
    update_frequency: str
    # Rows each file (or sheet) of the release this folder was written against holds: the import
    # report compares what it read with these, so a short or changed release is visible.
    expected_rows: dict[str, int] = Field(default_factory=dict)
    notes: str = ""

    @field_validator("source_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not is_http_url(value):
            raise ValueError("must be an absolute http:// or https:// URL")
        return value

    @field_validator("update_frequency")
    @classmethod
    def _frequency(cls, value: str) -> str:
        if value not in UPDATE_FREQUENCIES:
            raise ValueError(f"must be one of {', '.join(UPDATE_FREQUENCIES)}")
        return value


@dataclass(frozen=True)
class DatasetFolder:
    name: str
    path: Path
    spec: DatasetSpec

    def adapter(self) -> Any:
        """The folder's reader and mapping (`tiewatch.datasets.<name>.adapter.ADAPTER`)."""
        return importlib.import_module(f"tiewatch.datasets.{self.name}.adapter").ADAPTER

    def as_dict(self) -> dict[str, Any]:
        spec = self.spec
        return {"name": self.name, "title": spec.title, "publisher": spec.publisher, "licence": spec.licence,
                "source_url": spec.source_url,
                "coverage": {"from": spec.coverage.from_.isoformat(),
                             "to": spec.coverage.to.isoformat() if spec.coverage.to else None},
                "update_frequency": spec.update_frequency, "expected_rows": dict(spec.expected_rows),
                "notes": spec.notes}


def load_spec(path: Path) -> DatasetSpec:
    """Read and check one dataset.yaml; ValidationFailed naming file:line: field on any problem."""
    data = load_yaml(read_text(path), str(path))
    if not isinstance(data, dict):
        raise ValidationFailed(f"{path}: a mapping of metadata is expected",
                               [Problem("a mapping of metadata is expected", file=str(path), line=1)])
    try:
        return DatasetSpec.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            top = item["loc"][0] if item["loc"] else ""
            line = line_of(data, top) if top in data else line_of(data)
            problems.append(Problem(item["msg"], field=".".join(str(p) for p in item["loc"]),
                                    file=str(path), line=line))
        raise ValidationFailed(f"{path}: invalid dataset metadata", problems) from None


def discover(root: Path = DATASETS_DIR) -> dict[str, DatasetFolder]:
    """Every dataset folder under `root`, by name (the folder's name)."""
    found: dict[str, DatasetFolder] = {}
    for spec_path in sorted(root.glob(f"*/{SPEC_FILE}")):
        folder = spec_path.parent
        found[folder.name] = DatasetFolder(folder.name, folder, load_spec(spec_path))
    return found


def get_dataset(name: str, root: Path = DATASETS_DIR) -> DatasetFolder:
    folders = discover(root)
    if name not in folders:
        raise NotFound(f"no dataset {name!r}{did_you_mean(name, folders)}; "
                       f"known: {', '.join(folders) or 'none'}")
    return folders[name]
