"""The engine's value types: what goes in (Record, Query) and what comes out (Candidate, Feature)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Record:
    """One registry entity as the engine sees it."""

    id: str
    name: str
    kind: str = ""
    country: str = ""
    state: str = ""
    jurisdiction: str = ""
    aliases: tuple[str, ...] = ()
    parent_id: str = ""


@dataclass(frozen=True, slots=True)
class Query:
    """A name to resolve, with optional hints."""

    name: str
    country: str = ""
    state: str = ""
    jurisdiction: str = ""
    kind: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feature:
    """One reason a score is what it is: its signed share of the score, in plain words."""

    name: str
    weight: float
    detail: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A registry record proposed for a query; score is the clamped sum of the feature weights."""

    record: Record
    score: float
    features: tuple[Feature, ...]
    band: str


@dataclass(frozen=True, slots=True)
class ParsedAgency:
    """What a law-enforcement body's name says about it.

    kind is a registry ENTITY_KINDS value or ""; agency_type a finer label ("county sheriff",
    "university police", "federal field office", ...); place/county the city or county named;
    state a US postal code; normalised the name after the abbreviation tables; core the words
    that tell this body from others of its kind; federal_body the key of a federal body named
    (federal.yaml) and unit its office's unit acronyms ("hsi"); level which part of the name is
    the place ("place", "county", "state", "campus", "nation"); uncertain is true when a part was guessed (a state taken from the hint, a
    kind from a lone generic word).
    """

    kind: str
    place: str
    county: str
    state: str
    normalised: str
    uncertain: bool
    agency_type: str = ""
    core: str = ""
    federal_body: str = ""
    unit: str = ""
    level: str = ""
