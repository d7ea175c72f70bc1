"""Which stored entity a SIPRI state lands on, before the import's resolver sees it.

A state lands on the registry's government entity of that country when one exists under the same
name ("Israel", "Government of Israel", "State of Israel"): the row then names that entity by its
id, and the import neither proposes nor creates another. Otherwise the state is proposed as the
dataset's own entity (`il-israel`), which the resolver finds again by its id on the next import.
Names are compared exactly (case, accents and spacing aside): a near match is a question for the
resolution review queue, not for an importer to settle alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from tiewatch.arms.engine.countries import fold
from tiewatch.registry.models import Entity

from .mapping import party

GOVERNMENT_NAMES = ("{}", "Government of {}", "State of {}")


def curated_governments(sipri_names: Iterable[str]) -> dict[str, str]:
    """SIPRI name -> the id of the one stored government entity (no parent, same country) named
    like it, for states the dataset has not created itself; an ambiguous match links nothing."""
    proposed = {name: party(name) for name in sipri_names}
    states = {name: p for name, p in proposed.items() if p.kind == "government" and p.country}
    stored = set(Entity.objects.filter(pk__in=[p.id for p in states.values()]).values_list("id", flat=True))
    wanted = {name: p for name, p in states.items() if p.id not in stored}
    if not wanted:
        return {}
    candidates: dict[str, list[tuple[str, set[str]]]] = {}
    rows = Entity.objects.filter(kind="government", parent__isnull=True,
                                 country__in={p.country for p in wanted.values()})
    for eid, country, name, aliases in rows.values_list("id", "country", "name", "aliases"):
        names = {fold(name), *(fold(a) for a in aliases or [] if isinstance(a, str))}
        candidates.setdefault(country, []).append((eid, names))
    found: dict[str, str] = {}
    for sipri_name, p in wanted.items():
        spellings = {fold(pattern.format(p.name)) for pattern in GOVERNMENT_NAMES}
        hits = [eid for eid, names in candidates.get(p.country, []) if names & spellings]
        if len(hits) == 1:
            found[sipri_name] = hits[0]
    return found
