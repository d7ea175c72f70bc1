"""The outbox worker: sends queued emails through Django's email framework, erasing each link once sent.

Any number of workers, on any number of machines, share one outbox. Each message is locked, sent and
marked sent in a transaction of its own (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL), so two
workers never send the same message, and a worker that loses its database connection mid-send
leaves at most that one message sent but not marked: it is sent again later (at least once, never
lost), under the same Message-ID so that a receiving system can recognise the repeat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from tiewatch.campaigns import conf
from tiewatch.campaigns.models import OutboxMessage

log = logging.getLogger("tiewatch.campaigns.worker")

RETRY_FIRST_SECONDS = 0.5  # after a lost database: 0.5, 1, 2, 4 ... seconds
RETRY_MAX_SECONDS = 30.0


def send_outbox(batch: int | None = None) -> tuple[int, int]:
    """Send queued emails until the outbox is empty, trying each message once per call (in id order,
    `batch` ids read per query). Returns (sent, failed for good in this call)."""
    batch = batch or int(conf.get("TIEWATCH_CAMPAIGNS_WORKER_BATCH"))
    max_attempts = int(conf.get("TIEWATCH_CAMPAIGNS_WORKER_MAX_ATTEMPTS"))
    mail = get_connection(fail_silently=False)
    sent = failed = 0
    last_id = 0
    _open_quietly(mail)  # one SMTP session for the whole run; a refused one is recorded per message
    try:
        while True:
            ids = list(OutboxMessage.objects.filter(sent_at__isnull=True, failed=False, id__gt=last_id)
                       .order_by("id").values_list("id", flat=True)[:batch])
            if not ids:
                return sent, failed
            for pk in ids:
                outcome = _send_one(pk, mail, max_attempts)
                sent += outcome == "sent"
                failed += outcome == "failed"
            last_id = ids[-1]
    finally:
        _close_quietly(mail)


def _send_one(pk: int, mail: Any, max_attempts: int) -> str | None:
    """Lock, send and mark one message in one transaction. Returns "sent", "failed" (given up),
    "retry", or None when another worker holds it or has sent it since it was listed."""
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True, failed=False)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        message = qs.first()
        if message is None:
            return None
        try:
            _email(message, mail).send()
        except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
            _close_quietly(mail)  # the next message opens a fresh SMTP session
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.failed = message.attempts >= max_attempts
            message.save(update_fields=["attempts", "last_error", "failed"])
            return "failed" if message.failed else "retry"
        message.sent_at = timezone.now()
        message.attempts += 1
        message.body = ""  # the link is a credential: keep it only until sent
        message.headers = {}
        message.save(update_fields=["sent_at", "attempts", "body", "headers"])
        return "sent"


def _email(message: OutboxMessage, mail: Any) -> EmailMessage:
    # A Message-ID of the outbox row, the same from every worker and on every attempt.
    host = urlsplit(conf.site_url()).hostname or "localhost"
    message_id = f"<outbox.{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{host}>"
    return EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to],
                        connection=mail, headers={**(message.headers or {}), "Message-ID": message_id})


def _open_quietly(mail: Any) -> None:
    try:
        mail.open()
    except Exception:  # noqa: BLE001 - each send retries the connection and records its error
        _close_quietly(mail)


def _close_quietly(mail: Any) -> None:
    try:
        mail.close()
    except Exception:  # a broken SMTP session is dropped either way
        log.debug("closing the SMTP connection failed", exc_info=True)


def run_worker(interval: float, once: bool = False, report: Callable[[str], None] = print) -> int:
    """`tiewatch worker`: send the outbox every `interval` seconds until stopped (or once). A lost
    database (restart, failover) is logged and retried with backoff on a new connection; the
    worker itself keeps running."""
    delay = 0.0
    while True:
        try:
            sent, failed = send_outbox()
        except (OperationalError, InterfaceError) as exc:
            if once:
                raise
            delay = min(RETRY_MAX_SECONDS, delay * 2 or RETRY_FIRST_SECONDS)
            log.warning("outbox worker: database unavailable (%s); retrying in %.1f s", str(exc).strip(), delay)
            _drop_database_connection()
            time.sleep(delay)
            continue
        if delay:
            log.warning("outbox worker: database available again")
            delay = 0.0
        if sent or failed or once:
            report(f"sent {sent}, failed {failed}")
        if once:
            return 0
        time.sleep(interval)


def _drop_database_connection() -> None:
    """Forget the broken connection so that the next query opens a new one."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a dead connection may fail; it is gone either way
        connection.connection = None
