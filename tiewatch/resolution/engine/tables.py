"""The normalisation tables (tables/*.yaml), loaded once into typed, read-only structures.

The messy spellings live in the YAML files, not here: this module only gives them a shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TABLES_DIR = Path(__file__).with_name("tables")
TYPE_MARKER = "*type"


@dataclass(frozen=True, slots=True)
class ContextRule:
    when: str  # "first", "last", "next_in", "prev_in" or "" (always)
    words: frozenset[str]
    to: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgencyType:
    type: str
    kind: str
    level: str
    any: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class FederalBody:
    key: str
    name: tuple[str, ...]
    acronyms: frozenset[str]
    parent: str
    units: frozenset[str]
    only_with_child: bool


@dataclass(frozen=True, slots=True)
class Tables:
    phrases: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    plain: dict[str, tuple[str, ...]]
    contextual: dict[str, tuple[ContextRule, ...]]
    agency_types: tuple[AgencyType, ...]
    type_words: frozenset[str]
    county_words: frozenset[str]
    place_level_words: frozenset[str]
    stop_words: frozenset[str]
    place_descriptors: frozenset[str]
    state_level_words: frozenset[str]
    state_names: dict[str, str]  # "NC" -> "north carolina"
    state_codes: dict[str, str]  # "north carolina" -> "NC"
    federal: dict[str, FederalBody]
    federal_unit_words: frozenset[str]


def _load(name: str) -> Any:
    with open(TABLES_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _words(text: str) -> tuple[str, ...]:
    return tuple(str(text).split())


def _content(words: tuple[str, ...], stop_words: list[str]) -> tuple[str, ...]:
    """Kind keywords are looked up among a name's words without its stop words."""
    return tuple(w for w in words if w not in stop_words)


def _context_rules(raw: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[ContextRule, ...]]:
    return {
        token: tuple(
            ContextRule(str(rule.get("when", "")), frozenset(str(w) for w in rule.get("words", [])), _words(rule["to"]))
            for rule in rules
        )
        for token, rules in raw.items()
    }


def _federal(raw: dict[str, Any]) -> dict[str, FederalBody]:
    return {
        key: FederalBody(
            key=key,
            name=_words(body["name"]),
            acronyms=frozenset(body.get("acronyms", [])),
            parent=str(body.get("parent", "")),
            units=frozenset(body.get("units", [])),
            only_with_child=bool(body.get("only_with_child", False)),
        )
        for key, body in raw["bodies"].items()
    }


@cache
def tables() -> Tables:
    """All tables, read once per process."""
    abbreviations = _load("abbreviations.yaml")
    kinds = _load("kinds.yaml")
    states = {str(code): str(name) for code, name in _load("states.yaml").items()}
    federal = _load("federal.yaml")
    phrases = sorted(
        ((_words(raw), _words(to)) for raw, to in abbreviations["phrases"].items()),
        key=lambda pair: -len(pair[0]),
    )
    return Tables(
        phrases=tuple(phrases),
        plain={str(raw): _words(to) for raw, to in abbreviations["plain"].items()},
        contextual=_context_rules(abbreviations["contextual"]),
        agency_types=tuple(
            AgencyType(t["type"], t["kind"], t["level"], tuple(_content(_words(w), kinds["stop_words"]) for w in t["any"]))
            for t in kinds["agency_types"]
        ),
        type_words=frozenset(kinds["type_words"]),
        county_words=frozenset(kinds["level_words"]["county"]),
        place_level_words=frozenset(kinds["level_words"]["place"]),
        stop_words=frozenset(kinds["stop_words"]),
        place_descriptors=frozenset(kinds["place_descriptors"]),
        state_level_words=frozenset(kinds["state_level_words"]),
        state_names=states,
        state_codes={name: code for code, name in states.items()},
        federal=_federal(federal),
        federal_unit_words=frozenset(federal["unit_words"]),
    )
