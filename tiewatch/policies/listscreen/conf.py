"""Settings of list screening, read from the environment each time (so a test or a deployer can
change them without a restart). Every name is documented in docs/policies.md."""

from __future__ import annotations

from tiewatch.core.env import env_int

FORMATS = ("csv", "json", "html")  # what a screened list is written as


def max_bytes() -> int:
    """Largest list accepted, CLI and upload alike."""
    return env_int("TIEWATCH_SCREEN_LIST_MAX_BYTES", 5_000_000)


def max_rows() -> int:
    return env_int("TIEWATCH_SCREEN_LIST_MAX_ROWS", 20_000)


def retention_days() -> int:
    """Days an uploaded list and its result are kept before they are deleted."""
    return env_int("TIEWATCH_SCREEN_LIST_RETENTION_DAYS", 7)
