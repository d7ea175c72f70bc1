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

from tiewatch.core.records import EntityRecord, TieRecord

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
    """A tie a country-level test relied on."""

    tie: str
    country: str
    status: str  # "asserted" (attribute true) or "disputed" (attribute "disputed" or tie disputed)
    attribute: str = ""
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"tie": self.tie, "country": self.country, "status": self.status,
                "attribute": self.attribute, "value": self.value}


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
    """"asserted", "disputed", or None when the tie is no evidence for `attribute`."""
    if tie.status == "cancelled":
        return None
    value = tie.attributes.get(attribute, MISSING) if tie.attributes else MISSING
    if value is MISSING:
        return None
    if isinstance(value, str) and value.strip().lower() in _DISPUTED_WORDS:
        return "disputed"
    if truthy(value):
        return "disputed" if tie.status == "disputed" else "asserted"
    return None


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
