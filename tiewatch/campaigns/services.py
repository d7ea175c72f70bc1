"""Petition logic shared by the web pages, the API, the CLI and the benchmark.

Signing is one short path: validate the form, one upsert for the rate-limit counters, then one
atomic write of the signature and its confirmation email to the outbox (a single statement on
PostgreSQL, a transaction elsewhere). The unique constraint (petition, normalised email) makes
duplicates impossible even under concurrency or a crash; the caller sees `Conflict` (409).
Near-duplicates (same name and address, another email) are flagged when a signature is confirmed,
which keeps that lookup off the signing path (only confirmed signatures count anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tiewatch.campaigns import conf
from tiewatch.campaigns.models import (
    ModerationLog,
    OfflineSignatureBatch,
    OutboxMessage,
    Petition,
    RateCounter,
    Signature,
)
from tiewatch.campaigns.validation import validate_signature
from tiewatch.campaigns.normalise import normalise_email, normalise_name
from tiewatch.campaigns.verification import normalise_address, normalise_postal_code, verify
from tiewatch.core.errors import Conflict, Gone, NotFound, Problem, RateLimited, ValidationFailed

DUPLICATE_MESSAGE = "This email address has already signed this petition."

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key_hash(kind: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:40]}"


def client_ip(request: Any) -> str | None:
    if conf.get("TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR"):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


# --- rate limits -------------------------------------------------------------------------------

def hit_rate_limits(ip: str | None, email: str | None) -> None:
    """Count this attempt against every enabled window; raise RateLimited if one is exceeded.

    One statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) on SQLite and PostgreSQL, so
    all app-server processes share the counters. Keys are HMACs: no raw IP or email is stored.
    """
    now = int(time.time())
    rows: list[tuple[str, int, int, int, str]] = []
    checks = []
    if ip:
        checks += [("ip", ip, "TIEWATCH_CAMPAIGNS_RATE_IP_SHORT"), ("ip", ip, "TIEWATCH_CAMPAIGNS_RATE_IP_LONG")]
    if email:
        checks += [("email", email, "TIEWATCH_CAMPAIGNS_RATE_EMAIL_SHORT"),
                   ("email", email, "TIEWATCH_CAMPAIGNS_RATE_EMAIL_LONG")]
    for kind, value, setting in checks:
        rate = conf.rate(setting)
        if not rate.enabled:
            continue
        window = now - now % rate.seconds
        key = _key_hash(f"{kind}{rate.seconds}", value)
        rows.append((key, window, window + rate.seconds, rate.count, kind))
    if not rows:
        return
    rows.sort()
    table = RateCounter._meta.db_table
    qn = connection.ops.quote_name
    values = ", ".join(["(%s, %s, 1, %s)"] * len(rows))
    params: list[Any] = []
    for key, window, expires, _, _ in rows:
        params += [key, window, expires]
    sql = (
        f"INSERT INTO {qn(table)} ({qn('key')}, {qn('window_start')}, {qn('count')}, {qn('expires')}) "
        f"VALUES {values} ON CONFLICT ({qn('key')}, {qn('window_start')}) "
        f"DO UPDATE SET {qn('count')} = {qn(table)}.{qn('count')} + 1 "
        f"RETURNING {qn('key')}, {qn('window_start')}, {qn('count')}"
    )
    counts = {(k, w): c for k, w, c in _hot_query(sql, params)}
    for key, window, _, limit, kind in rows:
        if counts.get((key, window), 0) > limit:
            what = "address" if kind == "ip" else "email address"
            raise RateLimited(f"Too many signing attempts from this {what}; please try again later.")


# --- signing -----------------------------------------------------------------------------------

@dataclass(slots=True)
class Signed:
    signature_id: int | None  # None when the honeypot caught a bot (answered as if accepted)
    verified_resident: bool = False


_petition_cache: dict[str, tuple[float, Petition]] = {}


def get_public_petition(slug: str, cached: bool = False) -> Petition:
    """The petition unless it is a draft. `cached` reuses a copy up to
    TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS old (the signing hot path)."""
    ttl = float(conf.get("TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS")) if cached else 0.0
    now = time.monotonic()
    if ttl > 0:
        hit = _petition_cache.get(slug)
        if hit is not None and hit[0] > now:
            return hit[1]
    try:
        petition = Petition.objects.select_related("campaign").get(slug=slug)
    except Petition.DoesNotExist:
        raise NotFound(f"No petition {slug!r}.") from None
    if not petition.is_public:
        raise NotFound(f"No petition {slug!r}.")
    if ttl > 0:
        if len(_petition_cache) > 1000:
            _petition_cache.clear()
        _petition_cache[slug] = (now + ttl, petition)
    return petition


def sign(petition: Petition, data: dict[str, Any], ip: str | None) -> Signed:
    """Validate and record a signature (pending confirmation); queue its confirmation email."""
    if not petition.accepting():
        raise Gone("This petition is not open for signatures.")
    clean, errors = validate_signature(data)
    email = normalise_email(clean["email"]) if "email" in clean else None
    hit_rate_limits(ip, email)
    if errors:
        raise ValidationFailed("The signature is invalid.",
                               [Problem(m, field=f) for f, messages in errors.items() for m in messages])
    if clean.get("website"):
        return Signed(None)  # honeypot: pretend success, store nothing
    assert email is not None
    result = verify(petition.verification, petition.verification_config,
                    address=clean["address"], postal_code=clean["postal_code"])
    name_key = normalise_name(clean["name"])
    address_key = f"{normalise_address(clean['address'])}|{normalise_postal_code(clean['postal_code'])}"
    token = secrets.token_urlsafe(32)
    signature = Signature(
        petition=petition, name=clean["name"], email=email, address=clean["address"],
        postal_code=clean["postal_code"], city=clean["city"], resident=clean["resident"],
        verified_resident=result.verified, verification_detail=result.detail, comment=clean["comment"],
        consent=True, show_publicly=clean["show_publicly"], ip=ip, token_hash=token_hash(token),
        name_key=name_key, address_key=address_key,
    )
    message = OutboxMessage(to=clean["email"].strip(), subject=f"Confirm your signature: {petition.title}",
                            body=confirmation_body(petition, clean["name"], token), kind="confirmation")
    try:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            signature.pk = _insert_pair(signature, message)  # autocommit: the statement is the transaction
        elif connection.vendor == "postgresql":
            with transaction.atomic():  # a savepoint, so a duplicate leaves the outer transaction usable
                signature.pk = _insert_pair(signature, message)
        else:
            with transaction.atomic():
                signature.save(force_insert=True)
                message.signature = signature
                message.save(force_insert=True)
    except IntegrityError:
        if Signature.objects.filter(petition=petition, email=email).exists():
            raise Conflict(DUPLICATE_MESSAGE, [Problem(DUPLICATE_MESSAGE, field="email")]) from None
        raise
    return Signed(signature.pk, verified_resident=result.verified)


def _row(obj: Any, skip: set[str]) -> tuple[list[str], list[Any]]:
    cols, params = [], []
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.attname in skip:
            continue
        cols.append(connection.ops.quote_name(f.column))
        params.append(f.get_db_prep_save(getattr(obj, f.attname), connection))
    return cols, params


def _insert_pair(signature: Signature, message: OutboxMessage) -> int:
    """Insert the signature and its email in one statement (atomic, one round trip, one commit)."""
    qn = connection.ops.quote_name
    s_cols, s_params = _row(signature, set())
    m_cols, m_params = _row(message, {"signature_id"})
    s_table, m_table = qn(Signature._meta.db_table), qn(OutboxMessage._meta.db_table)
    placeholders = ", ".join(["%s"] * len(m_params))
    sql = (
        f"WITH s AS (INSERT INTO {s_table} ({', '.join(s_cols)}) VALUES ({', '.join(['%s'] * len(s_params))}) "
        f"RETURNING {qn('id')}) "
        f"INSERT INTO {m_table} ({', '.join(m_cols)}, {qn('signature_id')}) "
        f"SELECT {placeholders}, s.{qn('id')} FROM s RETURNING {qn('signature_id')}"
    )
    return int(_hot_query(sql, s_params + m_params)[0][0])


def _hot_query(sql: str, params: list[Any]) -> list[tuple]:
    """Run one statement of the signing path. On PostgreSQL: server-side parameters and a prepared
    statement (parsed and planned once per connection), through Django's error wrapping."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors:
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()


