"""Capture sources and check their live links, with bounded concurrency: a pool of threads fetches
(pipeline.py, no database), the calling thread writes the results as they come in, in batches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from tiewatch.registry.archive.fetch import Limits
from tiewatch.registry.archive.pipeline import Captured, Failed, capture_one, check_one
from tiewatch.registry.archive.store import ArchiveStore
from tiewatch.registry.models import Source, SourceCapture, SourceLink

Progress = Callable[[int, int], None]  # (done, total)
T = TypeVar("T")


def limits() -> Limits:
    return Limits(timeout=float(settings.TIEWATCH_ARCHIVE_TIMEOUT), max_bytes=int(settings.TIEWATCH_ARCHIVE_MAX_BYTES),
                  max_redirects=int(settings.TIEWATCH_ARCHIVE_MAX_REDIRECTS),
                  allow_private=bool(settings.TIEWATCH_ARCHIVE_ALLOW_PRIVATE))


def store() -> ArchiveStore:
    return ArchiveStore(Path(settings.TIEWATCH_ARCHIVE_DIR))


@dataclass
class RunReport:
    done: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (source id, url, why)
    skipped: int = 0


def select(ids: list[str] | None, everything: bool, again: bool = True) -> tuple[QuerySet[Source], list[str]]:
    """The sources named by `ids` (and the ids not found), or every source; `again=False` leaves out
    those already captured."""
    qs = Source.objects.all() if everything or not ids else Source.objects.filter(pk__in=ids)
    missing = sorted(set(ids or ()) - set(qs.values_list("id", flat=True))) if ids and not everything else []
    if not again:
        qs = qs.filter(~Exists(SourceCapture.objects.filter(source_id=OuterRef("pk"))))
    return qs.order_by("id"), missing


def _pooled(work: Callable[[str], T], sources: list[tuple[str, str]], concurrency: int) -> Iterator[tuple[str, str, T]]:
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = {pool.submit(work, url): (sid, url) for sid, url in sources}
        for future in as_completed(futures):
            sid, url = futures[future]
            yield sid, url, future.result()


def capture(sources: Iterable[tuple[str, str]], concurrency: int = 8, progress: Progress | None = None) -> RunReport:
    """Capture each (id, url) once; failures are recorded as link checks (status, dead since)."""
    todo, report = list(sources), RunReport()
    lim, archive = limits(), store()
    batch = _Batch()
    for n, (sid, url, result) in enumerate(_pooled(lambda u: capture_one(u, lim, archive), todo, concurrency), 1):
        if isinstance(result, Captured):
            batch.captures.append(SourceCapture(
                source_id=sid, captured_at=result.captured_at, sha256=result.sha256, status=result.status,
                content_type=result.content_type[:200], final_url=result.final_url[:1000],
                redirects=result.redirects, size=result.size, text=result.text))
            batch.links[sid] = (result.status, result.final_url, result.redirects, "", result.captured_at, False)
            report.done += 1
        else:
            batch.links[sid] = _failure(result)
            report.failed.append((sid, url, result.error))
        batch.flush_when_full(n == len(todo))
        if progress:
            progress(n, len(todo))
    return report


def check(sources: Iterable[tuple[str, str]], concurrency: int = 8, progress: Progress | None = None) -> RunReport:
    todo, report = list(sources), RunReport()
    lim = limits()
    batch = _Batch()
    for n, (sid, url, result) in enumerate(_pooled(lambda u: check_one(u, lim), todo, concurrency), 1):
        if isinstance(result, Failed):
            batch.links[sid] = _failure(result)
            report.failed.append((sid, url, result.error))
        else:
            status, final_url, redirects, at = result
            batch.links[sid] = (status, final_url, redirects, "", at, False)
            report.done += 1
        batch.flush_when_full(n == len(todo))
        if progress:
            progress(n, len(todo))
    return report


LinkState = tuple[int | None, str, list[dict[str, Any]], str, dt.datetime, bool]  # ..., error, at, dead


def _failure(failed: Failed) -> LinkState:
    return (failed.status, failed.final_url, failed.redirects, failed.error, failed.checked_at, True)


@dataclass
class _Batch:
    """Results written in batches, one transaction each: a commit per source (an fsync each) was
    the bottleneck, not the fetching (docs/benchmarks.md). An interrupted run keeps every batch
    it finished."""

    size: int = 100
    captures: list[SourceCapture] = field(default_factory=list)
    links: dict[str, LinkState] = field(default_factory=dict)

    def flush_when_full(self, last: bool) -> None:
        if last or len(self.links) >= self.size:
            with transaction.atomic():
                SourceCapture.objects.bulk_create(self.captures)
                _record_links(self.links)
            self.captures, self.links = [], {}


def _record_links(states: dict[str, LinkState]) -> None:
    """Dead since the first failure of a run of failures; answering again clears it."""
    existing = SourceLink.objects.in_bulk(list(states))
    created: list[SourceLink] = []
    updated: list[SourceLink] = []
    for sid, (status, final_url, redirects, error, at, dead) in states.items():
        link = existing.get(sid) or SourceLink(source_id=sid)
        link.last_checked, link.status, link.final_url = at, status, final_url[:1000]
        link.redirects, link.error = redirects, error[:300]
        link.dead_since = (link.dead_since or at) if dead else None
        (updated if sid in existing else created).append(link)
    SourceLink.objects.bulk_create(created)
    SourceLink.objects.bulk_update(updated, ["last_checked", "status", "final_url", "redirects", "error", "dead_since"])


def dead_without_capture() -> QuerySet[SourceLink]:
    """Dead live links with no archived copy: the sources at risk of being lost."""
    return (SourceLink.objects.filter(dead_since__isnull=False)
            .filter(~Exists(SourceCapture.objects.filter(source_id=OuterRef("source_id"))))
            .select_related("source").order_by("dead_since", "source_id"))
