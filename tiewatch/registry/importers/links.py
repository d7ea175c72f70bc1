"""Incoming entities that are already in the registry under another id: linked, not created.

Two sources of links, both applied to each validated batch before it is written (`BatchLinker`):

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

from tiewatch.registry.importers.validate import EntityRow, TieRow
from tiewatch.registry.importers.writer import chunks
from tiewatch.registry.models import Entity, EntityRedirect, Tie, TieCounterpart
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


def new_entity_ids(rows: dict[str, EntityRow]) -> list[str]:
    ids = sorted(rows)
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


class BatchLinker:
    """Links a streaming import's new entities, batch by batch, before each batch is written.

    Every link found so far is kept (old id -> existing id, a few bytes each) so that later batches'
    references are rewritten too; ties written before the entity they name was linked are re-pointed
    by `finish`, in the import's transaction."""

    def __init__(self, actor: str, resolver: Resolver | None) -> None:
        self.actor, self.resolver = actor, resolver
        self.links: dict[str, str] = {}
        self.counts = LinkCounts()
        self.redirects: list[EntityRedirect] = []
        self.after_writes: list[Callable[[], int]] = []
        self.merged: dict[str, tuple[str, bool]] = {}  # an exported entity's merged_ids: old -> (id, published)

    def link_entities(self, rows: dict[str, EntityRow]) -> None:
        """Drop the batch's rows that name bodies the registry holds; rewrite the others' references."""
        new_ids = new_entity_ids(rows)
        links = merged_links(new_ids)
        rest = [i for i in new_ids if i not in links]
        if self.resolver is not None and rest:
            answer = self.resolver([incoming(rows[i]) for i in rest], self.actor)
            links.update({k: v for k, v in answer.links.items() if k in rows and k not in links})
            self.after_writes.append(answer.after_write)
        self.redirects.extend(EntityRedirect(old_id=old, entity_id=new, published=rows[old].published,
                                             names=[rows[old].name, *rows[old].aliases])
                              for old, new in links.items() if old in rest)
        self.counts.linked += len(links)
        self.counts.created += len(new_ids) - len(links)
        self.links.update(links)
        for old in links:
            rows.pop(old, None)
        rewrite_entities(rows, self.links)
        self.merged.update({old: (row.id, row.published) for row in rows.values()
                            for old in row.merged_ids if old != row.id})

    def rewrite_ties(self, rows: dict[str, TieRow]) -> None:
        rewrite_ties(rows, self.links)

    def finish(self) -> int:
        """After every batch is written: the redirects, ties written before a link was known, the
        merged ids of exported entities, then the resolver's queue. Returns how many pairs were queued."""
        EntityRedirect.objects.bulk_create(self.redirects, ignore_conflicts=True)
        repoint_written_ties(self.links)
        write_merged_ids(self.merged)
        self.counts.queued = sum(after_write() for after_write in self.after_writes)
        return self.counts.queued


def repoint_written_ties(links: dict[str, str]) -> None:
    """A tie may come before the entity it names; if that entity was then linked, the tie was written
    naming an id that will not exist: point it at the existing entity."""
    for part in chunks(sorted(links), 2000):
        for old in Tie.objects.filter(subject_id__in=part).values_list("subject_id", flat=True).distinct():
            Tie.objects.filter(subject_id=old).update(subject_id=links[old])
        for old in Tie.objects.filter(program_id__in=part).values_list("program_id", flat=True).distinct():
            Tie.objects.filter(program_id=old).update(program_id=links[old])
        for link in TieCounterpart.objects.filter(entity_id__in=part):
            target = links[link.entity_id]
            if TieCounterpart.objects.filter(tie_id=link.tie_id, entity_id=target).exists():
                link.delete()
            else:
                TieCounterpart.objects.filter(pk=link.pk).update(entity_id=target)


def _swap(links: dict[str, str], value: object) -> object:
    if isinstance(value, list):
        return list(dict.fromkeys(links.get(v, v) if isinstance(v, str) else v for v in value))
    return links.get(value, value) if isinstance(value, str) else value


def rewrite_entities(rows: dict[str, EntityRow], links: dict[str, str]) -> None:
    """Point every entity reference of `rows` at the existing ids `links` names."""
    if not links:
        return
    for entity in rows.values():
        entity.parent = links.get(entity.parent, entity.parent) if entity.parent else None
        for name in ENTITY_REF_EXTRAS:
            if name in entity.extra:
                entity.extra[name] = _swap(links, entity.extra[name])


def rewrite_ties(rows: dict[str, TieRow], links: dict[str, str]) -> None:
    if not links:
        return
    for tie in rows.values():
        tie.subject = links.get(tie.subject, tie.subject)
        tie.counterparts = list(dict.fromkeys(links.get(c, c) for c in tie.counterparts))
        tie.program = links.get(tie.program, tie.program) if tie.program else None
        for name in ENTITY_REF_ATTRIBUTES:
            if name in tie.attributes:
                tie.attributes[name] = _swap(links, tie.attributes[name])


def write_merged_ids(merged: dict[str, tuple[str, bool]]) -> None:
    """An exported entity's `merged_ids` lead to it again (ids that are not entities themselves)."""
    if not merged:
        return
    taken: set[str] = set()
    for part in chunks(sorted(merged), 2000):
        taken.update(Entity.objects.filter(pk__in=part).values_list("pk", flat=True))
    for old, (new, published) in merged.items():
        if old not in taken:
            EntityRedirect.objects.update_or_create(old_id=old, defaults={"entity_id": new, "published": published})