def flag_near_duplicate(signature: Signature) -> bool:
    """Same normalised name and address as another signature with a different email: flag the
    later of the two for review (the earlier stays as it is)."""
    if not signature.address_key or signature.address_key.startswith("|"):
        return False
    other = (Signature.objects.filter(petition_id=signature.petition_id, name_key=signature.name_key,
                                      address_key=signature.address_key)
             .exclude(pk=signature.pk).order_by("id").values_list("id", flat=True).first())
    if other is None:
        return False
    first, later = sorted((other, signature.pk))
    Signature.objects.filter(pk=later, needs_review=False).update(
        needs_review=True, review_reason=f"same name and address as signature {first}")
    signature.refresh_from_db(fields=["needs_review", "review_reason"])
    return True


def confirm_url(petition: Petition, token: str) -> str:
    return f"{conf.site_url()}/petitions/{petition.slug}/confirm/{token}/"


def confirmation_body(petition: Petition, name: str, token: str) -> str:
    return (
        f"Hello {name},\n\n"
        f"Thank you for signing \"{petition.title}\".\n"
        f"Your signature counts only once you confirm it. Open this link and press the Confirm button:\n\n"
        f"{confirm_url(petition, token)}\n\n"
        f"If you did not sign, ignore this email: the signature will not be counted.\n"
    )


