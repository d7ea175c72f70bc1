"""Validation of a signature, shared by the web form and the JSON API (one set of rules and messages).

Plain Python over a dict, so the signing hot path does not pay for building a Django form.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tiewatch.campaigns import conf

REQUIRED = "This field is required."
TEXT_FIELDS = {"name": 200, "email": 254, "address": 300, "postal_code": 20, "city": 100, "comment": 2000,
               "website": 200}
BOOL_FIELDS = ("resident", "consent", "show_publicly")
TRUE = {"1", "true", "yes", "on"}


def _text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value).strip()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE if value is not None else False


def validate_signature(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Return (clean data, errors by field). Clean data holds every field that passed."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, limit in TEXT_FIELDS.items():
        value = _text(data.get(field))
        if value is None:
            error(field, "Enter text.")
            continue
        if len(value) > limit:
            error(field, f"Ensure this value has at most {limit} characters (it has {len(value)}).")
            continue
        clean[field] = value
    for field in BOOL_FIELDS:
        clean[field] = _bool(data.get(field))

    if "name" in clean:
        name = " ".join(clean["name"].split())
        if not name:
            error("name", REQUIRED)
            del clean["name"]
        elif len(name) < 2:
            error("name", "Please give your name.")
            del clean["name"]
        else:
            clean["name"] = name
    if "email" in clean:
        email = clean["email"]
        try:
            if not email:
                raise ValidationError(REQUIRED)
            validate_email(email)
        except ValidationError as exc:
            error("email", REQUIRED if not email else "Enter a valid email address.")
            del clean["email"]
            del exc
        else:
            blocked = {d.strip().lower() for d in conf.get("TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS") or []}
            if blocked and email.rpartition("@")[2].lower() in blocked:
                error("email", "Signatures from this email domain are not accepted.")
                del clean["email"]
    if not clean["consent"]:
        error("consent", REQUIRED)
    if not clean.get("address") and not clean.get("postal_code") and "address" not in errors \
            and "postal_code" not in errors:
        error("postal_code", "Give your street address or your postal code.")
    return clean, errors
