"""Spreadsheet-safe CSV: every CSV the project writes goes through here, so no cell from data can
start a formula when the file is opened in a spreadsheet (CSV or "formula" injection, OWASP).

A text cell that starts with one of `= + - @`, a tab, a carriage return or a line feed is written
with a leading apostrophe, the spreadsheets' own "this is text" mark, which they hide on display.
Plain numbers (`-5`, `+1.5`) are left as they are: they cannot run anything and stay numbers.

The escape is reversible: a cell that already starts with an apostrophe gets one more, so
`unescape_cell` (one leading apostrophe off) gives back exactly the value that was written.
`tiewatch import` reads CSV cells through it, which keeps export -> import a round trip.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

ESCAPE = "'"
# OWASP's list of characters a spreadsheet reads as the start of a formula, and the line feed.
FORMULA_STARTS = frozenset("=+-@\t\r\n")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def escape_cell(value: Any) -> Any:
    """The value to write: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first == ESCAPE or (first in FORMULA_STARTS and not PLAIN_NUMBER.fullmatch(value)):
        return ESCAPE + value
    return value


def unescape_cell(text: str) -> str:
    """The value that `escape_cell` was given: one leading apostrophe off."""
    return text[1:] if text.startswith(ESCAPE) else text


class SafeWriter:
    """`csv.writer` with every cell passed through `escape_cell`."""

    def __init__(self, out: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([escape_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str], **fmtparams: Any) -> SafeWriter:
    return SafeWriter(out, **fmtparams)


if TYPE_CHECKING:
    _DictWriter = csv.DictWriter[str]
else:  # csv.DictWriter is generic only to the type checker
    _DictWriter = csv.DictWriter


class DictWriter(_DictWriter):
    """`csv.DictWriter` with every cell passed through `escape_cell`."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: escape_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        # csv.DictWriter.writerows goes around writerow; route each row through it.
        for rowdict in rowdicts:
            self.writerow(rowdict)
