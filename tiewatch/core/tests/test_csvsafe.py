"""Spreadsheet-safe CSV: no cell starts a formula, and the escape reads back to the value written."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tiewatch.core import csvsafe
from tiewatch.core.csvsafe import escape_cell, unescape_cell


def test_formula_starts_get_an_apostrophe() -> None:
    for value in ("=1+1", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx", '=HYPERLINK("http://x","y")'):
        assert escape_cell(value) == "'" + value


def test_plain_values_and_numbers_are_left_alone() -> None:
    for value in ("Durham", "-5", "+1.5", "3", "a=b", "", None, 7, True):
        assert escape_cell(value) == value


def test_a_leading_apostrophe_is_doubled_so_the_escape_reverses() -> None:
    assert escape_cell("'=1") == "''=1"
    assert escape_cell("'tis") == "''tis"
    assert unescape_cell("''tis") == "'tis" and unescape_cell("'=1") == "=1" and unescape_cell("x") == "x"


def test_writer_and_dict_writer_escape_every_cell() -> None:
    out = io.StringIO()
    csvsafe.writer(out).writerows([["name", "note"], ["=cmd()", "@x"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["name", "note"], ["'=cmd()", "'@x"]]
    out = io.StringIO()
    writer = csvsafe.DictWriter(out, fieldnames=["a", "b"])
    writer.writeheader()
    writer.writerow({"a": "-1+1", "b": "-1"})
    writer.writerows([{"a": "+x", "b": "ok"}])
    assert list(csv.DictReader(io.StringIO(out.getvalue()))) == [{"a": "'-1+1", "b": "-1"}, {"a": "'+x", "b": "ok"}]


@settings(deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_written_cells_read_back_exactly_and_never_start_a_formula(row: list[str]) -> None:
    out = io.StringIO()
    csvsafe.writer(out).writerow(row)
    [read] = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    for cell in read:
        assert cell[:1] not in csvsafe.FORMULA_STARTS or csvsafe.PLAIN_NUMBER.fullmatch(cell)
    assert [unescape_cell(cell) for cell in read] == row
