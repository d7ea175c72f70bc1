"""Where the web pages and the API get their data: settings.TIEWATCH_ARMS_DATA, else the invented demo fixture.

The store is kept per process (keyed by the configured paths) so requests do not reload files.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tiewatch.core.errors import TiewatchError

from .engine.datasets import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOW_TO = ("Set TIEWATCH_ARMS_DATA to a folder of SIPRI files (Trade Register CSV exports and/or TIV tables), "
          "e.g. TIEWATCH_ARMS_DATA=/srv/sipri, then run `tiewatch arms load` to validate and cache them.")
RECHECK_SECONDS = 30  # how often a long-running server looks for changed data files
_lock = threading.Lock()
_stores: dict[tuple, tuple[Store, float]] = {}


@dataclass
class Source:
    store: Store | None
    demo: bool  # True: the invented fixture, not SIPRI data
    error: str = ""


def _open(paths: tuple[str, ...]) -> Store:
    """The store for these paths, kept per process; reloaded when a file changed (checked every 30 s)."""
    key = (paths, str(settings.TIEWATCH_ARMS_CACHE))
    with _lock:
        store, checked = _stores.get(key, (None, 0.0))
        now = time.monotonic()
        if store is not None and now - checked > RECHECK_SECONDS:
            if Store.snapshot_for(list(paths), settings.TIEWATCH_ARMS_CACHE) != store.snapshot:
                store = None
            else:
                _stores[key] = (store, now)
        if store is None:
            store = Store.open(list(paths), settings.TIEWATCH_ARMS_CACHE)
            _stores[key] = (store, now)
        return store


def source() -> Source:
    """The configured data, or the demo fixture when nothing is configured; errors become a message."""
    configured = tuple(str(p) for p in (getattr(settings, "TIEWATCH_ARMS_DATA", None) or []))
    try:
        if configured:
            return Source(_open(configured), demo=False)
        return Source(_open((str(FIXTURES),)), demo=True)
    except TiewatchError as error:
        return Source(None, demo=False, error="; ".join(error.lines()))
