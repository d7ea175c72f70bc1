"""Settings of the campaigns app.

Each value is read from `django.conf.settings` if the deployer set it there, else from the
environment (same name), else the default below. Every name is listed in docs/campaigns.md.
Rates are written "COUNT/SECONDS" (e.g. "5/60"); "0" or an empty string disables that limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tiewatch.core.env import env_bool, env_int, env_list, env_str

# Each reader names its environment variable literally (tests/test_docs.py scans them).
READERS: dict[str, Callable[[], Any]] = {
    # Per client IP (all petitions) and per normalised email (all petitions), short and long windows.
    "TIEWATCH_CAMPAIGNS_RATE_IP_SHORT": lambda: env_str("TIEWATCH_CAMPAIGNS_RATE_IP_SHORT", "10/60"),
    "TIEWATCH_CAMPAIGNS_RATE_IP_LONG": lambda: env_str("TIEWATCH_CAMPAIGNS_RATE_IP_LONG", "100/86400"),
    "TIEWATCH_CAMPAIGNS_RATE_EMAIL_SHORT": lambda: env_str("TIEWATCH_CAMPAIGNS_RATE_EMAIL_SHORT", "3/600"),
    "TIEWATCH_CAMPAIGNS_RATE_EMAIL_LONG": lambda: env_str("TIEWATCH_CAMPAIGNS_RATE_EMAIL_LONG", "10/86400"),
    # How many proxies in front of the app append to X-Forwarded-For (0: ignore the header).
    "TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS": lambda: env_int("TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS", 0),
    # Deprecated: true means one trusted proxy hop (TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS=1).
    "TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR":
        lambda: env_bool("TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR", False),
    # Days before `tiewatch purge` deletes a signature's IP address (and sent mail, export-log IPs).
    "TIEWATCH_CAMPAIGNS_IP_RETENTION_DAYS": lambda: env_int("TIEWATCH_CAMPAIGNS_IP_RETENTION_DAYS", 30),
    # Email domains refused on signing (comma separated in the environment).
    "TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS": lambda: env_list("TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS", []),
    # Geocoder adapter for boundary verification: "table" (CSV lookup), "none", or a dotted path.
    "TIEWATCH_CAMPAIGNS_GEOCODER": lambda: env_str("TIEWATCH_CAMPAIGNS_GEOCODER", "table"),
    # CSV (address,postal_code,lon,lat) used by the "table" geocoder.
    "TIEWATCH_CAMPAIGNS_GEOCODER_TABLE": lambda: env_str("TIEWATCH_CAMPAIGNS_GEOCODER_TABLE", ""),
    # Worker: messages per batch, seconds between polls, attempts before giving up.
    "TIEWATCH_CAMPAIGNS_WORKER_BATCH": lambda: env_int("TIEWATCH_CAMPAIGNS_WORKER_BATCH", 50),
    "TIEWATCH_CAMPAIGNS_WORKER_INTERVAL": lambda: env_int("TIEWATCH_CAMPAIGNS_WORKER_INTERVAL", 2),
    "TIEWATCH_CAMPAIGNS_WORKER_MAX_ATTEMPTS": lambda: env_int("TIEWATCH_CAMPAIGNS_WORKER_MAX_ATTEMPTS", 5),
    # Seconds the signing path may reuse a petition read from the database (0: always read).
    # A petition closed by staff keeps accepting signatures for at most this long per app process.
    "TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS":
        lambda: env_int("TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS", 2),
    # Seconds a confirmation link stays valid.
    "TIEWATCH_CAMPAIGNS_CONFIRM_MAX_AGE": lambda: env_int("TIEWATCH_CAMPAIGNS_CONFIRM_MAX_AGE", 14 * 86400),
}


def get(name: str) -> Any:
    """A Django setting of that name if set, else the environment variable, else the default."""
    if hasattr(settings, name):
        return getattr(settings, name)
    return READERS[name]()


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    seconds: int

    @property
    def enabled(self) -> bool:
        return self.count > 0 and self.seconds > 0


def rate(name: str) -> Rate:
    value = str(get(name) or "").strip()
    if not value or value == "0":
        return Rate(0, 0)
    count, _, seconds = value.partition("/")
    return Rate(int(count), int(seconds or 60))


def trusted_proxy_hops() -> int:
    """Proxies whose X-Forwarded-For entries are believed. The deprecated boolean
    TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR counts as one hop when no hop count is set."""
    hops = int(get("TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS") or 0)
    if hops < 0:
        raise ImproperlyConfigured(f"TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS must be 0 or more, not {hops}")
    if hops == 0 and get("TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR"):
        logging.getLogger(__name__).warning(
            "TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR is deprecated: set TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS=1 "
            "(the number of proxies in front of the app) instead")
        return 1
    return hops


def site_url() -> str:
    return str(getattr(settings, "TIEWATCH_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
