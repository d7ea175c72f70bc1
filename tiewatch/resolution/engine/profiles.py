"""Profiles: a record or query read once (parsed name, state, places) so scoring is cheap."""

from __future__ import annotations

from dataclasses import dataclass

from .normalise import canonical_tokens, split_parenthesis
from .parse import parse_agency_name
from .tables import tables
from .types import ParsedAgency, Query, Record


@dataclass(frozen=True, slots=True)
class Profile:
    parsed: ParsedAgency
    cores: tuple[tuple[str, str], ...]  # (the name or alias as given, its distinctive words)
    state: str
    country: str
    places: tuple[str, ...]  # the city or town: from the jurisdiction id, the name, the aliases
    counties: tuple[str, ...]
    jurisdiction: str
    kind: str  # a registry kind: the record's own, or the query's hint


def _ocd_part(jurisdiction: str, key: str) -> str:
    """"ocd-division/country:us/state:ca/county:san_bernardino", "county" -> "san_bernardino"."""
    for part in jurisdiction.split("/"):
        if part.startswith(key + ":"):
            return part.split(":", 1)[1]
    return ""


def _ocd_name(jurisdiction: str, *keys: str) -> str:
    for key in keys:
        raw = _ocd_part(jurisdiction, key).replace("_", " ").replace("~", " ")
        if raw:
            stop = tables().stop_words
            return " ".join(t for t in canonical_tokens(raw) if t not in stop)
    return ""


def state_of(jurisdiction: str) -> str:
    """The US postal code in an OCD id ("" when none): state:nc -> NC, district:dc -> DC."""
    code = (_ocd_part(jurisdiction, "state") or _ocd_part(jurisdiction, "district")).upper()
    return code if code in tables().state_names else ""


def _names(name: str, aliases: tuple[str, ...]) -> list[str]:
    """The name, its aliases, and any parenthesised acronym ("(ADL)", not "(Durham)")."""
    _, qualifiers = split_parenthesis(name)
    extra = [q for q in qualifiers if q.isupper() and len(q.split()) == 1]
    return [name, *aliases, *extra]


def _profile(names: list[str], state: str, jurisdiction: str, country: str, kind: str) -> Profile:
    parsed_names = [(name, parse_agency_name(name, state)) for name in names]
    parsed = parsed_names[0][1]
    state = state or parsed.state
    cores: list[tuple[str, str]] = []
    for name, one in parsed_names:
        if one.core and all(one.core != seen for _, seen in cores):
            cores.append((name, one.core))
    places = [_ocd_name(jurisdiction, "place"), *(one.place for _, one in parsed_names)]
    counties = [_ocd_name(jurisdiction, "county", "parish"), *(one.county for _, one in parsed_names)]
    return Profile(
        parsed=parsed,
        cores=tuple(cores),
        state=state,
        country=country.strip().upper() or ("US" if state else ""),
        places=tuple(dict.fromkeys(p for p in places if p)),
        counties=tuple(dict.fromkeys(c for c in counties if c)),
        jurisdiction=jurisdiction,
        kind=kind,
    )


def given_state(record: Record) -> str:
    """The state a record carries (its own, or its jurisdiction's), before its name is read: its
    profile keeps it; a record without one may get one from its name ("Michigan State Police")."""
    return record.state.strip().upper() or state_of(record.jurisdiction)


def record_profile(record: Record) -> Profile:
    state = given_state(record)
    return _profile(_names(record.name, record.aliases), state, record.jurisdiction, record.country, record.kind)


def query_profile(query: Query) -> Profile:
    state = query.state.strip().upper() or state_of(query.jurisdiction)
    return _profile([query.name, *query.aliases], state, query.jurisdiction, query.country, query.kind)
