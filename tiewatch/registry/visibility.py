"""Who sees what: the one rule for drafts, used by every page, API answer, export and the policy
screening's input (docs/registry.md#roles-and-visibility).

Staff see everything. The public sees:

- a published entity or source;
- a published tie whose subject is published (a tie about a draft is a draft itself); within it, its
  draft counterparts, program, funder and sources are left out;
- within a published entity, its draft parent, `member_of`, `sponsor`, usual `counterparts` and
  sources are left out;
- a jurisdiction in which (or within which) a published entity is placed;
- the id (and names) of a published record merged into a published entity (entity resolution): a
  merged-away draft's id leads staff only (`redirect_target`, `Visible.merged_ids`).
- a claim about a published entity or a tie the public sees, citing at least one published source;
  within it, its draft sources and a draft claimant are left out.

Querysets decide which records are listed; `Visible` decides which references inside a listed record
are shown. Nothing else in the registry filters on `published`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from tiewatch.registry.jurisdictions import lineage
from tiewatch.registry.models import Claim, Entity, EntityRedirect, Jurisdiction, Source, Tie

# Facts kept in Entity.extra and Tie.attributes that name an entity by its id.
ENTITY_REF_EXTRAS = ("member_of", "sponsor", "counterparts")
ENTITY_REF_ATTRIBUTES = ("funder",)


def can_see_drafts(user: Any) -> bool:
    """Staff (admins, editors, viewers) read unpublished drafts; the public sees published records only."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


def entities(drafts: bool) -> QuerySet[Entity]:
    qs = Entity.objects.all()
    return qs if drafts else qs.filter(published=True)


def redirect_target(old_id: str, drafts: bool) -> str | None:
    """The entity an id merged away now lives under (entity resolution), if the reader may follow it:
    a merged-away draft's id leads staff only, and only to an entity the reader sees."""
    redirect = EntityRedirect.objects.filter(old_id=old_id).select_related("entity").first()
    if redirect is None or not (drafts or (redirect.published and redirect.entity.published)):
        return None
    return redirect.entity_id


def sources(drafts: bool) -> QuerySet[Source]:
    qs = Source.objects.all()
    return qs if drafts else qs.filter(published=True)


def ties(drafts: bool) -> QuerySet[Tie]:
    """Ties a reader may list. The public's leave out drafts and the ties whose subject is a draft.
    The subject's rule is an anti-join on the few draft entities (NOT EXISTS): PostgreSQL hashes the
    drafts once, or probes the subject's primary key per tie where that is cheaper. A join on every
    subject hashed all published entities for a program's page (4.6 -> 1.4 ms per count, 1,000,000
    ties), and a NOT IN over the drafts made PostgreSQL misjudge the rows left and scan every tie for
    an entity page (docs/benchmarks.md)."""
    qs = Tie.objects.all()
    if drafts:
        return qs
    return qs.filter(~Exists(Entity.objects.filter(pk=OuterRef("subject_id"), published=False)), published=True)


def ties_of_subject(entity: Entity, drafts: bool) -> QuerySet[Tie]:
    """`ties(drafts)` whose subject is `entity`, which the reader sees: the subject's own `published`
    is then known, so its ties need no join to it (an agency's page counts all its ties)."""
    qs = Tie.objects.filter(subject_id=entity.pk)
    if drafts:
        return qs
    return qs.filter(published=True) if entity.published else qs.none()


def claims(drafts: bool) -> QuerySet[Claim]:
    """Claims a reader may list: the public's are about a published entity or a tie the public sees,
    and cite at least one published source (a claim resting only on drafts is a draft itself)."""
    qs = Claim.objects.all()
    if drafts:
        return qs
    cites_published = Exists(Claim.sources.through.objects.filter(claim_id=OuterRef("pk"), source__published=True))
    about_public = Q(entity__published=True) | Q(tie__in=ties(False).values("pk"))
    return qs.filter(about_public, cites_published)


def jurisdictions(drafts: bool) -> QuerySet[Jurisdiction]:
    """Jurisdictions a reader may see: for the public, those where a published entity is placed, and
    the places that contain them. The places themselves are a subquery and only their ancestors a
    list (states and counties: far fewer, so the query stays within SQLite's parameter limit)."""
    qs = Jurisdiction.objects.all()
    if drafts:
        return qs
    placed = Entity.objects.filter(published=True, jurisdiction__isnull=False).order_by()
    ancestors: set[str] = set()
    for ocd_id in placed.values_list("jurisdiction_id", flat=True).distinct():
        ancestors.update(lineage(ocd_id)[:-1])
    return qs.filter(Q(pk__in=placed.values("jurisdiction_id")) | Q(pk__in=sorted(ancestors)))


