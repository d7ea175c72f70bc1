"""The plain facts conditions are tested against, and the small semantics every part shares:
counterparts, evidence, truthiness of attribute values, and Open Civic Data division containment.

They sit below the operator table (operators/), the reference evaluation (screen.py) and the
compiled engine (compiler.py), which all import them from here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tiewatch.core.records import ClaimRecord, EntityRecord, TieRecord

MISSING = object()
_TRUE_WORDS = frozenset({"true", "yes", "confirmed"})
_DISPUTED_WORDS = frozenset({"disputed", "contested", "uncertain"})
OCD_DIVISION = re.compile(r"^ocd-division/country:[a-z]{2}(/[a-z_]+:[^/\s]+)*$")


@dataclass(frozen=True, slots=True)
class Counterpart:
    id: str
    kind: str = ""
    country: str = ""
    jurisdiction: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A tie a country-level test relied on, with the claims of its fact it relied on (all of them,
    side by side: a fact whose claims conflict is disputed evidence)."""

    tie: str
    country: str
    status: str  # "asserted" (attribute true) or "disputed" (attribute "disputed", tie disputed, claims conflict)
    attribute: str = ""
    value: Any = None
    claims: tuple[ClaimRecord, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"tie": self.tie, "country": self.country, "status": self.status,
                "attribute": self.attribute, "value": self.value, "claims": [c.as_dict() for c in self.claims]}


def evidence_of(tie: TieRecord, country: str, status: str, attribute: str) -> Evidence:
    value = tie.attributes.get(attribute) if tie.attributes else None
    return Evidence(tie.id, country, status, attribute, value, claims_of(tie, attribute))


def claims_of(tie: TieRecord, fact: str) -> tuple[ClaimRecord, ...]:
    return tuple(c for c in tie.claims if c.fact == fact) if tie.claims else ()


def truthy(value: Any) -> bool:
    """`attribute_truthy`: true, a non-zero number, or the words true/yes/confirmed."""
    if value is True:
        return True
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return False


def evidence_status(tie: TieRecord, attribute: str) -> str | None:
    """"asserted", "disputed", or None when the tie is no evidence for `attribute`. The tie's claims of
    the attribute count beside its value: one claiming it true makes the tie evidence; one denying it,
    a contested one, or a disputed value makes that evidence disputed."""
    if tie.status == "cancelled":
        return None
    value = tie.attributes.get(attribute, MISSING) if tie.attributes else MISSING
    claims = claims_of(tie, attribute)
    if claims:
        return _claimed_status(tie, value, claims)
    if value is MISSING:
        return None
    if isinstance(value, str) and value.strip().lower() in _DISPUTED_WORDS:
        return "disputed"
    if truthy(value):
        return "disputed" if tie.status == "disputed" else "asserted"
    return None


def _claimed_status(tie: TieRecord, value: Any, claims: tuple[ClaimRecord, ...]) -> str | None:
    supported = any(truthy(c.value) for c in claims) or (value is not MISSING and truthy(value))
    doubted = (tie.status == "disputed"
               or (isinstance(value, str) and value.strip().lower() in _DISPUTED_WORDS)
               or any(c.confidence == "contested" or not truthy(c.value) for c in claims))
    if not supported and not (isinstance(value, str) and value.strip().lower() in _DISPUTED_WORDS):
        return None
    return "disputed" if doubted else "asserted"


def tie_countries(tie: TieRecord, entities: Mapping[str, EntityRecord]) -> list[tuple[str, str]]:
    """(counterpart id, country) pairs of a tie; a tie without counterparts may carry
    `attributes.counterpart_country` (an agency not named, a country known)."""
    out = []
    for cp in tie.counterparts:
        ent = entities.get(cp)
        if ent is not None and ent.country:
            out.append((cp, ent.country))
    if not tie.counterparts and tie.attributes:
        country = tie.attributes.get("counterpart_country")
        if isinstance(country, str) and country:
            out.append(("", country.upper()))
    return out


def division_contains(parent: str, child: str, include_children: bool = True) -> bool:
    """OCD division containment on whole path segments (…/state:nc contains …/state:nc/place:durham)."""
    if not parent or not child:
        return False
    if child == parent:
        return True
    return include_children and child.startswith(parent + "/")


def division_ancestors(division: str) -> list[str]:
    """The division and every ancestor: a/b/c -> [a/b/c, a/b, a]."""
    parts = division.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]
