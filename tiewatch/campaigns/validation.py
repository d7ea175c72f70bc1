"""Validation of a signature, shared by the web form and the JSON API: the rules and messages are
those of the one declared schema, `schemas.SignatureIn`."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tiewatch.campaigns.schemas import REQUIRED, SignatureIn, signature_errors, valid_fields

__all__ = ["REQUIRED", "validate_signature"]


def validate_signature(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Return (clean data, errors by field). Clean data holds every field that passed, so a wrong
    signature still names its (valid) email to the rate limits."""
    try:
        return SignatureIn.model_validate(data).model_dump(), {}
    except ValidationError as exc:
        errors = signature_errors(exc)
        return valid_fields(data, set(errors)), errors
