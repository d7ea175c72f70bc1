"""How a dataset import resolves the entities its rows name.

The importer takes a `Resolver` with the signature of `resolve_incoming` (INTERFACES.md section 3),
injectable so a caller (a test, a bench, a future matcher) can pass another; the default is the
registry's `resolve_incoming`: standing decisions first, then the matching engine (link when
certain, create and queue for review when in doubt, create otherwise). A proposed id that is
already an entity (an earlier import of the same files) is linked to itself before the resolver
is asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tiewatch.datasets.rows import IncomingEntity
from tiewatch.resolution.engine import Candidate, Query
from tiewatch.resolution.services import Resolution, queue_pairs, resolve_incoming

Resolver = Callable[[Sequence[tuple[str, Query]], str], list[Resolution]]
QueuePairs = Callable[[Sequence[tuple[str, str, Candidate]], str], int]
DEFAULT_RESOLVER: Resolver = resolve_incoming
DEFAULT_QUEUE: QueuePairs = queue_pairs

# Spellings the same agency takes in different files, folded before an id is derived from a name,
# so "DURHAM POLICE DEPT" and "Durham Police Department" propose one id. Kept here, not taken
# from the matching engine's tables: ids must stay the same when those tables grow.
_WORDS = {"dept": "department", "dpt": "department", "pd": "police department", "so": "sheriffs office",
          "co": "county", "cty": "county", "twp": "township", "univ": "university", "sheriff's": "sheriffs"}
_NON_WORD = re.compile(r"[^a-z0-9']+")

if TYPE_CHECKING:  # the report module imports the writer, which imports this one
    from tiewatch.datasets.report import DatasetReport


def normalise_name(name: str) -> str:
    words = _NON_WORD.sub(" ", name.casefold()).split()
    return " ".join(_WORDS.get(w, w).replace("'", "") for w in words)


@dataclass
class Resolved:
    ids: dict[str, str]  # proposed id -> entity id
    created: list[IncomingEntity]
    queued: list[tuple[str, str, Any]]  # (proposed id, entity id, candidate) for review


def resolve_entities(entities: list[IncomingEntity], stored: Container[str], resolver: Resolver,
                     actor: str) -> Resolved:
    """Resolve `entities`; those whose proposed id is `stored` already (an earlier import) are themselves."""
    resolved = Resolved({e.id: e.id for e in entities if e.id in stored}, [], [])
    by_id = {e.id: e for e in entities}
    items = [(e.id, Query(name=e.name, country=e.country, state=e.state, jurisdiction=e.jurisdiction, kind=e.kind))
             for e in entities if e.id not in stored]
    for outcome in resolver(items, actor) if items else []:
        resolved.ids[outcome.proposed_id] = outcome.entity_id
        if outcome.outcome == "linked":
            continue
        if outcome.entity_id == outcome.proposed_id:
            resolved.created.append(by_id[outcome.proposed_id])
        candidate = outcome.candidate
        if outcome.outcome == "created_queued" and candidate is not None:
            resolved.queued.append((outcome.proposed_id, candidate.record.id, candidate))
    return resolved


def count_resolved(report: DatasetReport, resolved: Resolved) -> None:
    report.created, report.queued = len(resolved.created), len(resolved.queued)
    report.linked = len(resolved.ids) - report.created


__all__ = ["DEFAULT_QUEUE", "DEFAULT_RESOLVER", "Query", "QueuePairs", "Resolution", "Resolved", "Resolver", "count_resolved", "normalise_name", "resolve_entities"]
