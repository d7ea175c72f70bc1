"""Read bundle files (YAML, JSON, JSON lines, CSV) into raw records that remember where they came
from (file and line), so every validation problem can point at its source."""

from __future__ import annotations

import bisect
import csv
import io
import json
import json.scanner
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tiewatch.core.csvsafe import unescape_cell
from tiewatch.core.errors import Problem

RECORD_TYPES = ("entities", "ties", "sources")
# Top-level keys other apps read from the same bundle (the shared seed carries them); the
# registry importer skips them with a notice instead of failing.
FOREIGN_SECTIONS = ("about", "compiled_on", "id_scheme", "policies", "campaign_events")
SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv")
LINE_KEY = "__line__"


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


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader that stores each mapping's 1-based line under LINE_KEY."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    mapping: dict[str, Any] = loader.construct_mapping(node, deep=deep)  # type: ignore[assignment]
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def _keep_dates_as_text(loader: Any) -> None:
    """Dates stay text (`2018-04-16`, as in JSON and CSV): the validator parses partial dates itself,
    and PyYAML would otherwise fail outright on an impossible date such as 2018-02-30."""
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
        for first, resolvers in loader.yaml_implicit_resolvers.items()
    }


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_keep_dates_as_text(_LineLoader)

try:  # The C parser is ~10x faster on big bundles; the constructor (and line marks) stay ours.

    class _FastLineLoader(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        pass

    _FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _keep_dates_as_text(_FastLineLoader)
    YAML_LOADER: type = _FastLineLoader
except AttributeError:  # PyYAML built without libyaml
    YAML_LOADER = _LineLoader


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
    for path in files:
        size = path.stat().st_size
        if size > max_bytes:
            result.problems.append(Problem(
                f"file is {size:,} bytes, over the import limit of {max_bytes:,} "
                "(TIEWATCH_IMPORT_MAX_BYTES); split it or raise the limit", file=str(path)))
            continue
        reader = {".csv": _read_csv, ".jsonl": _read_jsonl, ".json": _read_json}.get(path.suffix.lower(), _read_yaml)
        reader(path, result)
    return result


def _decode(path: Path, result: ReadResult) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        result.problems.append(Problem(f"not UTF-8 text ({error.reason})", file=str(path), line=line))
        return None


def _read_yaml(path: Path, result: ReadResult) -> None:
    text = _decode(path, result)
    if text is None:
        return
    try:
        document = yaml.load(text, Loader=YAML_LOADER)  # a safe loader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        result.problems.append(Problem(f"invalid YAML: {reason}", file=str(path), line=line))
        return
    _read_document(path, document, result, line_of=None)


def _read_json(path: Path, result: ReadResult) -> None:
    text = _decode(path, result)
    if text is None:
        return
    try:
        document = _LineDecoder(text).decode(text)
    except json.JSONDecodeError as error:
        result.problems.append(Problem(f"invalid JSON: {error.msg}", file=str(path), line=error.lineno))
        return
    _read_document(path, document, result, line_of=None)


class _LineDecoder(json.JSONDecoder):
    """A JSON decoder that stores each object's line (of its opening brace) under LINE_KEY, as the
    YAML loader does. It uses the pure-Python scanner (the C one cannot be hooked): big bundles are
    better written as JSON lines."""

    def __init__(self, text: str) -> None:
        super().__init__()
        newlines = [match.start() for match in re.finditer("\n", text)]

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[dict[str, Any], int]:
            obj, end = json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
            obj[LINE_KEY] = bisect.bisect_left(newlines, s_and_end[1]) + 1
            return obj, end

        self.parse_object = parse_object  # type: ignore[assignment]
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


def _read_document(path: Path, document: Any, result: ReadResult, line_of: dict[str, int] | None) -> None:
    if not isinstance(document, dict):
        result.problems.append(Problem("expected a mapping with 'entities', 'ties' and/or 'sources' lists",
                                       file=str(path), line=1))
        return
    for key, value in document.items():
        if key == LINE_KEY:
            continue
        if key in FOREIGN_SECTIONS:
            result.notices.append(f"{path}: skipped section '{key}' (not registry data)")
            continue
        if key not in RECORD_TYPES:
            from tiewatch.core.errors import did_you_mean

            result.problems.append(Problem(f"unknown section{did_you_mean(key, RECORD_TYPES)}",
                                           field=key, file=str(path), line=_section_line(document, key)))
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            result.problems.append(Problem("expected a list", field=key, file=str(path)))
            continue
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                result.problems.append(Problem(f"item {index + 1}: expected a mapping", field=key, file=str(path)))
                continue
            line = item.pop(LINE_KEY, None)
            if line is None and line_of is not None:
                line = line_of.get(str(item.get("id", "")))
            result.records.append(RawRecord(key, _strip_lines(item), str(path), line))


def _section_line(document: dict[str, Any], key: str) -> int | None:
    return document.get(LINE_KEY)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _read_jsonl(path: Path, result: ReadResult) -> None:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                result.problems.append(Problem(f"invalid JSON: {error.msg}", file=str(path), line=number))
                continue
            record_type = item.pop("type", None) if isinstance(item, dict) else None
            if record_type not in RECORD_TYPES:
                result.problems.append(Problem("each line needs \"type\": one of entities, ties, sources",
                                               field="type", file=str(path), line=number))
                continue
            result.records.append(RawRecord(record_type, item, str(path), number))


# CSV: one record type per file, told by the file name (…entities….csv, …ties….csv, …sources….csv).
# Lists are ';'-separated; tie attributes are `attr.<name>` columns.
CSV_LIST_FIELDS = {"aliases", "counterparts", "sources", "years"}


def _read_csv(path: Path, result: ReadResult) -> None:
    record_type = next((t for t in RECORD_TYPES if t in path.name.lower()), None)
    if record_type is None:
        result.problems.append(Problem("cannot tell the record type: a CSV file's name must contain "
                                       "'entities', 'ties' or 'sources'", file=str(path)))
        return
    text = _decode(path, result)
    if text is None:
        return
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        result.problems.append(Problem("empty CSV file (no header)", file=str(path), line=1))
        return
    result.csv_headers.append((str(path), record_type, list(reader.fieldnames)))
    for row in reader:
        line = reader.line_num
        if None in row:
            result.problems.append(Problem("more values than header columns", file=str(path), line=line))
            continue
        result.records.append(RawRecord(record_type, _csv_record(row), str(path), line))


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


