"""The outbox worker: sends queued emails through Django's email framework, erasing each link once sent."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tiewatch.campaigns import conf
from tiewatch.campaigns.models import OutboxMessage


def send_outbox(batch: int | None = None) -> tuple[int, int]:
    """Send queued emails until the outbox is empty. Returns (sent, failed this run)."""
    from django.core.mail import EmailMessage, get_connection

    batch = batch or int(conf.get("TIEWATCH_CAMPAIGNS_WORKER_BATCH"))
    max_attempts = int(conf.get("TIEWATCH_CAMPAIGNS_WORKER_MAX_ATTEMPTS"))
    sent = failed = 0
    while True:
        with transaction.atomic():
            qs = OutboxMessage.objects.filter(sent_at__isnull=True, failed=False).order_by("id")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            messages = list(qs[:batch])
            if not messages:
                return sent, failed
            mail = get_connection(fail_silently=False)
            progressed = False
            for message in messages:
                try:
                    EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to],
                                 connection=mail).send()
                except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
                    message.attempts += 1
                    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    if message.attempts >= max_attempts:
                        message.failed = True
                        failed += 1
                        progressed = True
                    message.save(update_fields=["attempts", "last_error", "failed"])
                    continue
                message.sent_at = timezone.now()
                message.attempts += 1
                message.body = ""  # the link is a credential: keep it only until sent
                message.save(update_fields=["sent_at", "attempts", "body"])
                sent += 1
                progressed = True
        if not progressed:
            return sent, failed
