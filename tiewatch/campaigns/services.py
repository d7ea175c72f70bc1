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
from django.core.signals import setting_changed
from django.db import IntegrityError, connection, transaction
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
from tiewatch.campaigns.normalise import normalise_email, normalise_name
from tiewatch.campaigns.validation import validate_signature
from tiewatch.campaigns.verification import normalise_address, normalise_postal_code, verify
from tiewatch.core.errors import Conflict, Gone, NotFound, Problem, RateLimited, ValidationFailed

DUPLICATE_MESSAGE = "This email address has already signed this petition."

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key_hash(kind: str, value: str) -> str:
    digest = hmac.new(_hot_settings()["secret"], f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:40]}"


_key_cache: dict[tuple[str, str], str] = {}  # (kind, client IP) -> key: the same IPs sign again and again


def _ip_key_hash(kind: str, ip: str) -> str:
    key = _key_cache.get((kind, ip))
    if key is None:
        if len(_key_cache) >= 4096:
            _key_cache.clear()
        key = _key_cache[(kind, ip)] = _key_hash(kind, ip)
    return key


# --- settings of the hot path, read once per process ----------------------------------------------
# The signing path reads a handful of settings on every request; each read looks in Django's settings,
# then the environment, then parses. They are read once and kept until a setting changes (Django's
# `setting_changed` signal: override_settings in tests); the environment does not change at runtime.

_hot: dict[str, Any] = {}
_RATE_SETTINGS = (("ip", "TIEWATCH_CAMPAIGNS_RATE_IP_SHORT"), ("ip", "TIEWATCH_CAMPAIGNS_RATE_IP_LONG"),
                  ("email", "TIEWATCH_CAMPAIGNS_RATE_EMAIL_SHORT"), ("email", "TIEWATCH_CAMPAIGNS_RATE_EMAIL_LONG"))


def _hot_settings() -> dict[str, Any]:
    if not _hot:
        _hot.update({
            # (kind, seconds, count) of every enabled limit
            "rates": tuple((kind, r.seconds, r.count) for kind, name in _RATE_SETTINGS
                           if (r := conf.rate(name)).enabled),
            "trust_xff": bool(conf.get("TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR")),
            "petition_ttl": float(conf.get("TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS")),
            "secret": settings.SECRET_KEY.encode(),
        })
    return _hot


def _forget_hot_settings(**kwargs: Any) -> None:
    _hot.clear()
    _key_cache.clear()


setting_changed.connect(_forget_hot_settings, dispatch_uid="tiewatch.campaigns.services.hot_settings")


def client_ip(request: Any) -> str | None:
    if _hot_settings()["trust_xff"]:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


# --- rate limits -------------------------------------------------------------------------------

RateRow = tuple[str, int, int, int, str]  # key, window start, expires, limit, kind


def _rate_rows(ip: str | None, email: str | None) -> list[RateRow]:
    now = int(time.time())
    rows: list[RateRow] = []
    for kind, seconds, count in _hot_settings()["rates"]:
        value = ip if kind == "ip" else email
        if not value:
            continue
        window = now - now % seconds
        key = _ip_key_hash(f"ip{seconds}", value) if kind == "ip" else _key_hash(f"{kind}{seconds}", value)
        rows.append((key, window, window + seconds, count, kind))
    rows.sort()  # one lock order for every request: no deadlocks between concurrent upserts
    return rows


def _upsert_sql(rows: list[RateRow]) -> tuple[str, list[Any]]:
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
    return sql, params


_pg_upsert_cache: list[str] = []


def _pg_upsert_sql() -> str:
    if not _pg_upsert_cache:
        rc = connection.ops.quote_name(RateCounter._meta.db_table)
        _pg_upsert_cache.append(
            f"INSERT INTO {rc} (key, window_start, count, expires) "
            f"SELECT k, w, 1, e FROM unnest(string_to_array(%s, ','), string_to_array(%s, ',')::bigint[], "
            f"string_to_array(%s, ',')::bigint[]) AS t (k, w, e) "
            f"ON CONFLICT (key, window_start) DO UPDATE SET count = {rc}.count + 1 "
            f"RETURNING key, window_start, count")
    return _pg_upsert_cache[0]


