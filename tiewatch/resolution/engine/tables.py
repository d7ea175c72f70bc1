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
    phrases: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]  # by first word, longest first
    plain: dict[str, tuple[str, ...]]
    contextual: dict[str, tuple[ContextRule, ...]]
    wordlike_state_codes: frozenset[str]
    agency_types: tuple[AgencyType, ...]
    type_words: frozenset[str]
    county_words: frozenset[str]
    stop_words: frozenset[str]
    place_descriptors: frozenset[str]
    state_level_words: frozenset[str]
    state_names: dict[str, str]  # "NC" -> "north carolina"
    state_codes: dict[str, str]  # "north carolina" -> "NC"
    state_runs: tuple[tuple[tuple[str, ...], str], ...]  # (("north", "carolina"), "NC"), longest first
    federal: dict[str, FederalBody]
    federal_unit_words: frozenset[str]
    federal_by_word: dict[str, frozenset[str]]  # an acronym or a name's first word -> body keys


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


def _federal(raw: dict[str, Any], plain: dict[str, tuple[str, ...]]) -> dict[str, FederalBody]:
    """Federal bodies; their names spelled as canonical tokens ("marshals" -> "marshal")."""
    return {
        key: FederalBody(
            key=key,
            name=tuple(word for raw_word in _words(body["name"]) for word in plain.get(raw_word, (raw_word,))),
            acronyms=frozenset(body.get("acronyms", [])),
            parent=str(body.get("parent", "")),
            units=frozenset(body.get("units", [])),
            only_with_child=bool(body.get("only_with_child", False)),
        )
        for key, body in raw["bodies"].items()
    }


def _federal_index(bodies: dict[str, FederalBody]) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for body in bodies.values():
        for word in (*body.acronyms, *body.name[:1]):
            index.setdefault(word, set()).add(body.key)
    return {word: frozenset(keys) for word, keys in index.items()}


@cache
def tables() -> Tables:
    """All tables, read once per process."""
    abbreviations = _load("abbreviations.yaml")
    kinds = _load("kinds.yaml")
    states = {str(code): str(name) for code, name in _load("states.yaml").items()}
    federal = _load("federal.yaml")
    plain = {str(raw): _words(to) for raw, to in abbreviations["plain"].items()}
    bodies = _federal(federal, plain)
    phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for raw, to in sorted(abbreviations["phrases"].items(), key=lambda item: -len(_words(item[0]))):
        phrases.setdefault(_words(raw)[0], []).append((_words(raw), _words(to)))
    return Tables(
        phrases={first: tuple(runs) for first, runs in phrases.items()},
        plain=plain,
        contextual=_context_rules(abbreviations["contextual"]),
        wordlike_state_codes=frozenset(abbreviations["wordlike_state_codes"]),
        agency_types=tuple(
            AgencyType(t["type"], t["kind"], t["level"], tuple(_content(_words(w), kinds["stop_words"]) for w in t["any"]))
            for t in kinds["agency_types"]
        ),
        type_words=frozenset(kinds["type_words"]),
        county_words=frozenset(kinds["level_words"]["county"]),
        stop_words=frozenset(kinds["stop_words"]),
        place_descriptors=frozenset(kinds["place_descriptors"]),
        state_level_words=frozenset(kinds["state_level_words"]),
        state_names=states,
        state_codes={name: code for code, name in states.items()},
        state_runs=tuple(sorted(((tuple(n.split()), c) for c, n in states.items()), key=lambda item: -len(item[0]))),
        federal=bodies,
        federal_by_word=_federal_index(bodies),
        federal_unit_words=frozenset(federal["unit_words"]),
    )
