"""Uploaded lists kept for their owner: screened in full before anything is stored (a refused list
stores nothing), visible only to the uploader and staff, deleted once their retention has run out.

Expired lists are purged on every access (listing, opening, uploading) as well as by
`tiewatch screen-list-purge`, so a deployment without a scheduler still keeps no list too long.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tiewatch.core.errors import NotFound
from tiewatch.policies.listscreen import conf
from tiewatch.policies.listscreen.reader import read_list
from tiewatch.policies.listscreen.screen import screen_rows
from tiewatch.policies.models import ScreenedList
from tiewatch.registry.visibility import can_see_drafts

MAX_FILENAME = 200


def purge_expired(now: dt.datetime | None = None) -> int:
    deleted, _ = ScreenedList.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def visible_lists(user: Any) -> QuerySet[ScreenedList]:
    """The lists `user` may open: their own; staff see every list."""
    purge_expired()
    if not getattr(user, "is_authenticated", False):
        return ScreenedList.objects.none()
    qs = ScreenedList.objects.all()
    return qs if user.is_staff else qs.filter(owner=user)


def get_list(user: Any, list_id: int) -> ScreenedList:
    """One list `user` may open; NotFound (never "forbidden") for someone else's, so ids leak nothing."""
    found = visible_lists(user).filter(pk=list_id).first()
    if found is None:
        raise NotFound(f"no screened list {list_id}")
    return found


def screen_upload(user: Any, data: bytes, filename: str, name_column: str = "name",
                  limit: int = 3) -> ScreenedList:
    """Check and screen the whole list, then store it with its report in one transaction."""
    purge_expired()
    filename = (filename or "list.csv").replace("\\", "/").rsplit("/", 1)[-1][:MAX_FILENAME] or "list.csv"
    rows = read_list(data, filename, name_column)
    report = screen_rows(rows, limit=limit, drafts=can_see_drafts(user), source=filename)
    now = timezone.now()
    with transaction.atomic():
        return ScreenedList.objects.create(
            owner=user, filename=filename, uploaded_at=now, rows=len(rows), content=data, report=report,
            expires_at=now + dt.timedelta(days=conf.retention_days()))
