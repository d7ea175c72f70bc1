"""Signing a petition and confirming a signature.

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
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tiewatch.campaigns import conf
from tiewatch.campaigns.models import OutboxMessage, Petition, Signature
from tiewatch.campaigns.normalise import normalise_email, normalise_name
from tiewatch.campaigns.services.hotpath import hot_query
from tiewatch.campaigns.services.ratelimits import hit_rate_limits
from tiewatch.campaigns.validation import validate_signature
from tiewatch.campaigns.verification import normalise_address, normalise_postal_code, verify
from tiewatch.core.errors import Conflict, Gone, NotFound, Problem, ValidationFailed

DUPLICATE_MESSAGE = "This email address has already signed this petition."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(slots=True)
class Signed:
    signature_id: int | None  # None when the honeypot caught a bot (answered as if accepted)
    verified_resident: bool = False


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
    rows = hot_query(_sign_sql(), params)
    return rows[0][0] if rows else None


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
