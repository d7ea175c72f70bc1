import datetime as dt

import pytest

from tiewatch.core.partial_dates import PartialDate, parse_date_range, parse_partial_date


@pytest.mark.parametrize(
    ("text", "precision", "first", "last"),
    [
        ("2018", "year", dt.date(2018, 1, 1), dt.date(2018, 12, 31)),
        ("2016-02", "month", dt.date(2016, 2, 1), dt.date(2016, 2, 29)),
        ("2018-04-16", "day", dt.date(2018, 4, 16), dt.date(2018, 4, 16)),
    ],
)
def test_partial_dates_span_their_precision(text: str, precision: str, first: dt.date, last: dt.date) -> None:
    value = parse_partial_date(text)
    assert (value.precision, value.first_day, value.last_day, str(value)) == (precision, first, last, text)


def test_ints_and_dates_are_accepted() -> None:
    assert parse_partial_date(2009) == PartialDate(2009)
    assert parse_partial_date(dt.date(2018, 4, 16)) == PartialDate(2018, 4, 16)


@pytest.mark.parametrize("bad", ["18", "2018-13", "2018-02-30", "April 2018", "", None, True, "0999"])
def test_bad_dates_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_partial_date(bad)


def test_ranges() -> None:
    start, end = parse_date_range("2018-12-02/2018-12-11")
    assert (str(start), str(end)) == ("2018-12-02", "2018-12-11")
    assert parse_date_range("2018") == (PartialDate(2018), PartialDate(2018))
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_date_range("2019/2018-06")
