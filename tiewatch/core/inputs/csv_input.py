"""CSV with the line each record starts on (a quoted value may span lines)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from tiewatch.core.inputs.text import problem


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # where the record starts
    values: dict[str, str]
    extra: list[str]  # values beyond the header's columns


def read_csv(text: str | TextIO, file: str = "<text>") -> tuple[list[str], Iterator[CsvRow]]:
    """The header and an iterator of rows (blank lines skipped). Raises InputError for a file
    without a header or with a duplicate column name; csv errors surface as InputError too.
    `text` may also be a text file opened with newline="" (rows are then read as they are needed)."""
    reader = csv.reader(io.StringIO(text, newline="") if isinstance(text, str) else text)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise problem(f"invalid CSV: {error}", file, reader.line_num) from None
    if not header:
        raise problem("empty CSV file (no header)", file, 1)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise problem(f"duplicate column {name!r}", file, 1, field=name)
        seen.add(name)
    return header, _rows(reader, header, file)


def _rows(reader: Any, header: list[str], file: str) -> Iterator[CsvRow]:
    last = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise problem(f"invalid CSV: {error}", file, last + 1) from None
        start, last = last + 1, reader.line_num
        if not values:
            continue
        row = dict(zip(header, values))
        for name in header[len(values):]:
            row[name] = ""
        yield CsvRow(start, row, values[len(header):])
