"""`tiewatch import`: read bundles and validate and write them in batches, in one transaction.

Any problem anywhere means nothing is written and every problem is reported as
`file:line: field: message`. Memory does not grow with the number of records (see `stream`); the
batch-writing primitives other importers reuse are in `batches`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tiewatch.registry.importers.links import LinkCounts, Resolver
from tiewatch.registry.importers.stream import BATCH_ROWS, stream_import
from tiewatch.registry.importers.writer import WriteCounts

DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass
class ImportResult:
    files: list[str]
    counts: dict[str, WriteCounts] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False
    # How the bundle's new entities were resolved (linked / created / queued); see importers/links.py.
    resolution: LinkCounts = field(default_factory=LinkCounts)

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """A bundle is millions of small acyclic objects: the cyclic garbage collector would scan them
    again and again (more than halving read and validation speed) and find nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_bundle(paths: Iterable[Path | str], actor: str = "import", dry_run: bool = False,
                  progress: Callable[[str, int], None] | None = None, protect_edited: bool = False,
                  resolver: Resolver | None = None, batch_rows: int = BATCH_ROWS) -> ImportResult:
    """`protect_edited`: leave stored records changed since `actor` last imported them as they are
    (see `writer.edited_since_import`); `tiewatch demo load` uses it. `resolver`: links new entities to
    existing ones and queues doubtful pairs (importers/links.py); ids merged away are always linked.
    `batch_rows`: entities or ties validated and written at a time (memory is proportional to it)."""
    max_bytes = int(getattr(settings, "TIEWATCH_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    with _no_cyclic_gc():
        done = stream_import(paths, max_bytes, actor, dry_run, progress, protect_edited, batch_rows, resolver)
    return ImportResult(files=done.files, counts=done.counts, notices=done.notices, dry_run=dry_run,
                        resolution=done.resolution)
