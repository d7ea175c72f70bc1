"""Filters that turn vocabulary into words for people: `{{ code|country_name }}` ("United States", not
"US"), `{{ value|words }}` ("equipment transfer", not "equipment_transfer"), `{{ value|date_words }}`
("16 April 2018", not "2018-04-16", in a `<time datetime>`; `|date_words:"text"` for plain text, as in
a page title; `|date_words:"day"` for a datetime's day alone)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from tiewatch.core import date_words as dates
from tiewatch.core.country_names import country_name as _country_name
from tiewatch.core.plain_words import words as _words
from tiewatch.registry.jurisdictions import display_name

register = template.Library()

# A screening reason is the engine's own one-line reading of a condition ("subject within
# ocd-division/country:us/state:nc", "attribute category contains one of ['tracked_armored_vehicle']");
# the engine stays plain Python without the registry's place names, so the pages word it here.
_OCD_ID = re.compile(r"ocd-division/[\w:/~.\-]+")
_QUOTED_LIST = re.compile(r"\[((?:'[^'\]]*'(?:, )?)*)\]")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
_ISO_PERIOD = re.compile(rf"({_ISO_DAY})\.\.({_ISO_DAY}|…)?")
_ISO_DATE = re.compile(rf"\b{_ISO_DAY}\b")


def _period_words(match: re.Match[str]) -> str:
    start, end = match.group(1), match.group(2)
    if not end or end == "…":
        return f"from {dates.date_words(start)} on"
    return f"from {dates.date_words(start)} to {dates.date_words(end)}"


@register.filter
def country_name(code: Any) -> str:
    return _country_name(str(code or ""))


@register.filter
def words(value: Any) -> str:
    return _words(value)


@register.filter
def reason_words(reason: Any) -> str:
    """A screening reason for people: places by name, vocabulary as words, lists without brackets."""
    text = _OCD_ID.sub(lambda m: display_name(m.group(0)), str(reason or ""))
    text = _ISO_DATE.sub(lambda m: dates.date_words(m.group(0)), _ISO_PERIOD.sub(_period_words, text))
    text = _QUOTED_LIST.sub(lambda m: ", ".join(item.strip("'") for item in m.group(1).split(", ") if item), text)
    return _SNAKE.sub(lambda m: _words(m.group(0)), text)


@register.filter
def value_words(value: Any) -> str:
    """A recorded attribute's value for people: a list as its items, vocabulary as words, a day in
    words ("31 March 2021"); anything else as recorded (names, codes and amounts keep their form)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(value_words(item) for item in value)
    text = str(value if value is not None else "")
    if re.fullmatch(_ISO_DAY, text):
        return dates.date_words(text)
    return _words(text) if _SNAKE.fullmatch(text) else text


@register.filter
def date_words(value: Any, style: str = "") -> str | SafeString:
    """A date, datetime (in the site's time zone), partial date, range or list of years in words
    (tiewatch/core/date_words.py), each date in a `<time datetime>`. Style "text": the words alone;
    "day": a datetime's day without its time; "text day": both."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date() if "day" in style.split() else value
    pieces = dates.date_pieces(value)
    if "text" in style.split():
        return "".join(piece.text for piece in pieces)
    return mark_safe("".join(  # each piece escaped by format_html
        format_html('<time datetime="{}">{}</time>', p.machine, p.text) if p.machine else format_html("{}", p.text)
        for p in pieces))
