"""Following a record by email: double opt-in, one-click unsubscribe (RFC 8058 headers on every
digest), and the daily or weekly digests, queued in the campaigns outbox and idempotent per period."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from tiewatch.campaigns.conf import site_url
from tiewatch.campaigns.models import OutboxMessage
from tiewatch.core.errors import NotFound, Problem, RateLimited, ValidationFailed
from tiewatch.desk import activity
from tiewatch.desk.models import DigestSent, Follow
from tiewatch.desk.models.follows import FREQUENCIES

DIGEST_ITEMS = 100
UNSUBSCRIBE_SALT = "tiewatch.desk.unsubscribe"
PENDING_PER_ADDRESS_PER_DAY = 5


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(kind: str, target: str) -> str:
    return f"/feeds/{kind}/{target}/"


def follow_path(kind: str, target: str) -> str:
    return f"/follow/{kind}/{target}/"


def subscribe(kind: str, target_id: str, email: str, frequency: str) -> Follow | None:
    """Record a pending follow and queue its confirmation email. None when that address already
    follows the record (nothing is sent, and the answer to the visitor is the same)."""
    of = activity.target(kind, target_id)
    email = (email or "").strip().lower()
    problems = []
    try:
        validate_email(email)
    except ValidationError:
        problems.append(Problem("not an email address", field="email"))
    if frequency not in FREQUENCIES:
        problems.append(Problem(f"one of {', '.join(FREQUENCIES)}", field="frequency"))
    if problems:
        raise ValidationFailed("the follow has errors", problems)
    if Follow.objects.filter(kind=of.kind, target=of.id, email=email, confirmed_at__isnull=False,
                             unsubscribed_at__isnull=True).exists():
        return None
    # The form mails any address typed in: a cap on unconfirmed follows keeps it from mail-bombing one.
    day_ago = timezone.now() - dt.timedelta(days=1)
    if Follow.objects.filter(email=email, confirmed_at__isnull=True, created_at__gte=day_ago).count() \
            >= PENDING_PER_ADDRESS_PER_DAY:
        raise RateLimited("Too many unconfirmed follows for this email address today; confirm one or try tomorrow.")
    confirm = secrets.token_urlsafe(24)
    with transaction.atomic():
        follow = Follow.objects.create(kind=of.kind, target=of.id, email=email, frequency=frequency,
                                       confirm_hash=token_hash(confirm))
        unsubscribe = unsubscribe_token(follow)
        body = (f"Someone (we hope you) asked to follow {of.title} on tiewatch, with a {frequency} email digest.\n\n"
                f"Confirm here:\n{site_url()}/follow/confirm/{confirm}/\n\n"
                f"If this was not you, ignore this email: nothing will be sent.\n\n"
                f"Stop at any time:\n{site_url()}/follow/unsubscribe/{unsubscribe}/\n")
        OutboxMessage.objects.create(to=email, subject=f"Confirm: follow {of.title}"[:300], body=body,
                                     kind="follow_confirm", headers=_unsubscribe_headers(unsubscribe))
    return follow


def confirm(token: str) -> Follow:
    follow = Follow.objects.filter(confirm_hash=token_hash(token)).first()
    if follow is None or follow.unsubscribed_at is not None:
        raise NotFound("this confirmation link is unknown or was withdrawn")
    if follow.confirmed_at is None:
        follow.confirmed_at = follow.covered_until = timezone.now()
        follow.save(update_fields=["confirmed_at", "covered_until"])
    return follow


def unsubscribe_token(follow: Follow) -> str:
    """A signed token naming the follow: every email's link keeps working, and none can be forged."""
    return signing.dumps(follow.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe(token: str) -> Follow:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise NotFound("this unsubscribe link is unknown") from None
    follow = Follow.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if follow is None:
        raise NotFound("this unsubscribe link is unknown")
    if follow.unsubscribed_at is None:
        follow.unsubscribed_at = timezone.now()
        follow.save(update_fields=["unsubscribed_at"])
    return follow


def period_of(frequency: str, now: dt.datetime | None = None) -> str:
    day = timezone.localdate(now or timezone.now())
    if frequency == "daily":
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(slots=True)
class DigestRun:
    period: str
    due: int = 0
    sent: int = 0
    empty: int = 0


def send_digests(frequency: str, now: dt.datetime | None = None) -> DigestRun:
    """Queue this period's digest of every confirmed follow of `frequency` that has none yet. A
    follow with nothing new gets no email, but its period is marked done all the same."""
    if frequency not in FREQUENCIES:
        raise ValidationFailed(f"unknown frequency {frequency!r}",
                               [Problem(f"one of {', '.join(FREQUENCIES)}", field="frequency")])
    now = now or timezone.now()
    run = DigestRun(period_of(frequency, now))
    due = (Follow.objects.filter(frequency=frequency, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
           .exclude(digests__period=run.period))
    for follow in due.iterator():
        run.due += 1
        outcome = _digest_one(follow, run.period, now)
        run.sent += outcome == "sent"
        run.empty += outcome == "empty"
    return run


def _digest_one(follow: Follow, period: str, now: dt.datetime) -> str:
    try:
        of = activity.target(follow.kind, follow.target)
        found = activity.items(of, since=follow.covered_until, until=now, limit=DIGEST_ITEMS)
    except NotFound:
        found, of = [], None  # the record was withdrawn from the public: nothing to tell
    try:
        with transaction.atomic():
            DigestSent.objects.create(follow=follow, period=period, items=len(found), sent_at=now)
            if found and of is not None:
                token = unsubscribe_token(follow)
                OutboxMessage.objects.create(
                    to=follow.email, subject=f"tiewatch: {len(found)} new about {of.title}"[:300],
                    body=_digest_body(of, found, token), kind="follow_digest",
                    headers=_unsubscribe_headers(token))
            follow.covered_until = now
            follow.save(update_fields=["covered_until"])
    except IntegrityError:
        return "done"  # another run sent this period's digest first
    return "sent" if found and of is not None else "empty"


def _digest_body(of: activity.Target, found: list[activity.Item], unsubscribe_token: str) -> str:
    base = site_url()
    lines = [f"New on tiewatch about {of.title} ({base}{of.page}):", ""]
    for item in found:
        lines += [f"- {item.at:%Y-%m-%d} {item.title}", f"  {item.summary}", f"  {base}{item.link}", ""]
    lines += [f"Feed: {base}{feed_path(of.kind, of.id)}",
              f"Unsubscribe (one click): {base}/follow/unsubscribe/{unsubscribe_token}/"]
    return "\n".join(lines) + "\n"


def _unsubscribe_headers(token: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{site_url()}/follow/unsubscribe/{token}/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