def _raise_if_blocked(rows: list[RateRow], blocked_keys: set[str]) -> None:
    for key, _, _, _, kind in rows:
        if key in blocked_keys:
            what = "address" if kind == "ip" else "email address"
            raise RateLimited(f"Too many signing attempts from this {what}; please try again later.")


def hit_rate_limits(ip: str | None, email: str | None) -> None:
    """Count this attempt against every enabled window; raise RateLimited if one is exceeded.

    One statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) on SQLite and PostgreSQL, so
    all app-server processes share the counters. Keys are HMACs: no raw IP or email is stored.
    """
    rows = _rate_rows(ip, email)
    if not rows:
        return
    if connection.vendor == "postgresql":
        # Its own (autocommit) statement on an UNLOGGED table: the row locks on hot counters (one
        # client IP) are held for microseconds, never across the signature's durable commit.
        sql = _pg_upsert_sql()
        params: list[Any] = [",".join(r[0] for r in rows), ",".join(str(r[1]) for r in rows),
                             ",".join(str(r[2]) for r in rows)]
    else:
        sql, params = _upsert_sql(rows)
    counts = {(k, w): c for k, w, c in _hot_query(sql, params)}
    _raise_if_blocked(rows, {key for key, window, _, limit, _ in rows if counts.get((key, window), 0) > limit})


# --- signing -----------------------------------------------------------------------------------

@dataclass(slots=True)
class Signed:
    signature_id: int | None  # None when the honeypot caught a bot (answered as if accepted)
    verified_resident: bool = False


_petition_cache: dict[str, tuple[float, Petition]] = {}


def get_public_petition(slug: str, cached: bool = False) -> Petition:
    """The petition unless it is a draft. `cached` reuses a copy up to
    TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS old (the signing hot path)."""
    ttl = _hot_settings()["petition_ttl"] if cached else 0.0
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
    pg_fast = connection.vendor == "postgresql"
    hit_rate_limits(ip, email)  # invalid attempts count too
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
    sig = {
        "petition_id": petition.pk, "name": clean["name"], "email": email, "address": clean["address"],
        "postal_code": clean["postal_code"], "city": clean["city"], "resident": clean["resident"],
        "verified_resident": result.verified, "verification_detail": result.detail, "comment": clean["comment"],
        "show_publicly": clean["show_publicly"], "ip": ip, "created_at": timezone.now(),
        "token_hash": token_hash(token), "name_key": name_key, "address_key": address_key,
    }
    msg = {"to": clean["email"], "subject": f"Confirm your signature: {petition.title}",
           "body": confirmation_body(petition, clean["name"], token), "kind": "confirmation"}
    if pg_fast:
        signature_id = _sign_statement(sig, msg)
        if signature_id is None:
            raise Conflict(DUPLICATE_MESSAGE, [Problem(DUPLICATE_MESSAGE, field="email")])
        return Signed(signature_id, verified_resident=result.verified)
    signature = Signature(consent=True, **sig)
    message = OutboxMessage(**msg)
    try:
        with transaction.atomic():
            signature.save(force_insert=True)
            message.signature = signature
            message.save(force_insert=True)
    except IntegrityError:
        if Signature.objects.filter(petition=petition, email=email).exists():
            raise Conflict(DUPLICATE_MESSAGE, [Problem(DUPLICATE_MESSAGE, field="email")]) from None
        raise
    return Signed(signature.pk, verified_resident=result.verified)


# Columns written by the one-statement signing path; the others take the constants below.
_SIG_COLUMNS = ("petition_id", "name", "email", "address", "postal_code", "city", "resident", "verified_resident",
                "verification_detail", "comment", "show_publicly", "ip", "created_at", "token_hash", "name_key",
                "address_key")
_SIG_CONSTANTS = {"consent": "true", "confirmed_at": "NULL", "needs_review": "false", "review_reason": "''",
                  "invalidated_at": "NULL", "invalidation_reason": "''", "invalidated_by_id": "NULL"}
_MSG_COLUMNS = ("to", "subject", "body", "kind")
_MSG_CONSTANTS = {"sent_at": "NULL", "attempts": "0", "last_error": "''", "failed": "false"}
_sign_sql_cache: list[str] = []


