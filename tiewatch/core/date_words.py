"""Dates in words for people: "16 April 2018", "April 2018", "2018", periods "2015–2017",
"2–11 December 2018", "16 April 2018 – 3 May 2019". THE one rule for every page; the
`date_words` template filter (tiewatch/registry/templatetags/plain_words.py) and Python-built HTML use it.

Each piece of a date in words keeps its machine-readable form (the `<time datetime="...">` value), so
pages can show words and still give programs the ISO date. Exports and the API keep ISO dates: this
module is for what a person reads. English month names are written out here, not taken from the
locale, so a server's locale never changes the words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tiewatch.core.partial_dates import PartialDate, parse_partial_date

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
EN_DASH = "–"
UNDATED = "undated"
# Ranges as the data writes them: "2018-12-02/2018-12-11", "2018-12-02 – 2018-12-11", "2015-2017" (years).
_RANGE = re.compile(r"^\s*(\S+)\s*(?:/|\s[–-]\s|–)\s*(\S+)\s*$")
_YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text; `machine` is its `<time datetime>` value, or "" for plain text between dates."""

    text: str
    machine: str = ""


def _partial_text(date: PartialDate) -> str:
    if date.month is None:
        return str(date.year)
    month = MONTHS[date.month - 1]
    return f"{month} {date.year}" if date.day is None else f"{date.day} {month} {date.year}"


def _datetime_pieces(value: dt.datetime) -> list[Piece]:
    text = f"{_partial_text(PartialDate(value.year, value.month, value.day))}, {value:%H:%M}"
    zone = value.tzname() if value.tzinfo is not None else None
    if zone:
        text += " UTC" if value.utcoffset() == dt.timedelta(0) else f" {zone}"
    return [Piece(text, value.isoformat(timespec="minutes"))]


def _period_pieces(start: PartialDate, end: PartialDate) -> list[Piece]:
    """Two dates sharing what they share once: "April–June 2018", "2–11 December 2018"."""
    if str(start) == str(end):
        return [Piece(_partial_text(start), str(start))]
    if start.precision == end.precision and start.year == end.year and start.month is not None:
        assert end.month is not None
        if start.day is None:
            return [Piece(MONTHS[start.month - 1], str(start)), Piece(EN_DASH),
                    Piece(_partial_text(end), str(end))]
        if start.month == end.month:
            return [Piece(str(start.day), str(start)), Piece(EN_DASH), Piece(_partial_text(end), str(end))]
        return [Piece(f"{start.day} {MONTHS[start.month - 1]}", str(start)), Piece(f" {EN_DASH} "),
                Piece(_partial_text(end), str(end))]
    joiner = EN_DASH if start.precision == end.precision == "year" else f" {EN_DASH} "
    return [Piece(_partial_text(start), str(start)), Piece(joiner), Piece(_partial_text(end), str(end))]


def _text_pieces(text: str) -> list[Piece]:
    """A date, a range or a list of years as text (`Tie.when`, an ISO date, an arms period)."""
    text = text.strip()
    if not text or text == UNDATED:
        return [Piece(text)] if text else []
    for pattern in (_YEAR_RANGE, _RANGE):
        match = pattern.match(text)
        if match:
            try:
                start, end = parse_partial_date(match.group(1)), parse_partial_date(match.group(2))
            except ValueError:
                return [Piece(text)]
            return _period_pieces(start, end)
    if "," in text:
        years = [part.strip() for part in text.split(",")]
        if all(re.fullmatch(r"\d{4}", y) for y in years):
            pieces: list[Piece] = []
            for i, year in enumerate(years):
                if i:
                    pieces.append(Piece(" and " if i == len(years) - 1 else ", "))
                pieces.append(Piece(year, year))
            return pieces
        return [Piece(text)]
    try:
        return [Piece(_partial_text(parse_partial_date(text)), text)] if "T" not in text else \
            _datetime_pieces(dt.datetime.fromisoformat(text))
    except ValueError:
        return [Piece(text)]


def date_pieces(value: object) -> list[Piece]:
    """`value` in words, in pieces: a date, a datetime, a PartialDate, a (start, end) pair, or text
    holding any of those (an ISO date "2018-04-16", "2018-04", "2018", a range "A/B" or "A – B", a list of
    years "2009, 2010"). Text that is none of those is kept as it is; None and "" give nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, dt.datetime):
        return _datetime_pieces(value)
    if isinstance(value, dt.date):
        return [Piece(_partial_text(PartialDate(value.year, value.month, value.day)), value.isoformat())]
    if isinstance(value, PartialDate):
        return [Piece(_partial_text(value), str(value))]
    if isinstance(value, tuple) and len(value) == 2:
        start, end = (parse_partial_date(v) if not isinstance(v, PartialDate) else v for v in value)
        return _period_pieces(start, end)
    return _text_pieces(str(value))


def date_words(value: object) -> str:
    """`value` in words as plain text: "16 April 2018", "April–June 2018", "2015–2017"."""
    return "".join(piece.text for piece in date_pieces(value))
