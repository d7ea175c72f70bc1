"""FollowTheMoney entities without the followthemoney library.

`tiewatch export --format ftm` writes FtM's JSON entity format: one object a line,
`{"id": ..., "schema": ..., "properties": {name: [value, ...]}}`. Writing that needs only the property
names of the few schemata we export and FtM's value cleaning for their types, both here. The library
itself pulls in PyICU (through `normality`), which has no wheels and is compiled from C++ on every
fresh install; so the runtime does without it and the test suite (which installs followthemoney)
checks that the library reads every exported entity back unchanged (docs/install.md).

`model.make_entity(schema)` gives a proxy with the library's `id`, `add()` and `to_dict()`, so the
exporter reads as it would with the library. Values are cleaned as FtM cleans them: text sanitised
(control and zero-width characters out, other spaces made plain, NFC, trimmed), names with surrounding quotes off and
whitespace squashed, dates kept when they are valid ISO dates (year, year-month or day), countries checked against FtM's
vocabulary, URLs with a lower-case scheme and a path, entity ids checked against FtM's id pattern.
A property this table does not know is an error, as in the library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tiewatch.core.countries import COUNTRY_CODES

# Properties by type (the types our exports use), from FtM's schemata (followthemoney 4.11).
_ORGANIZATION = {
    "name": "abbreviation alias name previousName weakAlias",
    "string": "classification icijId keywords legalForm program publisher sector status taxStatus",
    "text": "description notes summary",
    "url": "alephUrl opencorporatesUrl publisherUrl sourceUrl website wikipediaUrl",
    "date": "createdAt dissolutionDate incorporationDate modifiedAt retrievedAt",
    "country": "country jurisdiction mainCountry",
    "entity": "addressEntity parent proof riskSource",
}
_COMPANY_EXTRA = {"string": "caemCode currency fssCode okopfCode oksmCode"}
_UNKNOWN_LINK = {
    "name": "namesMentioned",
    "string": "publisher recordId role status",
    "text": "description summary",
    "url": "alephUrl publisherUrl sourceUrl",
    "date": "date endDate modifiedAt retrievedAt startDate",
    "entity": "object proof subject",
}


def _properties(*specs: dict[str, str]) -> dict[str, str]:
    return {prop: kind for spec in specs for kind, names in spec.items() for prop in names.split()}


SCHEMATA: dict[str, dict[str, str]] = {
    "Organization": _properties(_ORGANIZATION),
    "PublicBody": _properties(_ORGANIZATION),
    "Company": _properties(_ORGANIZATION, _COMPANY_EXTRA),
    "UnknownLink": _properties(_UNKNOWN_LINK),
}

ENTITY_ID = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$")
ENTITY_ID_MAX = 200
_SPACES = {"\u2028", "\u2029"}  # line and paragraph separators: spaces, like every Zs but the no-break one
_KEEP_CONTROLS = {"\t", "\n", "\r"}
_QUOTES = "'\""
_ZERO_PARTS = re.compile(r"(-00)+$")
_DATE = re.compile(r"^([12][0-9]{3})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


def sanitize_text(value: Any) -> str | None:
    """FtM's first step for every value: text, NFC, no control/format characters, trimmed."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value.isoformat() if isinstance(value, dt.date) else str(value))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in _SPACES or (category == "Zs" and char != "\xa0"):
            kept.append(" ")
        elif char in _KEEP_CONTROLS or category not in ("Cc", "Cf", "Cs"):
            kept.append(char)
    cleaned = "".join(kept).strip()
    return cleaned or None


def entity_id(value: str) -> str:
    """An FtM entity id for `value`: itself when FtM accepts it, else a stable hash of it (FtM ids
    allow letters, digits, '.' and '-' only, up to 200 characters; registry ids may have '_')."""
    if ENTITY_ID.match(value) and len(value) <= ENTITY_ID_MAX:
        return value
    return "id-" + hashlib.sha1(value.encode("utf-8")).hexdigest()


def _clean_name(text: str) -> str | None:
    if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES and "\n" not in text:
        text = text[1:-1]
    return " ".join(text.split()) or None


def _clean_date(text: str) -> str | None:
    """An ISO date, year-month or year (what the registry stores) from 1000 to 2999; else nothing."""
    text = _ZERO_PARTS.sub("", text)  # FtM reads a trailing zero month or day as "not given"
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return text


def _clean_url(text: str) -> str | None:
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, parts.fragment))


def _clean_country(text: str) -> str | None:
    code = text.lower()
    return code if code in COUNTRY_CODES else None


CLEANERS = {
    "name": _clean_name, "string": lambda text: text, "text": lambda text: text, "url": _clean_url,
    "date": _clean_date, "country": _clean_country, "entity": lambda text: entity_id(text),
}


class Proxy:
    """One FtM entity being built: `add()` cleans and de-duplicates, `to_dict()` is the JSON form."""

    def __init__(self, schema: str) -> None:
        if schema not in SCHEMATA:
            raise ValueError(f"unknown FollowTheMoney schema {schema!r}")
        self.schema = schema
        self._id: str | None = None
        self._properties: dict[str, list[str]] = {}
        self.referents: list[str] = []

    @property
    def id(self) -> str | None:
        return self._id

    @id.setter
    def id(self, value: str | None) -> None:
        self._id = entity_id(value) if value else None

    def add(self, prop: str, values: Any) -> None:
        kind = SCHEMATA[self.schema].get(prop)
        if kind is None:
            raise ValueError(f"unknown property {prop!r} of FollowTheMoney schema {self.schema}")
        items: Iterable[Any] = values if isinstance(values, (list, tuple, set, frozenset)) else [values]
        for item in items:
            text = sanitize_text(item)
            value = CLEANERS[kind](text) if text is not None else None
            if value is None or (kind == "entity" and value == self._id):
                continue  # empty, invalid, or an entity pointing at itself: FtM leaves these out
            stored = self._properties.setdefault(prop, [])
            if value not in stored:
                stored.append(value)

    def get(self, prop: str) -> list[str]:
        return list(self._properties.get(prop, []))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self._id, "schema": self.schema,
                                "properties": {prop: list(values) for prop, values in self._properties.items()}}
        if self.referents:
            data["referents"] = list(self.referents)  # the library keeps it as context
        return data


class _Model:
    """The part of followthemoney's `model` the exporter uses."""

    def make_entity(self, schema: str) -> Proxy:
        return Proxy(schema)


model = _Model()
