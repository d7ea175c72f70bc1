"""Deletion of personal data past its retention period (`tiewatch purge`, run daily)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tiewatch.campaigns import conf
from tiewatch.campaigns.models import ExportLog, OutboxMessage, RateCounter, Signature


def purge(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete IP addresses older than the retention period, old rate counters and sent mail, and
    signatures never confirmed whose link has expired (with their unsent email)."""
    now = now or timezone.now()
    days = int(conf.get("TIEWATCH_CAMPAIGNS_IP_RETENTION_DAYS"))
    cutoff = now - dt.timedelta(days=days)
    expired = now - dt.timedelta(seconds=int(conf.get("TIEWATCH_CAMPAIGNS_CONFIRM_MAX_AGE")))
    with transaction.atomic():
        stale = Signature.objects.filter(confirmed_at__isnull=True, invalidated_at__isnull=True,
                                         created_at__lt=expired)
        OutboxMessage.objects.filter(signature__in=stale, sent_at__isnull=True).delete()
        unconfirmed, _ = stale.delete()
        ips = Signature.objects.filter(created_at__lt=cutoff, ip__isnull=False).update(ip=None)
        exports = ExportLog.objects.filter(created_at__lt=cutoff, ip__isnull=False).update(ip=None)
        counters, _ = RateCounter.objects.filter(expires__lt=int(now.timestamp())).delete()
        mail, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return {"ips": ips + exports, "rate_counters": counters, "sent_messages": mail,
            "unconfirmed": unconfirmed}
