"""Names matched against the registry for people and programs: hints checked, the engine asked,
drafts kept from the public.

The engine's index holds every entity (staff resolve against drafts too); a public caller gets only
published candidates, so the engine is asked for a few more than the limit and the drafts are
dropped afterwards, with one small query over the candidates' ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tiewatch.core.countries import COUNTRY_CODES
from tiewatch.core.errors import Problem, ValidationFailed, did_you_mean
from tiewatch.core.records import ENTITY_KINDS
from tiewatch.resolution.engine import Candidate, Query

MAX_NAME = 300
MAX_ALIASES = 50
MAX_LIMIT = 50
# US postal codes: the states, DC and the territories an agency name may carry.
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME",
    "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
    "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
})
OCD_ID = re.compile(r"ocd-division/country:[a-z]{2}(/[a-z_]+:[a-z0-9_.~'-]+)*")


@dataclass(frozen=True, slots=True)
class Hints:
    """A name to match and what the caller knows about it, as typed (checked by `query_of`)."""

    name: str
    state: str = ""
    country: str = ""
    kind: str = ""
    jurisdiction: str = ""
    aliases: tuple[str, ...] = ()


def query_of(hints: Hints, prefix: str = "", file: str = "", line: int | None = None) -> Query:
    """The engine's Query for `hints`; ValidationFailed naming each bad field (`prefix` + field)."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(message, field=prefix + field, file=file, line=line))

    name = " ".join(hints.name.split())
    if not name:
        bad("name", "required: the name to match")
    elif len(name) > MAX_NAME:
        bad("name", f"longer than {MAX_NAME} characters")
    state = hints.state.strip().upper()
    if state and state not in US_STATES:
        bad("state", f"not a US postal code: {hints.state!r}{did_you_mean(state, US_STATES)}")
    country = hints.country.strip().upper()
    if country and country.lower() not in COUNTRY_CODES:
        bad("country", f"not an ISO 3166-1 alpha-2 country code: {hints.country!r}")
    kind = hints.kind.strip()
    if kind and kind not in ENTITY_KINDS:
        bad("kind", f"unknown entity kind {kind!r}{did_you_mean(kind, ENTITY_KINDS)}")
    jurisdiction = hints.jurisdiction.strip()
    if jurisdiction and not OCD_ID.fullmatch(jurisdiction):
        bad("jurisdiction", f"not an Open Civic Data division id: {jurisdiction!r} "
                            "(e.g. ocd-division/country:us/state:nc/place:durham)")
    aliases = tuple(a for a in (" ".join(x.split()) for x in hints.aliases) if a)
    if len(aliases) > MAX_ALIASES:
        bad("aliases", f"more than {MAX_ALIASES} aliases")
    if any(len(a) > MAX_NAME for a in aliases):
        bad("aliases", f"an alias is longer than {MAX_NAME} characters")
    if problems:
        raise ValidationFailed("The query is invalid.", problems)
    return Query(name=name, country=country, state=state, jurisdiction=jurisdiction, kind=kind, aliases=aliases)


def check_limit(limit: int, field: str = "limit") -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed("The query is invalid.", [Problem(f"must be 1 to {MAX_LIMIT}", field=field)])
    return limit


def match(queries: Sequence[Query], limit: int = 5, drafts: bool = False) -> list[list[Candidate]]:
    """Each query's best candidates, best first; drafts only when `drafts` (staff)."""
    from tiewatch.registry.models import Entity
    from tiewatch.resolution.index import current_index

    index = current_index()
    # Drafts are few: the engine is asked for a few spare candidates only when some exist, since
    # every candidate costs its explained features.
    hidden = 0 if drafts else Entity.objects.filter(published=False).count()
    asked = limit + min(hidden, limit + 5)
    found = index.match_many(queries, limit=asked)
    if hidden:
        shown = published_ids({c.record.id for candidates in found for c in candidates})
        found = [[c for c in candidates if c.record.id in shown] for candidates in found]
    return [candidates[:limit] for candidates in found]


def published_ids(ids: Iterable[str]) -> set[str]:
    from tiewatch.registry.models import Entity

    wanted = sorted(set(ids))
    shown: set[str] = set()
    for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
        chunk = wanted[start:start + 900]
        shown.update(Entity.objects.filter(id__in=chunk, published=True).values_list("id", flat=True))
    return shown


def candidate_dict(candidate: Candidate) -> dict[str, Any]:
    record = candidate.record
    return {
        "id": record.id, "name": record.name, "kind": record.kind, "country": record.country,
        "state": record.state, "jurisdiction": record.jurisdiction, "aliases": list(record.aliases),
        "score": round(candidate.score, 4), "band": candidate.band,
        "features": [{"name": f.name, "weight": round(f.weight, 4), "detail": f.detail} for f in candidate.features],
    }


def query_dict(query: Query) -> dict[str, Any]:
    return {"name": query.name, "state": query.state, "country": query.country, "kind": query.kind,
            "jurisdiction": query.jurisdiction, "aliases": list(query.aliases)}


def explain(candidate: Candidate) -> str:
    """One line per feature, in plain words, for terminals and HTML reports."""
    return "; ".join(f"{f.name} {f.weight:+.2f}: {f.detail}" for f in candidate.features)
