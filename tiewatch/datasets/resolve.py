"""Resolving a dataset's incoming entities against the registry.

The importer calls a `Resolver` with the signature of `resolve_incoming` (INTERFACES.md section 3):
`(items: Sequence[tuple[proposed_id, Query]], actor) -> list[Resolution]`. It is injectable, so the
registry-wide matcher plugs in where it exists; `exact_resolver` is the plain default: the proposed
id itself when already stored (an earlier import), else an entity of the same state whose
normalised name or alias is the same, when exactly one such entity exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tiewatch.registry.models import Entity


@dataclass(frozen=True, slots=True)
class Query:
    """A name to resolve, with hints (the fields of the matching engine's Query)."""

    name: str
    country: str = ""
    state: str = ""
    jurisdiction: str = ""
    kind: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class Resolution:
    proposed_id: str
    entity_id: str
    outcome: str  # "linked" | "created_queued" | "created"
    candidate: Any = None


Resolver = Callable[[Sequence[tuple[str, Query]], str], list[Resolution]]

# Spellings the same agency takes in different files.
_WORDS = {"dept": "department", "dpt": "department", "pd": "police department", "so": "sheriffs office",
          "co": "county", "twp": "township", "univ": "university", "sheriff's": "sheriffs", "st": "saint"}
_NON_WORD = re.compile(r"[^a-z0-9']+")


def normalise_name(name: str) -> str:
    words = _NON_WORD.sub(" ", name.casefold()).split()
    return " ".join(_WORDS.get(w, w).replace("'", "") for w in words)


def state_of(jurisdiction: str) -> str:
    """The US postal code of an OCD id (`.../state:nc/place:durham` -> "NC"), else ""."""
    for part in jurisdiction.split("/"):
        kind, _, code = part.partition(":")
        if kind in ("state", "district", "territory") and len(code) == 2:
            return code.upper()
    return ""


def exact_resolver(items: Sequence[tuple[str, Query]], actor: str) -> list[Resolution]:
    proposed = [pid for pid, _ in items]
    stored = set(Entity.objects.filter(pk__in=proposed).values_list("pk", flat=True)) if proposed else set()
    by_name: dict[tuple[str, str], list[str]] = {}
    for eid, name, aliases, jurisdiction in Entity.objects.values_list("id", "name", "aliases", "jurisdiction"):
        state = state_of(jurisdiction or "")
        if not state:
            continue
        for label in {normalise_name(n) for n in [name, *(aliases or [])]}:
            by_name.setdefault((state, label), []).append(eid)
    out = []
    for pid, query in items:
        if pid in stored:
            out.append(Resolution(pid, pid, "linked"))
            continue
        found = by_name.get((query.state.upper(), normalise_name(query.name)), [])
        out.append(Resolution(pid, found[0], "linked") if len(found) == 1 else Resolution(pid, pid, "created"))
    return out
