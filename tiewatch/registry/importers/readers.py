"""Read bundle files (YAML, JSON, JSON lines, CSV) into raw records that remember where they came
from (file and line), so every validation problem can point at its source. Decoding, duplicate
keys, aliases, nesting depth and line numbers are the core input layer's (tiewatch.core.inputs).

`iter_records` streams: JSON lines are read in blocks of whole lines and CSV row by row, so their
memory does not grow with the file. A YAML or JSON document can only be parsed whole (the standard
library and PyYAML's safe loader build the full document), so it is bounded by the per-file size cap
(TIEWATCH_IMPORT_MAX_BYTES) instead. Every file is first scanned once, in blocks, for its size and
UTF-8 (a bad byte gives one problem for that file and none of its records, as a whole-file read did).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tiewatch.core.csvsafe import unescape_cell
from tiewatch.core.errors import Problem, did_you_mean
from tiewatch.core.inputs import (
    InputError,
    LineDict,
    decode,
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


@dataclass(slots=True)
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


LIMIT_ADVICE = "(TIEWATCH_IMPORT_MAX_BYTES); split it or raise the limit"
# Bytes of whole lines read at a time from a JSON lines file (and when scanning any file).
BLOCK_BYTES = 256 * 1024


def read_files(files: list[Path], max_bytes: int) -> ReadResult:
    """Every record of `files` in one list (small bundles, tests); `iter_records` streams them."""
    result = ReadResult()
    result.records = list(iter_records(files, max_bytes, result))
    return result


def iter_records(files: list[Path], max_bytes: int, result: ReadResult, scanned: bool = False) -> Iterator[RawRecord]:
    """The records of `files` in order; problems, notices and CSV headers go to `result`.
    `scanned`: the caller already checked each file with `scan_file`."""
    for path in files:
        if path.suffix.lower() == ".csv" and csv_record_type(path) is None:
            result.problems.append(Problem("cannot tell the record type: a CSV file's name must contain "
                                           "'entities', 'ties' or 'sources'", file=str(path)))
            continue
        try:
            yield from _file_records(path, max_bytes, result, scanned)
        except InputError as error:
            result.problems.extend(error.problems)


def _file_records(path: Path, max_bytes: int, result: ReadResult, scanned: bool) -> Iterator[RawRecord]:
    try:
        if not scanned:
            scan_file(path, max_bytes)
    except InputError as error:
        result.problems.extend(error.problems)
        return iter(())
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _stream_jsonl(path, result)
    if suffix == ".csv":
        return _stream_csv(path, result)
    text = read_text(path, max_bytes, "import limit", LIMIT_ADVICE)
    document = load_json(text, str(path)) if suffix == ".json" else load_yaml(text, str(path))
    del text
    return _document_records(path, document, result)


def scan_file(path: Path, max_bytes: int) -> int:
    """Check the size cap and that the file is UTF-8, in blocks; returns its number of lines.
    InputError names the cap, or the line of the first bad byte."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError([Problem(f"file is {size:,} bytes, over the import limit of {max_bytes:,} "
                                      f"{LIMIT_ADVICE}", file=str(path))])
        lines = 0
        with path.open("rb") as handle:
            for block in _blocks(handle):
                try:
                    decode(block, str(path))
                except InputError as error:
                    raise InputError([Problem(p.message, field=p.field, file=p.file, line=(p.line or 1) + lines)
                                      for p in error.problems]) from None
                lines += block.count(b"\n")
        return lines
    except OSError as error:
        raise InputError([Problem(f"cannot read the file ({error.strerror or error})", file=str(path))]) from None


def _blocks(handle: io.BufferedReader) -> Iterator[bytes]:
    """Blocks of whole lines: a block never ends inside a line (nor so inside a UTF-8 character)."""
    while True:
        lines = handle.readlines(BLOCK_BYTES)
        if not lines:
            return
        yield b"".join(lines)


def _document_records(path: Path, document: Any, result: ReadResult) -> Iterator[RawRecord]:
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
            yield RawRecord(key, item, str(path), line or None)


def _stream_jsonl(path: Path, result: ReadResult) -> Iterator[RawRecord]:
    """Blocks of whole lines through the core JSON lines reader, line numbers shifted per block."""
    file, offset = str(path), 0
    with path.open("rb") as handle:
        for block in _blocks(handle):
            values, problems = load_jsonl(block.decode("utf-8-sig" if offset == 0 else "utf-8"), file)
            result.problems.extend(Problem(p.message, field=p.field, file=p.file, line=(p.line or 0) + offset)
                                   for p in problems)
            for number, item in values:
                record_type = item.pop("type", None) if isinstance(item, dict) else None
                if record_type not in RECORD_TYPES:
                    result.problems.append(Problem("each line needs \"type\": one of entities, ties, sources",
                                                   field="type", file=file, line=number + offset))
                    continue
                yield RawRecord(record_type, item, file, number + offset)
            offset += block.count(b"\n")


# CSV: one record type per file, told by the file name (…entities….csv, …ties….csv, …sources….csv).
# Lists are ';'-separated; tie attributes are `attr.<name>` columns.
CSV_LIST_FIELDS = {"aliases", "counterparts", "sources", "years"}


def csv_record_type(path: Path) -> str | None:
    return next((t for t in RECORD_TYPES if t in path.name.lower()), None)


def _stream_csv(path: Path, result: ReadResult) -> Iterator[RawRecord]:
    record_type = csv_record_type(path)
    assert record_type is not None  # iter_records checked the name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, rows = read_csv(handle, str(path))
        result.csv_headers.append((str(path), record_type, header))
        for row in rows:
            if row.extra:
                result.problems.append(Problem("more values than header columns", file=str(path), line=row.line))
                continue
            yield RawRecord(record_type, _csv_record(row.values), str(path), row.line)


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


