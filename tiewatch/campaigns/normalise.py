"""Normalisation of signer identity (plain Python, no Django: the benchmark uses it too)."""

from __future__ import annotations

import re

_GMAIL = {"gmail.com", "googlemail.com"}


def normalise_email(value: str) -> str:
    """Lower-case, trim, drop a '+tag' from the local part, and dots for Gmail addresses."""
    value = (value or "").strip().lower()
    local, _, domain = value.rpartition("@")
    if not local:
        return value
    local = local.split("+", 1)[0] or local
    if domain in _GMAIL:
        domain = "gmail.com"
        local = local.replace(".", "")
    return f"{local}@{domain}"


def normalise_name(value: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (value or "").lower()).split())
