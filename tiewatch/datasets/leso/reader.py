"""Reading the merged LESO files (`<ST>_leso.tsv`): the header checked against the 24 known
columns, each row streamed with the line it starts on, fields typed one by one.

A whole file is refused (InputError, nothing imported) when it is not UTF-8 or its header is not
the known one; a single row is refused (a Problem naming file:line: field) when it has the wrong
number of fields or a value that does not parse.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

from tiewatch.core.errors import Problem
from tiewatch.core.inputs import InputError, decode, read_bytes

COLUMNS = ("File", "Sheet", "StateAbbreviation", "RequestingAgency", "ItemDescription", "RecordDate",
           "AcquisitionValue", "Quantity", "UnitIncrement", "Item_FSG", "Item_FSC", "Item_CC", "Item_Code",
           "Justification", "NSN", "FSC", "NIIN", "DEMILCode", "DEMILIC", "StationType", "RequisitionID",
           "CancelledBy", "RTDRef", "ReasonCancelled")
# Read and checked but not kept: the country and item codes are the two parts of the NIIN, which is kept whole.
UNUSED = ("Item_CC", "Item_Code")
NOT_IN_FILE = "not in file"
_CLEAN = {NOT_IN_FILE: ""}  # looked up with the value itself as default: C loops, not a Python one per value
# A bigger file is not one of these (the largest state file is 3 MB); read whole to find bad bytes' lines.
MAX_FILE_BYTES = 256 * 1024 * 1024
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: \d{2}:\d{2}:\d{2}(?:\.\d+)?)?$")


class FieldError(ValueError):
    """A value that does not parse; the reader turns it into a Problem naming the field."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def rows(path: Path, label: str) -> Iterator[tuple[int, list[str]] | Problem]:
    """(line, values in `COLUMNS` order) per row, or a Problem for a row that cannot be split into 24
    fields. Lists, not dicts: a dict per row was a tenth of the import's Python time."""
    text = decode(read_bytes(path, MAX_FILE_BYTES), label)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"', strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise InputError([Problem(f"unreadable header ({error})", file=label, line=1)]) from None
    check_header(header, label)
    columns: list[str] = header or []
    width = len(columns)
    # Files written in another column order are read through this order; the known order is kept as is.
    order = None if tuple(columns) == COLUMNS else [columns.index(name) for name in COLUMNS]
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Problem(f"cannot split the row into fields ({error}); the file may be truncated",
                          file=label, line=start)
            return
        if len(values) != width:
            yield Problem(f"{len(values)} fields, {width} expected (a truncated or damaged row?)",
                          file=label, line=start)
        elif values:
            yield start, values if order is None else [values[i] for i in order]
        start = reader.line_num + 1


def check_header(header: list[str] | None, label: str) -> None:
    if not header:
        raise InputError([Problem("empty file: a header row of the 24 LESO columns is expected", file=label, line=1)])
    problems = [Problem(f"column {name!r} is missing", field=name, file=label, line=1)
                for name in COLUMNS if name not in header]
    problems += [Problem(f"unexpected column {name!r} (the known columns: {', '.join(COLUMNS)})", field=name,
                         file=label, line=1) for name in header if name not in COLUMNS]
    problems += [Problem(f"column {name!r} appears twice", field=name, file=label, line=1)
                 for i, name in enumerate(header) if name in header[:i]]
    if problems:
        raise InputError(problems)


def clean(values: list[str]) -> list[str]:
    """Every value stripped, the literal "not in file" made ""."""
    return list(map(_CLEAN.get, stripped := list(map(str.strip, values)), stripped))


def date(column: str, value: str) -> dt.date:
    match = _DATE.match(value)
    if not match:
        raise FieldError(column, f"{value!r} is not a date (YYYY-MM-DD, optionally with a time)")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as error:
        raise FieldError(column, f"{value!r} is not a date ({error})") from None


def number(column: str, value: str) -> float | None:
    if not value:
        return None
    try:
        parsed = float(value)
    except ValueError:
        raise FieldError(column, f"{value!r} is not a number") from None
    if not 0 <= parsed < 1e12:
        raise FieldError(column, f"{value!r} is out of range (0 to a trillion US$)")
    return parsed


def count(column: str, value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise FieldError(column, f"{value!r} is not a whole number of units")
    return int(value)


def code(value: str) -> str:
    """A code written as a number by a spreadsheet ("1.0" for the DEMIL integrity code 1)."""
    return value[:-2] if value.endswith(".0") else value
