"""Dates in words (tiewatch/core/date_words.py): what people read, with the ISO date kept for programs."""

from __future__ import annotations

import datetime as dt

import pytest

from tiewatch.core.date_words import Piece, date_pieces, date_words
from tiewatch.core.partial_dates import PartialDate


@pytest.mark.parametrize(("value", "expected"), [
    ("2018-04-16", "16 April 2018"),
    ("2018-04", "April 2018"),
    ("2018", "2018"),
    (dt.date(2018, 4, 16), "16 April 2018"),
    (PartialDate(2018, 4), "April 2018"),
    (dt.datetime(2018, 4, 16, 14, 5, tzinfo=dt.UTC), "16 April 2018, 14:05 UTC"),
    ("2018-04-16T10:00:00+00:00", "16 April 2018, 10:00 UTC"),
    ("2015-2017", "2015–2017"),
    ("2015/2017", "2015–2017"),
    ("2018-12-02 – 2018-12-11", "2–11 December 2018"),
    ("2018-12-02/2018-12-11", "2–11 December 2018"),
    ("2018-04/2018-06", "April–June 2018"),
    ("2018-11-30/2018-12-02", "30 November – 2 December 2018"),
    ("2018-04-16 – 2019-05-03", "16 April 2018 – 3 May 2019"),
    ("2018/2018-04", "2018 – April 2018"),
    ((PartialDate(2015), PartialDate(2017)), "2015–2017"),
    ("2015/2015", "2015"),
    ("2009, 2010, 2014", "2009, 2010 and 2014"),
    ("undated", "undated"),
    ("", ""),
    (None, ""),
    ("not a date", "not a date"),
    ("2018-13-01", "2018-13-01"),
])
def test_dates_read_as_words(value: object, expected: str) -> None:
    assert date_words(value) == expected


def test_each_date_keeps_its_machine_readable_form() -> None:
    assert date_pieces("2018-12-02/2018-12-11") == [
        Piece("2", "2018-12-02"), Piece("–"), Piece("11 December 2018", "2018-12-11")]
    assert date_pieces(dt.date(2018, 4, 16)) == [Piece("16 April 2018", "2018-04-16")]
    assert date_pieces("2009, 2010") == [Piece("2009", "2009"), Piece(" and "), Piece("2010", "2010")]