def _sign_sql() -> str:
    """The statement, built once: short and with few parameters, so psycopg caches its parsing and
    PostgreSQL keeps it prepared."""
    if _sign_sql_cache:
        return _sign_sql_cache[0]
    qn = connection.ops.quote_name
    st, mt = qn(Signature._meta.db_table), qn(OutboxMessage._meta.db_table)
    sig_cols = ", ".join(qn(c) for c in (*_SIG_COLUMNS, *_SIG_CONSTANTS))
    sig_vals = ", ".join(["%s"] * len(_SIG_COLUMNS) + list(_SIG_CONSTANTS.values()))
    msg_cols = ", ".join(qn(c) for c in (*_MSG_COLUMNS, "created_at", *_MSG_CONSTANTS, "signature_id"))
    msg_vals = ", ".join(["%s"] * len(_MSG_COLUMNS) + ["s.created_at", *_MSG_CONSTANTS.values(), "s.id"])
    _sign_sql_cache.append(
        f"WITH s AS (INSERT INTO {st} ({sig_cols}) VALUES ({sig_vals}) "
        f"ON CONFLICT (petition_id, email) DO NOTHING RETURNING id, created_at) "
        f"INSERT INTO {mt} ({msg_cols}) SELECT {msg_vals} FROM s RETURNING signature_id"
    )
    return _sign_sql_cache[0]


def _sign_statement(sig: dict[str, Any], msg: dict[str, Any]) -> int | None:
    """PostgreSQL: insert the signature and its email in ONE statement (one round trip, one
    transaction, one commit). Returns the new signature id, or None when the email already signed
    (a no-op thanks to ON CONFLICT on the (petition, email) unique constraint)."""
    params = [sig[c] for c in _SIG_COLUMNS] + [msg[c] for c in _MSG_COLUMNS]
    rows = _hot_query(_sign_sql(), params)
    return rows[0][0] if rows else None


def _hot_query(sql: str, params: list[Any]) -> list[tuple]:
    """Run one statement of the signing path. On PostgreSQL: server-side parameters and a prepared
    statement (parsed and planned once per connection), through Django's error wrapping."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    raw = connection.connection
    cached = getattr(connection, "_tiewatch_hot_cursor", None)  # one cursor per (thread's) connection
    if cached is None or cached[0] is not raw or cached[1].closed:
        import psycopg

        cached = (raw, psycopg.Cursor(raw))
        connection._tiewatch_hot_cursor = cached  # type: ignore[attr-defined]
    hot = cached[1]
    with connection.wrap_database_errors:
        hot.execute(sql, params, prepare=True)
        return hot.fetchall()


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
    """Public counts in one round trip: confirmed online signatures, verified residents among them,
    offline batches (shown separately), the total and the milestones."""
    qn = connection.ops.quote_name
    sig, off = qn(Signature._meta.db_table), qn(OfflineSignatureBatch._meta.db_table)
    counted = f"FROM {sig} WHERE petition_id = %s AND confirmed_at IS NOT NULL AND invalidated_at IS NULL"
    sql = (
        f"SELECT (SELECT count(*) {counted}), (SELECT count(*) {counted} AND verified_resident), "
        f"(SELECT coalesce(sum({qn('count')}), 0) FROM {off} WHERE petition_id = %s), "
        f"(SELECT coalesce(sum(verified_residents), 0) FROM {off} WHERE petition_id = %s), "
        f"(SELECT count(*) FROM {off} WHERE petition_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [petition.pk] * 5)
        confirmed, verified, offline_count, offline_verified, batches = (int(v or 0) for v in cursor.fetchone())
    total = confirmed + offline_count
    thresholds = sorted(int(t) for t in petition.thresholds or [])
    return {
        "confirmed": confirmed,
        "verified_residents": verified,
        "offline": offline_count,
        "offline_verified_residents": offline_verified,
        "offline_batches": batches,
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
        exports = 0
        from tiewatch.campaigns.models import ExportLog

        exports = ExportLog.objects.filter(created_at__lt=cutoff, ip__isnull=False).update(ip=None)
        counters, _ = RateCounter.objects.filter(expires__lt=int(now.timestamp())).delete()
        mail, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return {"ips": ips + exports, "rate_counters": counters, "sent_messages": mail,
            "unconfirmed": unconfirmed}
