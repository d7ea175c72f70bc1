"""Which campaign records a data load wrote, so that a later load never overwrites an edit.

Campaign records have no audit trail, so the loader remembers, per record it writes, a digest of the
values it wrote (`LoadStamp`, keyed by the record's natural key in the file: a slug, or the parent and
the identifying fields of a child). On the next load:

- no record yet: it is created and stamped;
- the record's current values still have the stamped digest: nobody changed it, so it follows the
  file (updated if the file changed) and is stamped again;
- the digest differs: someone edited it (in the admin, say) since the load; it is kept as it is and
  reported;
- a record with that key exists but has no stamp: it was loaded by a version before stamps, when
  every load overwrote everything; it is treated as the loader's this once (updated and stamped);
- the stamped record was deleted: it is created again (a deletion is not an edit of values), unless
  a record with its key was made since (in the admin): that one counts as edited and is kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

from tiewatch.campaigns.stamp_models import LoadStamp

M = TypeVar("M", bound=models.Model)


def _plain(value: Any) -> Any:
    """A value as the digest sees it: a related record by its key, related sets as sorted keys, text as
    the admin saves it (a browser sends CRLF line ends, the form trims the ends), so that saving a record
    in the admin without changing it is not an edit."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)) and value and all(isinstance(v, models.Model) for v in value):
        return sorted(v.pk for v in value)
    return value


def digest(obj: models.Model, names: Iterable[str]) -> str:
    """sha256 of the record's current values of `names` (foreign keys and many-to-many by key)."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        else:
            values[name] = _plain(getattr(obj, name))
    text = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Stamper:
    """Creates or updates records unless they were edited since the last load; collects the kept ones."""

    def __init__(self) -> None:
        self.kept: list[str] = []

    def put(self, model: type[M], lookup: Mapping[str, Any], values: Mapping[str, Any],
            also: tuple[str, ...] = ()) -> tuple[M, bool]:
        """The record matching `lookup`, written with `values` unless edited since the last load.
        Returns (record, written). `also` names more digested fields the caller sets afterwards
        (then it calls `restamp`)."""
        label = model._meta.label
        key = json.dumps({k: _plain(v) for k, v in lookup.items()}, sort_keys=True, default=str)
        names = (*lookup, *values, *also)
        stamp = LoadStamp.objects.filter(model=label, key=key).first()
        obj = model._default_manager.filter(pk=stamp.object_pk).first() if stamp else None
        if obj is None:
            obj = model._default_manager.filter(**lookup).first()
        if obj is not None and stamp is not None and digest(obj, names) != stamp.digest:
            self.kept.append(f"{model._meta.verbose_name} {lookup.get('slug') or obj}")
            return obj, False
        if obj is None:
            obj = model._default_manager.create(**lookup, **values)
        else:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
        self.restamp(obj, key, names)
        return obj, True

    def restamp(self, obj: models.Model, key: str | None = None, names: Iterable[str] = ()) -> None:
        """Record the digest of `obj` as the loader wrote it."""
        label = obj._meta.label
        if key is None:
            stamp = LoadStamp.objects.filter(model=label, object_pk=str(obj.pk)).first()
            if stamp is None:
                return
            key, names = stamp.key, stamp.fields.split(",")
        names = list(names)
        LoadStamp.objects.update_or_create(model=label, key=key, defaults={
            "object_pk": str(obj.pk), "fields": ",".join(names), "digest": digest(obj, names)})
