"""Where the web pages and the API get their data: settings.TIEWATCH_ARMS_DATA; else, for the demo, the real
SIPRI files shared beside the checkout (settings.TIEWATCH_DEMO_DATA/sipri, read in place, never copied);
else the invented demo fixture.

The store is kept per process (keyed by the configured paths) so requests do not reload files.
"""

from __future__ import annotations

import os
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
    shared: str = ""  # the shared SIPRI folder the demo reads, when that is where the data comes from


def shared_sipri() -> Path | None:
    """The shared SIPRI folder beside the checkout (TIEWATCH_DEMO_DATA/sipri), if it is there."""
    root = getattr(settings, "TIEWATCH_DEMO_DATA", "")
    folder = Path(root) / "sipri" if root else None
    return folder if folder is not None and folder.is_dir() else None


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


def shown_path(path: str) -> str:
    """A data folder as a page names it: relative to the checkout when beside it (no server paths)."""
    folder = Path(os.path.abspath(path))  # not resolved: the shared folder is often a symlink beside the checkout
    beside = Path(os.path.abspath(settings.BASE_DIR)).parent
    return os.path.join("..", folder.relative_to(beside)) if folder.is_relative_to(beside) else folder.name


def source() -> Source:
    """The configured data; when nothing is configured, the shared real SIPRI files if they are beside the
    checkout, else the demo fixture; errors become a message."""
    configured = tuple(str(p) for p in (getattr(settings, "TIEWATCH_ARMS_DATA", None) or []))
    shared = None if configured else shared_sipri()
    try:
        if configured:
            return Source(_open(configured), demo=False)
        if shared is not None:
            return Source(_open((str(shared),)), demo=False, shared=str(shared))
        return Source(_open((str(FIXTURES),)), demo=True)
    except TiewatchError as error:
        return Source(None, demo=False, error="; ".join(error.lines()), shared=str(shared or ""))
