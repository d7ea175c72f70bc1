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

# How much a claim can be relied on, strongest first (docs/registry.md#claims-and-confidence).
CONFIDENCE_GRADES: tuple[str, ...] = (
    "official_record",  # the agency's own record: a memo, minutes, a contract, a court filing
    "several_independent_sources",  # two or more sources that did not copy each other
    "one_source",  # a single source that is not a party to the fact
    "party_claim",  # a party's own statement: the sponsor, a campaign, the agency's spokesperson
    "contested",  # another claim or source denies it
)


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
class ClaimRecord:
    """One party's statement of one fact (`fact`: a field such as "kind" or an attribute name such as
    "military_style_training"), with its confidence grade and the sources it cites."""

    fact: str
    value: Any
    confidence: str
    claimant: str = ""  # the claimant entity's id, or its free-text name
    sources: tuple[str, ...] = ()
    retrieved_on: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "value": self.value, "confidence": self.confidence, "claimant": self.claimant,
                "sources": list(self.sources),
                "retrieved_on": self.retrieved_on.isoformat() if self.retrieved_on else None}


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
    claims: tuple[ClaimRecord, ...] = ()
