"""Partial dates ("2018", "2018-04", "2018-04-16") and ranges ("2018-12-02/2018-12-11")."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        if self.day is not None:
            return self.first_day
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


def parse_partial_date(value: object) -> PartialDate:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD (a date or int also accepted); ValueError if invalid."""
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a date like 2018, 2018-04 or 2018-04-16, got {value!r}")
    match = _PATTERN.match(value.strip())
    if not match:
        raise ValueError(f"expected a date like 2018, 2018-04 or 2018-04-16, got {value!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month out of range in {value!r}")
    if day is not None:
        assert month is not None
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ValueError(f"no such day: {value!r}") from None
    if not 1000 <= year <= 2999:
        raise ValueError(f"year out of range in {value!r}")
    return PartialDate(year, month, day)


def parse_date_range(value: str) -> tuple[PartialDate, PartialDate]:
    """Parse "START/END" (each a partial date) or a single partial date; END must not precede START."""
    text = str(value).strip()
    if "/" in text:
        left, right = text.split("/", 1)
        start, end = parse_partial_date(left), parse_partial_date(right)
    else:
        start = end = parse_partial_date(text)
    if end.last_day < start.first_day:
        raise ValueError(f"range ends before it starts: {value!r}")
    return start, end