def find_pending(petition: Petition, token: str) -> Signature | None:
    return Signature.objects.filter(petition=petition, token_hash=token_hash(token)).first()


def confirm(token: str, petition: Petition | None = None) -> Signature:
    """Confirm the signature holding this token (idempotent). NotFound/Gone on a bad or old link."""
    qs = Signature.objects.select_related("petition").filter(token_hash=token_hash(token or ""))
    if petition is not None:
        qs = qs.filter(petition=petition)
    signature = qs.first()
    if signature is None:
        raise NotFound("This confirmation link is not valid.")
    if signature.invalidated_at is not None:
        raise Gone("This signature was invalidated.")
    if signature.confirmed_at is not None:
        return signature
    max_age = int(conf.get("TIEWATCH_CAMPAIGNS_CONFIRM_MAX_AGE"))
    if signature.created_at < timezone.now() - dt.timedelta(seconds=max_age):
        raise Gone("This confirmation link has expired; please sign again.")
    if not signature.petition.accepting():
        raise Gone("This petition is closed.")
    Signature.objects.filter(pk=signature.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
    signature.refresh_from_db(fields=["confirmed_at"])
    flag_near_duplicate(signature)
    return signature


# --- counts ------------------------------------------------------------------------------------

def counts(petition: Petition) -> dict[str, Any]:
    online = Signature.objects.filter(
        petition=petition, confirmed_at__isnull=False, invalidated_at__isnull=True
    ).aggregate(confirmed=Count("id"), verified=Count("id", filter=Q(verified_resident=True)))
    offline = OfflineSignatureBatch.objects.filter(petition=petition).aggregate(
        count=Sum("count"), verified=Sum("verified_residents"), batches=Count("id"))
    confirmed = online["confirmed"] or 0
    offline_count = offline["count"] or 0
    total = confirmed + offline_count
    thresholds = sorted(int(t) for t in petition.thresholds or [])
    return {
        "confirmed": confirmed,
        "verified_residents": online["verified"] or 0,
        "offline": offline_count,
        "offline_verified_residents": offline["verified"] or 0,
        "offline_batches": offline["batches"] or 0,
        "total": total,
        "milestones": [{"threshold": t, "reached": total >= t} for t in thresholds],
        "next_milestone": next((t for t in thresholds if t > total), None),
    }


def public_signers(petition: Petition, limit: int = 50) -> list[dict[str, str]]:
    """First name and city of confirmed signers who opted in; nothing else."""
    rows = (Signature.objects.filter(petition=petition, confirmed_at__isnull=False, invalidated_at__isnull=True,
                                     show_publicly=True)
            .order_by("-confirmed_at").values_list("name", "city")[:limit])
    return [{"first_name": (name.split() or [""])[0], "city": city} for name, city in rows]


# --- moderation --------------------------------------------------------------------------------

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


# --- worker and purge --------------------------------------------------------------------------

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


def purge(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete IP addresses older than the retention period, old rate counters and sent mail."""
    now = now or timezone.now()
    days = int(conf.get("TIEWATCH_CAMPAIGNS_IP_RETENTION_DAYS"))
    cutoff = now - dt.timedelta(days=days)
    with transaction.atomic():
        ips = Signature.objects.filter(created_at__lt=cutoff, ip__isnull=False).update(ip=None)
        exports = 0
        from tiewatch.campaigns.models import ExportLog

        exports = ExportLog.objects.filter(created_at__lt=cutoff, ip__isnull=False).update(ip=None)
        counters, _ = RateCounter.objects.filter(expires__lt=int(now.timestamp())).delete()
        mail, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return {"ips": ips + exports, "rate_counters": counters, "sent_messages": mail}
