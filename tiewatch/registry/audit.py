"""The audit trail: canonical snapshots of records and the ChangeRecords that compare them.

Snapshots are plain JSON-able dicts in one canonical form, whether they come from the database
(admin edits, exports) or from an import bundle, so "did anything change?" is a dict comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from tiewatch.core.partial_dates import PartialDate
from tiewatch.registry.models import ChangeRecord, Entity, Jurisdiction, Source, Tie
from tiewatch.registry.tieview import TieView, complete_view, ties_with_links


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


def tie_snapshot_of(subject: str, counterparts: Iterable[str], program: str | None, kind: str,
                    start: PartialDate | None, end: PartialDate | None, years: Iterable[int], status: str,
                    attributes: dict[str, Any] | None, note: str, uncertain: bool, published: bool,
                    sources: Iterable[str]) -> dict[str, Any]:
    """The one audit form of a tie, whether it comes from the database, a TieView or an import row."""
    return {
        "subject": subject, "counterparts": list(counterparts), "program": program,
        "kind": kind, "start": str(start) if start else None, "end": str(end) if end else None,
        "years": list(years or []), "status": status, "attributes": attributes or {},
        "note": note, "uncertain": uncertain, "published": published, "sources": sorted(sources),
    }


def tie_snapshot(tie: Tie, counterpart_ids: Iterable[str] | None = None,
                 source_ids: Iterable[str] | None = None) -> dict[str, Any]:
    """The stored tie's audit form: read through its complete view, or from the ids given (the
    importer reads the links of thousands of ties at once)."""
    if counterpart_ids is None or source_ids is None:
        return tie_view_snapshot(complete_view(ties_with_links(Tie.objects.filter(pk=tie.pk)).get()))
    return tie_snapshot_of(tie.subject_id, counterpart_ids, tie.program_id, tie.kind, tie.start, tie.end,
                           tie.years, tie.status, tie.attributes, tie.note, tie.uncertain, tie.published, source_ids)


def tie_view_snapshot(tie: TieView) -> dict[str, Any]:
    """The audit form of a view of a tie (complete only when built for staff, who see every party)."""
    return tie_snapshot_of(tie.subject.id, [e.id for e in tie.counterparts], tie.program.id if tie.program else None,
                           tie.kind, tie.start, tie.end, tie.years, tie.status, tie.attributes, tie.note,
                           tie.uncertain, tie.published, [s.id for s in tie.sources])


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
