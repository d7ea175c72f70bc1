"""Incoming entities that are already in the registry under another id: linked, not created.

Two sources of links, both applied to the validated bundle before anything is written:

- merged ids (registry.EntityRedirect): an id merged into another record always means that record,
  so a re-import of an old bundle does not bring a merged-away entity back;
- an optional resolver (entity resolution, a higher layer, plugged in by the `import` command through
  the TIEWATCH_IMPORT_RESOLVER setting): given the entities whose id is new, it says which are bodies
  the registry already holds (link), and after the write it queues the uncertain ones for review.

A linked entity's row is dropped and every reference to its id in the bundle is rewritten to the
existing id; its id becomes a redirect, so pages and the API that name it keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tiewatch.registry.importers.validate import Bundle, EntityRow
from tiewatch.registry.importers.writer import chunks
from tiewatch.registry.models import Entity, EntityRedirect
from tiewatch.registry.visibility import ENTITY_REF_ATTRIBUTES, ENTITY_REF_EXTRAS


@dataclass(frozen=True, slots=True)
class IncomingEntity:
    """An entity of the bundle whose id the registry does not know, as a resolver sees it."""

    id: str
    name: str
    kind: str
    country: str
    jurisdiction: str
    aliases: tuple[str, ...]


@dataclass
class ResolverAnswer:
    """What a resolver decided: `links` maps incoming ids to existing entity ids; `after_write` (run in
    the import's transaction once the new entities exist) queues the doubtful pairs, returning how many."""

    links: dict[str, str] = field(default_factory=dict)
    after_write: Callable[[], int] = lambda: 0


class Resolver(Protocol):
    def __call__(self, incoming: Sequence[IncomingEntity], actor: str) -> ResolverAnswer: ...


@dataclass
class LinkCounts:
    """How the bundle's new entities were resolved: linked to existing ones, created, queued for review."""

    linked: int = 0
    created: int = 0
    queued: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"linked": self.linked, "created": self.created, "queued": self.queued}


def new_entity_ids(bundle: Bundle) -> list[str]:
    ids = sorted(bundle.entities)
    known: set[str] = set()
    for part in chunks(ids, 2000):
        known.update(Entity.objects.filter(pk__in=part).values_list("pk", flat=True))
    return [i for i in ids if i not in known]


def merged_links(ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunks(ids, 2000):
        found.update(EntityRedirect.objects.filter(old_id__in=part).values_list("old_id", "entity_id"))
    return found


def incoming(row: EntityRow) -> IncomingEntity:
    return IncomingEntity(id=row.id, name=row.name, kind=row.kind, country=row.country,
                          jurisdiction=row.jurisdiction or "", aliases=tuple(row.aliases))


def resolve_bundle(bundle: Bundle, actor: str, resolver: Resolver | None) -> tuple[LinkCounts, Callable[[], int]]:
    """Link the bundle's new entities (merged ids, then the resolver's answer) by rewriting the bundle."""
    new_ids = new_entity_ids(bundle)
    links = merged_links(new_ids)
    after_write: Callable[[], int] = lambda: 0
    rest = [i for i in new_ids if i not in links]
    if resolver is not None and rest:
        answer = resolver([incoming(bundle.entities[i]) for i in rest], actor)
        links.update({k: v for k, v in answer.links.items() if k in bundle.entities and k not in links})
        after_write = answer.after_write
    redirects = [EntityRedirect(old_id=old, entity_id=new, published=bundle.entities[old].published,
                                names=[bundle.entities[old].name, *bundle.entities[old].aliases])
                 for old, new in links.items() if old in rest]
    rewrite(bundle, links)
    counts = LinkCounts(linked=len(links), created=len(new_ids) - len(links))

    def finish() -> int:
        EntityRedirect.objects.bulk_create(redirects, ignore_conflicts=True)
        write_merged_ids(bundle)
        return after_write()

    return counts, finish


def rewrite(bundle: Bundle, links: dict[str, str]) -> None:
    """Drop the linked rows and point every reference at the existing ids."""
    if not links:
        return
    for old in links:
        bundle.entities.pop(old, None)

    def swap(value: object) -> object:
        if isinstance(value, list):
            return list(dict.fromkeys(links.get(v, v) if isinstance(v, str) else v for v in value))
        return links.get(value, value) if isinstance(value, str) else value

    for entity in bundle.entities.values():
        entity.parent = links.get(entity.parent, entity.parent) if entity.parent else None
        for name in ENTITY_REF_EXTRAS:
            if name in entity.extra:
                entity.extra[name] = swap(entity.extra[name])
    for tie in bundle.ties.values():
        tie.subject = links.get(tie.subject, tie.subject)
        tie.counterparts = list(dict.fromkeys(links.get(c, c) for c in tie.counterparts))
        tie.program = links.get(tie.program, tie.program) if tie.program else None
        for name in ENTITY_REF_ATTRIBUTES:
            if name in tie.attributes:
                tie.attributes[name] = swap(tie.attributes[name])


def write_merged_ids(bundle: Bundle) -> None:
    """An exported entity's `merged_ids` lead to it again (ids that are not entities themselves)."""
    wanted = {old: row.id for row in bundle.entities.values() for old in row.merged_ids if old != row.id}
    if not wanted:
        return
    taken: set[str] = set()
    for part in chunks(sorted(wanted), 2000):
        taken.update(Entity.objects.filter(pk__in=part).values_list("pk", flat=True))
    published = {row.id: row.published for row in bundle.entities.values()}
    for old, new in wanted.items():
        if old not in taken:
            EntityRedirect.objects.update_or_create(old_id=old, defaults={"entity_id": new,
                                                                          "published": published[new]})
