"""Moderation by staff: invalidating signatures in bulk, with a reason, in the moderation log."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tiewatch.campaigns.models import ModerationLog, Petition, Signature
from tiewatch.core.errors import Problem, ValidationFailed


def invalidate(petition: Petition, ids: list[int], reason: str, user: Any) -> int:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("A reason is required.", [Problem("A reason is required.", field="reason")])
    if not ids:
        raise ValidationFailed("Select at least one signature.", [Problem("Select at least one.", field="ids")])
    with transaction.atomic():
        n = Signature.objects.filter(petition=petition, pk__in=ids, invalidated_at__isnull=True).update(
            invalidated_at=timezone.now(), invalidation_reason=reason[:300], invalidated_by=user)
        ModerationLog.objects.create(petition=petition, user=user, username=user.get_username(),
                                     action="invalidate", count=n, reason=reason[:300])
    return n
