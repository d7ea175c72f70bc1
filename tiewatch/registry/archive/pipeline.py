"""Capture one source: fetch, extract its text, then store it. Plain Python, no Django, so a pool of
threads can run it and `bench/capture.py` can measure it; the Django side (services.py) writes the
results to the database from one thread."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tiewatch.registry.archive.fetch import FetchError, Limits, fetch
from tiewatch.registry.archive.store import ArchiveStore
from tiewatch.registry.archive.text import ExtractError, extract_text


@dataclass(frozen=True)
class Captured:
    sha256: str
    captured_at: dt.datetime
    status: int
    content_type: str
    final_url: str
    redirects: list[dict[str, Any]]
    size: int
    text: str


@dataclass(frozen=True)
class Failed:
    error: str
    status: int | None
    final_url: str
    redirects: list[dict[str, Any]]
    checked_at: dt.datetime


def capture_one(url: str, limits: Limits, store: ArchiveStore) -> Captured | Failed:
    """The text is extracted before anything is written: a document we cannot read (a malformed or
    encrypted PDF) leaves nothing behind."""
    now = dt.datetime.now(dt.UTC)
    try:
        fetched = fetch(url, limits)
        text = extract_text(fetched.body, fetched.content_type, fetched.charset)
    except FetchError as error:
        return Failed(str(error), error.status, error.final_url, error.redirects, now)
    except ExtractError as error:
        return Failed(str(error), fetched.status, fetched.final_url, fetched.redirects, now)
    sha256 = store.put(fetched, now)
    return Captured(sha256, now, fetched.status, fetched.content_type, fetched.final_url, fetched.redirects,
                    len(fetched.body), text)


def check_one(url: str, limits: Limits) -> Failed | tuple[int, str, list[dict[str, Any]], dt.datetime]:
    """Whether the live link answers (without reading its body)."""
    now = dt.datetime.now(dt.UTC)
    try:
        fetched = fetch(url, limits, read_body=False)
    except FetchError as error:
        return Failed(str(error), error.status, error.final_url, error.redirects, now)
    return fetched.status, fetched.final_url, fetched.redirects, now
