"""Profiles: a record or query read once (parsed name, state, place) so scoring is cheap."""

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
    place: str
    county: str
    jurisdiction: str
    kind: str  # a registry kind: the record's own, or the query's hint


def _ocd_part(jurisdiction: str, key: str) -> str:
    """"ocd-division/country:us/state:ca/county:san_bernardino", "county" -> "san_bernardino"."""
    for part in jurisdiction.split("/"):
        if part.startswith(key + ":"):
            return part.split(":", 1)[1]
    return ""


def _ocd_name(jurisdiction: str, key: str) -> str:
    raw = _ocd_part(jurisdiction, key).replace("_", " ").replace("~", " ")
    stop = tables().stop_words
    return " ".join(t for t in canonical_tokens(raw) if t not in stop) if raw else ""


def state_of(jurisdiction: str) -> str:
    """The US postal code in an OCD id ("" when none): state:nc -> NC, district:dc -> DC."""
    code = (_ocd_part(jurisdiction, "state") or _ocd_part(jurisdiction, "district")).upper()
    return code if code in tables().state_names else ""


def _cores(names: list[str], state: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for name in names:
        core = parse_agency_name(name, state).core
        if core and all(core != seen for _, seen in out):
            out.append((name, core))
    return tuple(out)


def _with_qualifiers(name: str, aliases: tuple[str, ...]) -> list[str]:
    """The name, its aliases, and any parenthesised acronym ("(ADL)", not "(Durham)")."""
    _, qualifiers = split_parenthesis(name)
    extra = [q for q in qualifiers if q.isupper() and len(q.split()) == 1]
    return [name, *aliases, *extra]


def record_profile(record: Record) -> Profile:
    state = record.state.upper() or state_of(record.jurisdiction)
    parsed = parse_agency_name(record.name, state)
    state = state or parsed.state
    return Profile(
        parsed=parsed,
        cores=_cores(_with_qualifiers(record.name, record.aliases), state),
        state=state,
        country=record.country.upper() or ("US" if state else ""),
        place=_ocd_name(record.jurisdiction, "place") or parsed.place,
        county=_ocd_name(record.jurisdiction, "county") or parsed.county,
        jurisdiction=record.jurisdiction,
        kind=record.kind,
    )


def query_profile(query: Query) -> Profile:
    state = query.state.strip().upper() or state_of(query.jurisdiction)
    parsed = parse_agency_name(query.name, state)
    state = state or parsed.state
    return Profile(
        parsed=parsed,
        cores=_cores([query.name, *query.aliases], state),
        state=state,
        country=query.country.strip().upper() or ("US" if state else ""),
        place=_ocd_name(query.jurisdiction, "place") or parsed.place,
        county=_ocd_name(query.jurisdiction, "county") or parsed.county,
        jurisdiction=query.jurisdiction,
        kind=query.kind,
    )