class Visible:
    """Which entity and source ids a reader may see inside a record (None: all of them), so that a
    shown record never names a hidden one, and an export never refers to a record it leaves out
    (and so re-imports as is)."""

    def __init__(self, entity_ids: set[str] | None = None, source_ids: set[str] | None = None) -> None:
        self.entity_ids, self.source_ids = entity_ids, source_ids

    @classmethod
    def of(cls, entity_qs: QuerySet[Entity], source_qs: QuerySet[Source]) -> Visible:
        """Every id of two querysets (exports, which name many records)."""
        return cls(set(entity_qs.values_list("id", flat=True)), set(source_qs.values_list("id", flat=True)))

    @classmethod
    def for_ties(cls, items: Iterable[Tie], drafts: bool) -> Visible:
        """For a few ties loaded with their links (queries.ties_with_links): their subjects, counterparts,
        programs and sources are judged on the loaded rows; funders (named by id) with one query."""
        if drafts:
            return cls()
        entity_ids: set[str] = set()
        source_ids: set[str] = set()
        named: set[str] = set()
        for tie in items:
            linked = [tie.subject, tie.program, *(link.entity for link in tie.counterpart_links.all())]
            entity_ids.update(e.pk for e in linked if e is not None and e.published)
            source_ids.update(s.pk for s in tie.sources.all() if s.published)
            named.update(_named(tie.attributes, ENTITY_REF_ATTRIBUTES))
        entity_ids |= _published_ids(named - entity_ids)
        return cls(entity_ids, source_ids)

    @classmethod
    def for_entities(cls, items: Iterable[Entity], drafts: bool) -> Visible:
        """For a few entities loaded with their sources: the entities they name, with one query."""
        if drafts:
            return cls()
        named: set[str] = set()
        source_ids: set[str] = set()
        for entity in items:
            named.update(_named(entity.extra, ENTITY_REF_EXTRAS))
            if entity.parent_id:
                named.add(entity.parent_id)
            source_ids.update(s.pk for s in entity.sources.all() if s.published)
        return cls(_published_ids(named), source_ids)

    def entity(self, entity_id: str | None) -> str | None:
        if entity_id is None or self.entity_ids is None or entity_id in self.entity_ids:
            return entity_id
        return None

    def merged_ids(self, entity: Entity) -> list[str]:
        """The ids merged into `entity` that the reader may know (a merged-away draft's: staff only).
        Reads `entity.redirects`, prefetched by lists and exports."""
        return sorted(r.old_id for r in entity.redirects.all() if self.entity_ids is None or r.published)

    def merged_records(self, entity: Entity) -> list[tuple[str, list[str]]]:
        """(old id, its names) of the records merged into `entity` that the reader may know."""
        return sorted((r.old_id, list(r.names or [])) for r in entity.redirects.all()
                      if self.entity_ids is None or r.published)

    def sources(self, ids: Iterable[str]) -> list[str]:
        return list(ids) if self.source_ids is None else [i for i in ids if i in self.source_ids]

    def source(self, source_id: str) -> bool:
        return self.source_ids is None or source_id in self.source_ids

    def facts(self, facts: dict[str, Any] | None, refs: Iterable[str]) -> dict[str, Any]:
        """`facts` (Entity.extra, Tie.attributes) without the hidden entities its `refs` fields name."""
        if self.entity_ids is None:
            return dict(facts or {})
        return keep_refs(facts, refs, self.entity_ids.__contains__)


def keep_refs(facts: dict[str, Any] | None, refs: Iterable[str], shown: Callable[[str], bool]) -> dict[str, Any]:
    """A copy of `facts` whose `refs` fields name only the entity ids `shown`; a field left naming
    nobody is dropped."""
    out = dict(facts or {})
    for name in refs:
        value = out.get(name)
        if isinstance(value, list):
            kept = [v for v in value if not isinstance(v, str) or shown(v)]
            if kept:
                out[name] = kept
            else:
                out.pop(name)
        elif isinstance(value, str) and not shown(value):
            out.pop(name)
    return out


def _named(facts: Any, refs: Iterable[str]) -> set[str]:
    if not isinstance(facts, dict):
        return set()
    found: set[str] = set()
    for name in refs:
        value = facts.get(name)
        found.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v)
    return found


def _published_ids(ids: set[str]) -> set[str]:
    if not ids:
        return set()
    return set(Entity.objects.filter(pk__in=sorted(ids), published=True).values_list("id", flat=True))
