"""Validate raw records into clean, typed rows. Every problem names file, line and field; nothing
here touches the database except to look up ids the bundle refers to but does not define."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tiewatch.core.countries import COUNTRY_CODES
from tiewatch.core.errors import Problem, did_you_mean
from tiewatch.core.partial_dates import PartialDate
from tiewatch.core.partial_dates import parse_date_range as _parse_date_range
from tiewatch.core.partial_dates import parse_partial_date as _parse_partial_date
from tiewatch.core.records import ENTITY_KINDS, TIE_KINDS, TIE_STATUSES
from tiewatch.core.urls import is_http_url
from tiewatch.registry.importers.claims import ClaimRow, read_claims
from tiewatch.registry.importers.readers import RawRecord

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
OCD_ID = re.compile(r"^ocd-division/country:[a-z]{2}(?:/[a-z_]+:[^/\s]+)*$")
# ISO 3166-1 alpha-2 codes from the country list (tiewatch.core.countries), which also holds longer
# codes for regions (gb-sct) and zz for "global": neither names a country (Entity.country holds two letters).
COUNTRIES = frozenset(code.upper() for code in COUNTRY_CODES
                      if len(code) == 2 and code.isalpha() and code != "zz") | {"PS", "XK"}

def type_name(value: Any) -> str:
    """The value's kind as a reader of the file knows it: the input layer's line-aware LineDict and
    LineList are a mapping and a list."""
    for kind in (bool, int, float, str, dict, list):
        if isinstance(value, kind):
            return kind.__name__
    return type(value).__name__


ENTITY_FIELDS = {"id", "name", "kind", "country", "jurisdiction", "aliases", "parent", "note", "sources",
                 "uncertain", "published", "extra", "merged_ids", "claims"}
# Sourced facts the seed records about some entities; kept in Entity.extra as they are.
ENTITY_EXTRA_FIELDS = {"member_of", "sponsor", "years_active", "counterparts"}
ENTITY_REF_EXTRAS = {"member_of", "sponsor", "counterparts"}
TIE_FIELDS = {"id", "subject", "counterparts", "counterpart", "program", "kind", "date", "dates", "years",
              "status", "note", "sources", "attributes", "uncertain", "published", "funder",
              "counterpart_country", "claims"}
SOURCE_FIELDS = {"id", "url", "title", "publisher", "published_on", "accessed_on", "excerpt", "published"}


# Rows have slots: a big import makes one per record (less memory, quicker attribute access).
@dataclass(slots=True)
class SourceRow:
    id: str
    url: str
    title: str = ""
    publisher: str = ""
    published_on: str | None = None
    accessed_on: str | None = None
    excerpt: str = ""
    published: bool = True


@dataclass(slots=True)
class EntityRow:
    id: str
    name: str
    kind: str
    country: str
    jurisdiction: str | None
    aliases: list[str]
    parent: str | None
    note: str
    uncertain: bool
    published: bool
    extra: dict[str, Any]
    sources: list[str]
    line: int | None = None
    file: str = ""
    # Ids of records merged into this one (exports list them): they keep leading here after an import.
    merged_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TieRow:
    id: str
    subject: str
    counterparts: list[str]
    program: str | None
    kind: str
    start: PartialDate | None
    end: PartialDate | None
    years: list[int]
    status: str
    attributes: dict[str, Any]
    note: str
    uncertain: bool
    published: bool
    sources: list[str]
    line: int | None = None
    file: str = ""


@dataclass
class Bundle:
    """Validated rows by id. The streaming importer (importers.stream) keeps only the current batch
    of entities and ties here and remembers the ids seen before it (`first_defined`)."""
    sources: dict[str, SourceRow] = field(default_factory=dict)
    entities: dict[str, EntityRow] = field(default_factory=dict)
    ties: dict[str, TieRow] = field(default_factory=dict)
    # (owner kind, owner id) -> the claims of a record that has a `claims` key (docs/registry.md#claims-and-confidence)
    claims: dict[tuple[str, str], list[ClaimRow]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def first_defined(self, table: str, row_id: str) -> tuple[str, int | None] | None:
        """Where an entity or tie with this id was defined before (file, line), or None if it was not."""
        earlier = getattr(self, table).get(row_id)
        return None if earlier is None else (earlier.file, earlier.line)

    def keep(self, table: str, row: EntityRow | TieRow) -> None:
        getattr(self, table)[row.id] = row

    def keep_unique(self, table: str, row: EntityRow | TieRow) -> tuple[str, int | None] | None:
        """Keep `row` unless its id was defined before; then return where (file, line), keeping nothing."""
        earlier = self.first_defined(table, row.id)
        if earlier is None:
            self.keep(table, row)
        return earlier


# Big bundles repeat the same few thousand dates: parse each once (results are immutable; errors
# are not cached and are raised again each time).
parse_date_range = functools.lru_cache(maxsize=100_000)(_parse_date_range)
_parse_partial_text = functools.lru_cache(maxsize=100_000)(_parse_partial_date)


def parse_partial_date(value: Any) -> PartialDate:
    return _parse_partial_text(value) if isinstance(value, str) else _parse_partial_date(value)


def source_id_for(url: str) -> str:
    """Stable id of a source cited only by URL: the same URL always gets the same id."""
    return "src-" + hashlib.sha1(url.strip().encode()).hexdigest()[:12]


class _Checker:
    """Collects problems for one record, pre-filled with its file and line."""

    def __init__(self, bundle: Bundle, record: RawRecord) -> None:
        self.bundle, self.record, self.data = bundle, record, record.data

    def problem(self, field_name: str, message: str) -> None:
        self.bundle.problems.append(Problem(message, field=field_name, file=self.record.file, line=self.record.line))

    def text(self, name: str, required: bool = False, max_length: int = 10_000) -> str:
        value = self.data.get(name)
        if value.__class__ is str:  # the common case, first
            text = value.strip()
            if text and len(text) <= max_length:
                return text
            value = text  # blank (so "required"), or too long (below)
        if value is None or value == "":
            if required:
                self.problem(name, "required")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(name, f"expected text, got {type_name(value)}")
            return ""
        text = str(value).strip()
        if len(text) > max_length:
            self.problem(name, f"longer than {max_length} characters")
        return text

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None:  # most records leave their flags out
            return default
        return _flag(self, name, value, default)

    def choice(self, name: str, choices: tuple[str, ...], required: bool = True, default: str = "") -> str:
        value = self.text(name, required=required)
        if not value:
            return default
        if value not in choices:
            self.problem(name, f"unknown value {value!r}{did_you_mean(value, choices)}; "
                               f"expected one of: {', '.join(choices)}")
        return value

    def string_list(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(name, "expected a list of strings")
            return []
        return [v.strip() for v in value if v.strip()]

    def unknown_fields(self, allowed: set[str]) -> None:
        if self.data.keys() <= allowed:  # one set comparison in C for the records that are fine
            return
        for key in self.record.data:
            if key in allowed:
                continue
            if self.record.file.lower().endswith(".csv"):
                continue  # CSV columns are checked once per file, by csv_column_notices
            self.problem(str(key), f"unknown field{did_you_mean(str(key), allowed)}")

    def slug(self, name: str) -> str:
        value = self.text(name, required=True, max_length=250)
        if value and not SLUG.match(value):
            self.problem(name, f"{value!r} is not a valid id: use lower-case letters, digits and - _ .")
        return value


ALLOWED_FIELDS = {"entities": ENTITY_FIELDS | ENTITY_EXTRA_FIELDS, "ties": TIE_FIELDS, "sources": SOURCE_FIELDS}


def csv_column_notices(file: str, record_type: str, columns: list[str]) -> list[str]:
    """A CSV column the importer does not know is not an error (spreadsheets carry extra columns):
    it is ignored, with a notice naming the closest known column."""
    allowed = ALLOWED_FIELDS[record_type]
    notices = []
    for column in columns:
        if column in allowed or (record_type == "ties" and column.startswith("attr.") and len(column) > 5):
            continue
        notices.append(f"{file}: unused column '{column}'{did_you_mean(column, allowed)}")
    return notices


def validate_records(records: Iterable[RawRecord], bundle: Bundle | None = None) -> Bundle:
    bundle = Bundle() if bundle is None else bundle
    for record in records:
        validate_record(bundle, record)
    return bundle


def validate_record(bundle: Bundle, record: RawRecord) -> None:
    """Validate one record into `bundle`: its row (kept by `bundle.keep`) or its problems."""
    HANDLERS[record.type](bundle, record)


def _add_unique(bundle: Bundle, table: str, row: EntityRow | TieRow, check: _Checker) -> None:
    earlier = bundle.keep_unique(table, row)
    if earlier is not None:
        file, line = earlier
        where = ""
        if line:
            where = f" (first defined at line {line})" if file == check.record.file \
                else f" (first defined at {file}:{line})"
        check.problem("id", f"duplicate id {row.id!r}{where}")


def _source(bundle: Bundle, record: RawRecord) -> None:
    check = _Checker(bundle, record)
    check.unknown_fields(SOURCE_FIELDS)
    row = _source_row(check, record.data)
    if row is not None:
        existing = bundle.sources.get(row.id)
        if existing is not None and existing.url != row.url:
            check.problem("id", f"duplicate id {row.id!r} for a different URL")
        bundle.sources[row.id] = _merge_source(existing, row)


def _source_row(check: _Checker, data: dict[str, Any]) -> SourceRow | None:
    url = str(data.get("url") or "").strip()
    if not url:
        check.problem("sources.url", "required")
        return None
    if not is_http_url(url) or len(url) > 1000:
        check.problem("sources.url", f"not a valid http(s) URL: {url!r}")
        return None
    dates: dict[str, str | None] = {}
    for name in ("published_on", "accessed_on"):
        value = data.get(name)
        if value in (None, ""):
            dates[name] = None
            continue
        try:
            parsed = parse_partial_date(value)
            if parsed.precision != "day":
                raise ValueError("needs a full date YYYY-MM-DD")
            dates[name] = str(parsed)
        except ValueError as error:
            check.problem(f"sources.{name}", str(error))
            dates[name] = None
    return SourceRow(
        id=str(data.get("id") or source_id_for(url)), url=url,
        title=str(data.get("title") or "")[:500], publisher=str(data.get("publisher") or "")[:200],
        published_on=dates["published_on"], accessed_on=dates["accessed_on"],
        excerpt=str(data.get("excerpt") or ""), published=_flag(check, "sources.published", data.get("published"), True),
    )


def _flag(check: _Checker, name: str, value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.lower() in ("true", "yes", "1")
    check.problem(name, f"expected true or false, got {value!r}")
    return default


def _merge_source(existing: SourceRow | None, new: SourceRow) -> SourceRow:
    """The same URL cited twice: keep every detail either citation gave."""
    if existing is None:
        return new
    for name in ("title", "publisher", "published_on", "accessed_on", "excerpt"):
        if not getattr(existing, name) and getattr(new, name):
            setattr(existing, name, getattr(new, name))
    return existing


def _cited_sources(bundle: Bundle, check: _Checker) -> list[str]:
    value = check.record.data.get("sources")
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    ids: list[str] = []
    for item in value:
        if isinstance(item, str):
            item = item.strip()
            if not is_http_url(item):
                ids.append(item)  # a reference to a source defined in the bundle or the database
                continue
        data = {"url": item} if isinstance(item, str) else item
        if not isinstance(data, dict):
            check.problem("sources", "each source is a URL, a source id or a mapping with a url")
            continue
        unknown = set(data) - SOURCE_FIELDS
        for key in sorted(unknown):
            check.problem(f"sources.{key}", f"unknown field{did_you_mean(key, SOURCE_FIELDS)}")
        row = _source_row(check, data)
        if row is not None:
            bundle.sources[row.id] = _merge_source(bundle.sources.get(row.id), row)
            ids.append(row.id)
    return list(dict.fromkeys(ids))


def _entity(bundle: Bundle, record: RawRecord) -> None:
    check = _Checker(bundle, record)
    check.unknown_fields(ENTITY_FIELDS | ENTITY_EXTRA_FIELDS)
    data = record.data
    country = check.text("country").upper()
    if country and country not in COUNTRIES:
        check.problem("country", f"unknown ISO 3166-1 alpha-2 code {country!r}")
    jurisdiction = check.text("jurisdiction") or None
    if jurisdiction and not OCD_ID.match(jurisdiction):
        check.problem("jurisdiction", f"not an Open Civic Data division id: {jurisdiction!r} "
                                      "(expected e.g. ocd-division/country:us/state:nc/place:durham)")
    if data.get("extra") is not None and not isinstance(data.get("extra"), dict):
        check.problem("extra", "expected a mapping of names to values")
    extra = dict(data.get("extra") or {}) if isinstance(data.get("extra"), dict) else {}
    extra.update({k: data[k] for k in ENTITY_EXTRA_FIELDS if data.get(k) is not None})
    extra = _plain(check, "extra", extra)
    row = EntityRow(
        id=check.slug("id"), name=check.text("name", required=True, max_length=300),
        kind=check.choice("kind", ENTITY_KINDS), country=country, jurisdiction=jurisdiction,
        aliases=check.string_list("aliases"), parent=check.text("parent") or None, note=check.text("note"),
        uncertain=check.flag("uncertain", False), published=check.flag("published", True), extra=extra,
        sources=_cited_sources(bundle, check), line=record.line, file=record.file,
        merged_ids=check.string_list("merged_ids"),
    )
    for old_id in row.merged_ids:
        if not SLUG.match(old_id):
            check.problem("merged_ids", f"not a valid id: {old_id[:60]!r}")
    if row.id:
        _add_unique(bundle, "entities", row, check)
        if data.get("claims") is not None:
            _claims(bundle, record, "entity", row.id)


def _tie(bundle: Bundle, record: RawRecord) -> None:
    check = _Checker(bundle, record)
    check.unknown_fields(TIE_FIELDS)
    data = record.data
    counterparts = check.string_list("counterparts") + check.string_list("counterpart")
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        check.problem("attributes", "expected a mapping of names to values")
        attributes = {}
    attributes = _plain(check, "attributes", attributes) if attributes else {}
    for name in ("funder", "counterpart_country"):
        if data.get(name):
            attributes[name] = data[name]
    if attributes.get("counterpart_country") not in (None, ""):
        _check_country(check, attributes, "counterpart_country" if data.get("counterpart_country")
                       else "attributes.counterpart_country")
    if not counterparts and not attributes.get("counterpart_country"):
        check.problem("counterparts", "a tie needs at least one counterpart (or a counterpart_country "
                                      "when the foreign party is not known)")
    start, end, years = _tie_dates(check)
    sources = _cited_sources(bundle, check)
    if not sources:
        check.problem("sources", "a tie needs at least one source")
    row = TieRow(
        id=check.slug("id"), subject=check.text("subject", required=True), counterparts=list(dict.fromkeys(counterparts)),
        program=check.text("program") or None, kind=check.choice("kind", TIE_KINDS),
        start=start, end=end, years=years,
        status=check.choice("status", TIE_STATUSES, required=False, default="reported"),
        attributes=attributes, note=check.text("note"), uncertain=check.flag("uncertain", False),
        published=check.flag("published", True), sources=sources, line=record.line, file=record.file,
    )
    if row.id:
        _add_unique(bundle, "ties", row, check)
        if data.get("claims") is not None:  # few records have claims: no call for the others
            _claims(bundle, record, "tie", row.id)


def _claims(bundle: Bundle, record: RawRecord, owner: str, owner_id: str) -> None:
    rows = read_claims(record.data.get("claims"), owner, owner_id, record.file, record.line, bundle.problems)
    if rows is not None:
        bundle.claims[(owner, owner_id)] = rows


HANDLERS: dict[str, Callable[[Bundle, RawRecord], None]] = {"sources": _source, "entities": _entity, "ties": _tie}


def country_problem(value: Any) -> str | None:
    """Why `value` is not an ISO 3166-1 alpha-2 country code (any case), or None when it is one."""
    if not isinstance(value, str):
        return f"expected a two-letter ISO 3166-1 country code, got {type_name(value)}"
    if value.strip().upper() not in COUNTRIES:
        return f"unknown ISO 3166-1 alpha-2 code {value.strip()[:20]!r}"
    return None


def _check_country(check: _Checker, attributes: dict[str, Any], field_name: str) -> None:
    """counterpart_country names the foreign party's country when the party itself is not known: it
    is stored upper-case, and filtered on (Tie.counterpart_countries), so only a real code is kept."""
    problem = country_problem(attributes["counterpart_country"])
    if problem:
        check.problem(field_name, problem)
    else:
        attributes["counterpart_country"] = attributes["counterpart_country"].strip().upper()


def _plain(check: _Checker, name: str, value: Any) -> Any:
    """JSON-able values only (they are stored as JSON): YAML dates become ISO text, anything else
    that is not text, a number, true/false, a list or a mapping is a problem."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(check, f"{name}.{k}", v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(check, name, v) for v in value]
    if value.__class__ is float and not math.isfinite(value):
        # NaN and infinities are not JSON: PostgreSQL refuses them mid-write, other stores would keep
        # text no JSON reader accepts.
        check.problem(name, f"not a finite number: {value!r}")
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    check.problem(name, f"unsupported value {value!r}")
    return None


def _tie_dates(check: _Checker) -> tuple[PartialDate | None, PartialDate | None, list[int]]:
    data = check.record.data
    given = [name for name in ("date", "dates", "years") if data.get(name) not in (None, "", [])]
    if len(given) > 1:
        check.problem(given[1], f"give only one of date, dates, years (also has {given[0]})")
        return None, None, []
    try:
        if "dates" in given:
            start, end = parse_date_range(str(data["dates"]))
            return start, end, []
        if "date" in given:
            start = parse_partial_date(data["date"])
            return start, start, []
        if "years" in given:
            years = _years(data["years"])
            return PartialDate(years[0]), PartialDate(years[-1]), years
    except ValueError as error:
        check.problem(given[0], str(error))
    return None, None, []


def _years(value: Any) -> list[int]:
    items = value if isinstance(value, list) else [value]
    years: list[int] = []
    for item in items:
        text = str(item).strip()
        if not re.fullmatch(r"\d{4}", text) or not 1000 <= int(text) <= 2999:
            raise ValueError(f"expected a list of years like [2009, 2010], got {item!r}")
        years.append(int(text))
    return sorted(set(years))
