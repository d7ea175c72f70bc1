"""Merging two registry entities into one canonical entity, and taking a merge apart exactly.

A merge re-points everything that named the merged-away entity (ties as subject, counterpart or
program; children; the `member_of`/`sponsor`/`counterparts` facts of other entities; a tie's
`funder`), adds its name and aliases to the canonical entity's aliases and its sources to the
canonical entity's sources, deletes it, and leaves a registry.EntityRedirect so its id keeps
working. Everything changed is written into the Merge's snapshot, which `unmerge` replays backwards.

Visibility (docs/resolution.md): a draft folded into a published entity must not make its draft-only
facts public. Its names are then not added to the public aliases (they are kept in the snapshot and
shown to staff), the ties it was the subject of (hidden from the public, as a draft's ties are) are
kept as drafts, and its redirect answers staff only.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from tiewatch.core.errors import Conflict
from tiewatch.registry.audit import actor_name, entity_snapshot, record_change
from tiewatch.registry.importers.writer import refresh_counterpart_countries
from tiewatch.registry.models import Entity, EntityRedirect, Tie, TieCounterpart
from tiewatch.registry.visibility import ENTITY_REF_ATTRIBUTES, ENTITY_REF_EXTRAS
from tiewatch.resolution.models import Merge


class MergeRefused(Conflict):
    """A merge or unmerge that cannot be done as asked (a missing record, a later merge in the way)."""


def canonical_order(left: Entity, right: Entity) -> tuple[Entity, Entity]:
    """(canonical, merged-away): the published one stays when only one is, so public links keep their
    address; else the one more ties name (fewer records change); else the left one (in queued pairs,
    the record that was there first)."""
    if left.published != right.published:
        return (left, right) if left.published else (right, left)
    if _references(right) > _references(left):
        return right, left
    return left, right


def _references(entity: Entity) -> int:
    return (Tie.objects.filter(subject_id=entity.pk).count() + Tie.objects.filter(program_id=entity.pk).count()
            + TieCounterpart.objects.filter(entity_id=entity.pk).count())


def current_id(entity_id: str) -> str:
    """The id an entity now lives under, following merges (an id never merged is itself)."""
    redirect = EntityRedirect.objects.filter(old_id=entity_id).values_list("entity_id", flat=True).first()
    return redirect or entity_id


def merge_entities(left_id: str, right_id: str, actor: str, user: Any = None) -> Merge:
    """Fold one of two entities into the other (canonical_order decides which); one transaction."""
    with transaction.atomic():
        entities = {e.pk: e for e in Entity.objects.select_for_update().filter(pk__in=[left_id, right_id])}
        for entity_id in (left_id, right_id):
            if entity_id not in entities:
                raise MergeRefused(f"no entity with id {entity_id!r} (merged already, or never imported)")
        if left_id == right_id:
            raise MergeRefused(f"cannot merge {left_id!r} into itself")
        canonical, merged = canonical_order(entities[left_id], entities[right_id])
        return _merge(canonical, merged, actor_name(user, actor), user)


def _merge(canonical: Entity, merged: Entity, actor: str, user: Any) -> Merge:
    canonical_before = entity_snapshot(canonical)
    merged_before = entity_snapshot(merged)
    hide = canonical.published and not merged.published
    snap: dict[str, Any] = {"merged": {"id": merged.pk, **merged_before}, "canonical_before": canonical_before,
                            "hidden_names": [], "added_aliases": [], "added_sources": []}
    names = [merged.name, *(merged.aliases or [])]
    known = {canonical.name.casefold(), *(a.casefold() for a in canonical.aliases or [])}
    new_names = [n for n in dict.fromkeys(names) if n.casefold() not in known]
    snap["hidden_names" if hide else "added_aliases"] = new_names
    added_sources = sorted(set(merged_before["sources"]) - set(canonical_before["sources"]))
    snap["added_sources"] = added_sources
    snap.update(_repoint(canonical, merged, hide))
    canonical.refresh_from_db(fields=["extra"])  # its own facts may have named the merged entity
    if canonical.parent_id == merged.pk:
        canonical.parent_id = merged.parent_id if merged.parent_id != canonical.pk else None
    if not hide:
        canonical.aliases = [*(canonical.aliases or []), *new_names]
    canonical.save()
    canonical.sources.add(*added_sources)
    merged_id = merged.pk
    snap["redirects"] = list(EntityRedirect.objects.filter(entity_id=merged_id).values_list("old_id", flat=True))
    EntityRedirect.objects.filter(entity_id=merged_id).update(entity_id=canonical.pk)
    merged.sources.clear()
    merged.delete()
    EntityRedirect.objects.create(old_id=merged_id, entity=canonical, published=merged_before["published"],
                                  names=names)
    refresh_counterpart_countries([canonical.pk])
    record_change("entity", merged_id, "merge", merged_before, {"merged_into": canonical.pk}, user, actor)
    record_change("entity", canonical.pk, "merge", canonical_before, entity_snapshot(canonical), user, actor)
    return Merge.objects.create(canonical_id=canonical.pk, merged_id=merged_id, snapshot=snap, actor=actor)


def _repoint(canonical: Entity, merged: Entity, hide: bool) -> dict[str, Any]:
    """Move every reference to `merged` onto `canonical`; returns what was moved, for unmerge."""
    subject_ties = list(Tie.objects.filter(subject_id=merged.pk).values_list("id", "published"))
    Tie.objects.filter(subject_id=merged.pk).update(subject_id=canonical.pk)
    if hide:
        Tie.objects.filter(pk__in=[tid for tid, published in subject_ties if published]).update(published=False)
    both = set(TieCounterpart.objects.filter(entity_id=canonical.pk).values_list("tie_id", flat=True))
    links = list(TieCounterpart.objects.filter(entity_id=merged.pk).values_list("tie_id", "position"))
    dropped = [(tid, pos) for tid, pos in links if tid in both]
    TieCounterpart.objects.filter(entity_id=merged.pk, tie_id__in=[t for t, _ in dropped]).delete()
    TieCounterpart.objects.filter(entity_id=merged.pk).update(entity_id=canonical.pk)
    program_ties = list(Tie.objects.filter(program_id=merged.pk).values_list("id", flat=True))
    Tie.objects.filter(program_id=merged.pk).update(program_id=canonical.pk)
    children = list(Entity.objects.filter(parent_id=merged.pk).exclude(pk=canonical.pk).values_list("id", flat=True))
    Entity.objects.filter(pk__in=children).update(parent_id=canonical.pk)
    return {
        "subject_ties": [[tid, published] for tid, published in subject_ties],
        "counterpart_ties": [tid for tid, _ in links if tid not in both],
        "dropped_counterparts": [[tid, pos] for tid, pos in dropped],
        "program_ties": program_ties, "children": children,
        "entity_facts": _repoint_facts(merged.pk, canonical.pk),
        "tie_attributes": _repoint_attributes(merged.pk, canonical.pk),
        "relations": _repoint_relations(merged.pk, canonical.pk),
    }


# References to an entity handled above, by name; any other foreign key to Entity (a claim about it or
# made by it, a research record about an agency, in this app or one added later) moves generically, so
# a merge neither fails on a protected reference nor cascades a record away.
_HANDLED = {("registry.Entity", "parent"), ("registry.Tie", "subject"), ("registry.Tie", "program"),
            ("registry.TieCounterpart", "entity"), ("registry.EntityRedirect", "entity")}


def _other_relations() -> list[tuple[Any, str]]:
    return [(rel.related_model, rel.field.name) for rel in Entity._meta.related_objects
            if not rel.many_to_many and (rel.related_model._meta.label, rel.field.name) not in _HANDLED]


def _repoint_relations(old: str, new: str) -> list[list[Any]]:
    """[model label, field, [pks]] of the rows moved from `old` to `new`, for unmerge."""
    moved = []
    for model, field_name in _other_relations():
        pks = list(model.objects.filter(**{f"{field_name}_id": old}).values_list("pk", flat=True))
        if pks:
            model.objects.filter(pk__in=pks).update(**{f"{field_name}_id": new})
            moved.append([model._meta.label, field_name, pks])
    return moved


def _swap(value: Any, old: str, new: str) -> Any:
    if isinstance(value, list):
        swapped = [new if v == old else v for v in value]
        return list(dict.fromkeys(swapped)) if all(isinstance(v, str) for v in swapped) else swapped
    return new if value == old else value


def _names(facts: Any, refs: tuple[str, ...], entity_id: str) -> bool:
    if not isinstance(facts, dict):
        return False
    return any(entity_id == v or (isinstance(v, list) and entity_id in v) for v in (facts.get(r) for r in refs))


def _repoint_facts(old: str, new: str) -> list[list[Any]]:
    """Entity.extra facts naming `old` (member_of, sponsor, counterparts): [[id, extra before], ...]."""
    changed = []
    for entity in Entity.objects.exclude(extra={}).only("id", "extra"):
        if _names(entity.extra, ENTITY_REF_EXTRAS, old):
            changed.append([entity.pk, entity.extra])
            extra = {k: _swap(v, old, new) if k in ENTITY_REF_EXTRAS else v for k, v in entity.extra.items()}
            Entity.objects.filter(pk=entity.pk).update(extra=extra)
    return changed


def _repoint_attributes(old: str, new: str) -> list[list[Any]]:
    """Tie attributes naming `old` (funder): [[tie id, attributes before], ...]."""
    changed = []
    for name in ENTITY_REF_ATTRIBUTES:
        for tie in Tie.objects.filter(**{f"attributes__{name}": old}).only("id", "attributes"):
            changed.append([tie.pk, tie.attributes])
            Tie.objects.filter(pk=tie.pk).update(attributes={**tie.attributes, name: new})
    return changed


def unmerge(merge: Merge, actor: str, user: Any = None) -> None:
    """Take `merge` apart: the merged-away entity comes back exactly as it was, and everything the merge
    moved goes back to it. Refused when a later merge folded the canonical entity away (undo that first)."""
    with transaction.atomic():
        merge = Merge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise MergeRefused(f"the merge of {merge.merged_id!r} into {merge.canonical_id!r} is undone already")
        canonical = Entity.objects.filter(pk=merge.canonical_id).first()
        if canonical is None:
            raise MergeRefused(f"{merge.canonical_id!r} was merged into {current_id(merge.canonical_id)!r} "
                               "later: undo that merge first")
        if Entity.objects.filter(pk=merge.merged_id).exists():
            raise MergeRefused(f"an entity {merge.merged_id!r} exists again; it cannot be restored over")
        who = actor_name(user, actor)
        canonical_before = entity_snapshot(canonical)
        merged = _restore(canonical, merge.snapshot)
        merge.undone_at, merge.undone_by = timezone.now(), who
        merge.save(update_fields=["undone_at", "undone_by"])
        refresh_counterpart_countries([canonical.pk, merged.pk])
        record_change("entity", merged.pk, "unmerge", {"merged_into": canonical.pk}, entity_snapshot(merged), user, who)
        record_change("entity", canonical.pk, "unmerge", canonical_before, entity_snapshot(canonical), user, who)


def _restore(canonical: Entity, snap: dict[str, Any]) -> Entity:
    data = snap["merged"]
    merged = Entity(id=data["id"], name=data["name"], kind=data["kind"], country=data["country"],
                    jurisdiction_id=data["jurisdiction"], aliases=data["aliases"], parent_id=data["parent"],
                    note=data["note"], uncertain=data["uncertain"], published=data["published"], extra=data["extra"])
    merged.save(force_insert=True)
    merged.sources.set(data["sources"])
    EntityRedirect.objects.filter(old_id=merged.pk).delete()
    EntityRedirect.objects.filter(old_id__in=snap["redirects"]).update(entity_id=merged.pk)
    added = set(snap["added_aliases"])
    canonical.aliases = [a for a in canonical.aliases or [] if a not in added]
    if canonical.parent_id != snap["canonical_before"]["parent"]:
        canonical.parent_id = snap["canonical_before"]["parent"]
    canonical.save()
    canonical.sources.remove(*snap["added_sources"])
    for tie_id, published in snap["subject_ties"]:
        Tie.objects.filter(pk=tie_id).update(subject_id=merged.pk, published=published)
    TieCounterpart.objects.filter(entity_id=canonical.pk, tie_id__in=snap["counterpart_ties"]) \
        .update(entity_id=merged.pk)
    TieCounterpart.objects.bulk_create([TieCounterpart(tie_id=tid, entity_id=merged.pk, position=pos)
                                        for tid, pos in snap["dropped_counterparts"]])
    Tie.objects.filter(pk__in=snap["program_ties"]).update(program_id=merged.pk)
    Entity.objects.filter(pk__in=snap["children"]).update(parent_id=merged.pk)
    for entity_id, extra in snap["entity_facts"]:
        Entity.objects.filter(pk=entity_id).update(extra=extra)
    for tie_id, attributes in snap["tie_attributes"]:
        Tie.objects.filter(pk=tie_id).update(attributes=attributes)
    for label, field_name, pks in snap.get("relations", []):
        apps.get_model(label).objects.filter(pk__in=pks).update(**{f"{field_name}_id": merged.pk})
    return merged
