"""The registry as the matching engine sees it: every entity (drafts too: staff resolve against
everything) as an engine Record, in one Index cached per process.

The cache is rebuilt when the registry changed. The check is cheap (measured in
bench/resolution.py): the number of entities, the greatest entity id and the newest audit-trail (ChangeRecord) id, which
every registry write through the admin, the importers and the merges moves; plus a counter bumped
by this process's own Entity saves and deletes, for writes that skip the audit trail.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.models import Max
from django.db.models.signals import post_delete, post_save

from tiewatch.registry.models import ChangeRecord, Entity
from tiewatch.resolution.engine import Index, Record
from tiewatch.resolution.engine.profiles import state_of

_lock = threading.Lock()
_cached: tuple[tuple[int, str, int, int], Index] | None = None
_local_writes = 0


def _bump(**_: Any) -> None:
    global _local_writes
    _local_writes += 1


post_save.connect(_bump, sender=Entity, dispatch_uid="resolution-index-entity-saved")
post_delete.connect(_bump, sender=Entity, dispatch_uid="resolution-index-entity-deleted")


def _state(entity_id: str, country: str, jurisdiction: str) -> str:
    """From the OCD id ("…/state:nc/…"), else from the id scheme "us-<state>-<slug>"."""
    found = state_of(jurisdiction)
    if found or country.upper() != "US":
        return found
    parts = entity_id.split("-")
    candidate = parts[1].upper() if len(parts) > 2 and parts[0] == "us" and len(parts[1]) == 2 else ""
    return state_of(f"ocd-division/country:us/state:{candidate.lower()}") if candidate else ""


def _record(
    entity_id: str, name: str, kind: str, country: str, jurisdiction: str | None, aliases: Any, parent: str | None
) -> Record:
    return Record(
        id=entity_id,
        name=name,
        kind=kind,
        country=(country or "").upper(),
        state=_state(entity_id, country or "", jurisdiction or ""),
        jurisdiction=jurisdiction or "",
        aliases=tuple(str(alias) for alias in aliases or () if str(alias).strip()),
        parent_id=parent or "",
    )


def record_for(entity: Entity) -> Record:
    """One registry entity as an engine Record."""
    return _record(
        entity.id, entity.name, entity.kind, entity.country, entity.jurisdiction_id, entity.aliases, entity.parent_id
    )


def registry_version() -> tuple[int, str, int, int]:
    """What moves whenever the registry's entities may have changed:
    (entities, greatest entity id, newest change id, this process's entity writes)."""
    # Three single-purpose queries: each is answered from an index or the table's row count,
    # while one COUNT+MAX aggregate made SQLite scan the table (9 ms instead of 0.2 ms at 20,000).
    count = Entity.objects.count()
    greatest = Entity.objects.aggregate(greatest=Max("id"))["greatest"] or ""
    newest = ChangeRecord.objects.aggregate(newest=Max("id"))["newest"] or 0
    return count, greatest, newest, _local_writes


def build_index() -> Index:
    rows = Entity.objects.order_by("id").values_list(
        "id", "name", "kind", "country", "jurisdiction_id", "aliases", "parent_id"
    )
    return Index(_record(*row) for row in rows.iterator(chunk_size=2000))


def current_index() -> Index:
    """The Index of all registry entities, rebuilt only when registry_version() moved."""
    global _cached
    version = registry_version()
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
    index = build_index()
    with _lock:
        _cached = (version, index)
    return index
