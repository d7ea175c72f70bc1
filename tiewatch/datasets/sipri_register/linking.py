"""Which stored entity each SIPRI supplier or recipient lands on.

A state lands on the registry's government entity of that country when one exists under the same
name ("Israel", "Government of Israel", "State of Israel" or an alias of it); otherwise on the entity
this dataset creates for it (`il-israel`), which a later import finds again by its id. Names are
compared exactly (case, accents and spacing aside): a near match is a question for the resolution
review queue, not for an importer to settle alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tiewatch.arms.engine.countries import fold
from tiewatch.registry.models import Entity

from .mapping import Party

# A resolver answers, for each party, the id of the stored entity it is, or nothing (then the
# dataset's own entity is created). The default is `exact_matches`; the resolution services plug in here.
Resolver = Callable[[list[Party]], dict[str, str]]
GOVERNMENT_NAMES = ("{}", "Government of {}", "State of {}", "Republic of {}")


def exact_matches(parties: list[Party]) -> dict[str, str]:
    """party.id -> stored entity id: the party's own id when stored, else a government entity of the
    same country named like it (one, not several: an ambiguous match links nothing)."""
    ids = [p.id for p in parties]
    stored = set(Entity.objects.filter(pk__in=ids).values_list("id", flat=True))
    found = {p.id: p.id for p in parties if p.id in stored}
    wanted = [p for p in parties if p.id not in stored and p.is_state and p.country]
    if not wanted:
        return found
    candidates: dict[str, list[tuple[str, set[str]]]] = {}
    rows = Entity.objects.filter(kind="government", country__in={p.country for p in wanted}, parent__isnull=True)
    for eid, country, name, aliases in rows.values_list("id", "country", "name", "aliases"):
        names = {fold(name), *(fold(a) for a in aliases or [] if isinstance(a, str))}
        candidates.setdefault(country, []).append((eid, names))
    for p in wanted:
        spellings = {fold(pattern.format(n)) for n in (p.name, *p.aliases) for pattern in GOVERNMENT_NAMES}
        hits = [eid for eid, names in candidates.get(p.country, []) if names & spellings]
        if len(hits) == 1:
            found[p.id] = hits[0]
    return found


def link(parties: Iterable[Party], resolver: Resolver | None = None) -> tuple[dict[str, str], set[str]]:
    """(party id -> entity id for every party, the party ids that already had a stored entity)."""
    listed = list(parties)
    found = (resolver or exact_matches)(listed)
    return {p.id: found.get(p.id, p.id) for p in listed}, set(found)
