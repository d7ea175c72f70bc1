"""The audit trail: canonical snapshots of records and the ChangeRecords that compare them.

Snapshots are plain JSON-able dicts in one canonical form, whether they come from the database
(admin edits, exports) or from an import bundle, so "did anything change?" is a dict comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from tiewatch.registry.models import ChangeRecord, Entity, Jurisdiction, Source, Tie


def source_snapshot(source: Source) -> dict[str, Any]:
    return {
        "url": source.url, "title": source.title, "publisher": source.publisher,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "accessed_on": source.accessed_on.isoformat() if source.accessed_on else None,
        "excerpt": source.excerpt, "published": source.published,
    }


def jurisdiction_snapshot(jurisdiction: Jurisdiction) -> dict[str, Any]:
    return {"name": jurisdiction.name, "parent": jurisdiction.parent_id}


def entity_snapshot(entity: Entity, source_ids: Iterable[str] | None = None) -> dict[str, Any]:
    sources = source_ids if source_ids is not None else entity.sources.values_list("id", flat=True)
    return {
        "name": entity.name, "kind": entity.kind, "country": entity.country,
        "jurisdiction": entity.jurisdiction_id, "aliases": list(entity.aliases or []), "parent": entity.parent_id,
        "note": entity.note, "uncertain": entity.uncertain, "published": entity.published,
        "extra": entity.extra or {}, "sources": sorted(sources),
    }


def tie_snapshot(tie: Tie, counterpart_ids: Iterable[str] | None = None,
                 source_ids: Iterable[str] | None = None) -> dict[str, Any]:
    if counterpart_ids is None:
        counterpart_ids = tie.counterpart_links.order_by("position").values_list("entity_id", flat=True)
    sources = source_ids if source_ids is not None else tie.sources.values_list("id", flat=True)
    start, end = tie.start, tie.end
    return {
        "subject": tie.subject_id, "counterparts": list(counterpart_ids), "program": tie.program_id,
        "kind": tie.kind, "start": str(start) if start else None, "end": str(end) if end else None,
        "years": list(tie.years or []), "status": tie.status, "attributes": tie.attributes or {},
        "note": tie.note, "uncertain": tie.uncertain, "published": tie.published, "sources": sorted(sources),
    }


def actor_name(user: AbstractBaseUser | AnonymousUser | None, fallback: str = "") -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.get_username())
    return fallback


def record_change(model: str, object_id: str, action: str, before: dict[str, Any] | None,
                  after: dict[str, Any] | None, user: Any = None, actor: str = "") -> ChangeRecord | None:
    """Store one change; nothing is stored when before and after are equal."""
    if before == after:
        return None
    return ChangeRecord.objects.create(
        model=model, object_id=object_id, action=action, before=before, after=after,
        user=user if getattr(user, "is_authenticated", False) else None, actor=actor_name(user, actor),
    )


def snapshot(obj: Any) -> dict[str, Any]:
    """The canonical snapshot of any audited record, read fresh from its relations."""
    if isinstance(obj, Tie):
        return tie_snapshot(obj)
    if isinstance(obj, Entity):
        return entity_snapshot(obj)
    if isinstance(obj, Source):
        return source_snapshot(obj)
    if isinstance(obj, Jurisdiction):
        return jurisdiction_snapshot(obj)
    raise TypeError(f"no audit snapshot for {type(obj).__name__}")


def history(model: str, object_id: str) -> list[ChangeRecord]:
    """Every change to one record, newest first."""
    return list(ChangeRecord.objects.filter(model=model, object_id=object_id).select_related("user"))
