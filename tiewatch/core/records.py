"""Plain records handed from the registry (Django) to the pure-Python cores.

They carry exactly what screening and analysis need, nothing ORM-shaped, so the cores can be
tested and benchmarked without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

ENTITY_KINDS: tuple[str, ...] = (
    "police_agency",
    "sheriff",
    "state_police",
    "federal_agency",
    "military",
    "foreign_police",
    "intelligence",
    "border_agency",
    "government",
    "organization",
    "company",
    "program",
)

TIE_KINDS: tuple[str, ...] = (
    "exchange",
    "training",
    "delegation",
    "conference",
    "partnership",
    "funding",
    "equipment_transfer",
    "arms_transfer",
    "procurement",
)

TIE_STATUSES: tuple[str, ...] = ("planned", "reported", "confirmed", "disputed", "cancelled")

DATE_PRECISIONS: tuple[str, ...] = ("year", "month", "day")


@dataclass(frozen=True, slots=True)
class EntityRecord:
    id: str
    name: str
    kind: str
    country: str  # ISO 3166-1 alpha-2, upper case; "" when unknown
    jurisdiction: str = ""  # Open Civic Data division id; "" when none
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: str
    url: str
    title: str = ""
    publisher: str = ""


@dataclass(frozen=True, slots=True)
class TieRecord:
    """One tie: a subject met/trained with/received from one or more counterparts.

    `start`/`end` are the first and last day the partial dates can stand for (a tie dated
    "2018" spans 2018-01-01..2018-12-31), so time-window tests stay exact.
    """

    id: str
    subject: str
    counterparts: tuple[str, ...]
    kind: str
    start: dt.date | None
    end: dt.date | None
    status: str = "reported"
    program: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    sources: tuple[SourceRecord, ...] = ()
    years: tuple[int, ...] = ()
