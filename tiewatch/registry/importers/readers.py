"""Read bundle files (YAML, JSON, JSON lines, CSV) into raw records that remember where they came
from (file and line), so every validation problem can point at its source. Decoding, duplicate
keys, aliases, nesting depth and line numbers are the core input layer's (tiewatch.core.inputs)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tiewatch.core.csvsafe import unescape_cell
from tiewatch.core.errors import Problem, did_you_mean
from tiewatch.core.inputs import (
    InputError,
    LineDict,
    line_of,
    load_json,
    load_jsonl,
    load_yaml,
    read_csv,
    read_text,
)

RECORD_TYPES = ("entities", "ties", "sources")
# Top-level keys other apps read from the same bundle (the shared seed carries them); the
# registry importer skips them with a notice instead of failing.
FOREIGN_SECTIONS = ("about", "compiled_on", "id_scheme", "policies", "campaign_events")
SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv")


@dataclass
class RawRecord:
    type: str  # entities | ties | sources
    data: dict[str, Any]
    file: str
    line: int | None


@dataclass
class ReadResult:
    records: list[RawRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # (file, record type, header) of each CSV file, so unknown columns are noticed even when empty.
    csv_headers: list[tuple[str, str, list[str]]] = field(default_factory=list)


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()))
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                problems.append(Problem(f"unsupported file type {path.suffix or '(none)'}; "
                                        f"expected one of {', '.join(SUFFIXES)}", file=str(path)))
            else:
                files.append(path)
        else:
            problems.append(Problem("no such file or folder", file=str(path)))
    return files, problems


def read_files(files: list[Path], max_bytes: int) -> ReadResult:
    result = ReadResult()
    readers: dict[str, Callable[[Path, str, ReadResult], None]] = {
        ".csv": _read_csv, ".jsonl": _read_jsonl, ".json": _read_json}
    for path in files:
        reader = readers.get(path.suffix.lower(), _read_yaml)
        if reader is _read_csv and _csv_record_type(path) is None:
            result.problems.append(Problem("cannot tell the record type: a CSV file's name must contain "
                                           "'entities', 'ties' or 'sources'", file=str(path)))
            continue
        try:
            text = read_text(path, max_bytes, "import limit",
                             "(TIEWATCH_IMPORT_MAX_BYTES); split it or raise the limit")
            reader(path, text, result)
        except InputError as error:
            result.problems.extend(error.problems)
    return result


def _read_yaml(path: Path, text: str, result: ReadResult) -> None:
    _read_document(path, load_yaml(text, str(path)), result)


def _read_json(path: Path, text: str, result: ReadResult) -> None:
    _read_document(path, load_json(text, str(path)), result)


def _read_document(path: Path, document: Any, result: ReadResult) -> None:
    if not isinstance(document, dict):
        result.problems.append(Problem("expected a mapping with 'entities', 'ties' and/or 'sources' lists",
                                       file=str(path), line=1))
        return
    for key, value in document.items():
        if key in FOREIGN_SECTIONS:
            result.notices.append(f"{path}: skipped section '{key}' (not registry data)")
            continue
        if key not in RECORD_TYPES:
            result.problems.append(Problem(f"unknown section{did_you_mean(key, RECORD_TYPES)}",
                                           field=key, file=str(path), line=line_of(document, key)))
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            result.problems.append(Problem("expected a list", field=key, file=str(path), line=line_of(document, key)))
            continue
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                result.problems.append(Problem(f"item {index + 1}: expected a mapping", field=key, file=str(path),
                                               line=line_of(value, index) or line_of(document, key)))
                continue
            line = item.line if isinstance(item, LineDict) else None
            result.records.append(RawRecord(key, item, str(path), line or None))


def _read_jsonl(path: Path, text: str, result: ReadResult) -> None:
    values, problems = load_jsonl(text, str(path))
    result.problems.extend(problems)
    for number, item in values:
        record_type = item.pop("type", None) if isinstance(item, dict) else None
        if record_type not in RECORD_TYPES:
            result.problems.append(Problem("each line needs \"type\": one of entities, ties, sources",
                                           field="type", file=str(path), line=number))
            continue
        result.records.append(RawRecord(record_type, item, str(path), number))


# CSV: one record type per file, told by the file name (…entities….csv, …ties….csv, …sources….csv).
# Lists are ';'-separated; tie attributes are `attr.<name>` columns.
CSV_LIST_FIELDS = {"aliases", "counterparts", "sources", "years"}


def _csv_record_type(path: Path) -> str | None:
    return next((t for t in RECORD_TYPES if t in path.name.lower()), None)


def _read_csv(path: Path, text: str, result: ReadResult) -> None:
    record_type = _csv_record_type(path)
    assert record_type is not None  # read_files checked the name
    header, rows = read_csv(text, str(path))
    result.csv_headers.append((str(path), record_type, header))
    for row in rows:
        if row.extra:
            result.problems.append(Problem("more values than header columns", file=str(path), line=row.line))
            continue
        result.records.append(RawRecord(record_type, _csv_record(row.values), str(path), row.line))


def _csv_record(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for key, raw in row.items():
        value = unescape_cell(raw or "").strip()
        if value == "":
            continue
        if key.startswith("attr."):
            attributes[key[5:]] = _csv_scalar(value)
        elif key in CSV_LIST_FIELDS:
            record[key] = [part.strip() for part in value.split(";") if part.strip()]
        else:
            record[key] = value
    if attributes:
        record["attributes"] = attributes
    return record


def _csv_scalar(value: str) -> Any:
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


