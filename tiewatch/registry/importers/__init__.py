"""`tiewatch import`: read bundles, validate everything, then write in one transaction.

Any problem anywhere means nothing is written and every problem is reported as
`file:line: field: message`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tiewatch.core.errors import Problem, ValidationFailed, did_you_mean
from tiewatch.registry.importers.claims import resolve_references
from tiewatch.registry.importers.readers import expand_paths, read_files
from tiewatch.registry.importers.validate import Bundle, csv_column_notices, validate_records
from tiewatch.registry.importers.writer import WriteCounts, chunks, write_bundle
from tiewatch.registry.models import Entity, Source

DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass
class ImportResult:
    files: list[str]
    counts: dict[str, WriteCounts] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())


def load_bundle(paths: Iterable[Path | str]) -> tuple[list[str], Bundle]:
    """Read and validate, checking references against the bundle and the database. No writes."""
    files, problems = expand_paths([Path(p) for p in paths])
    max_bytes = int(getattr(settings, "TIEWATCH_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    read = read_files(files, max_bytes)
    bundle = validate_records(read.records)
    bundle.problems[:0] = problems + read.problems
    bundle.notices[:0] = read.notices + [notice for header in read.csv_headers
                                         for notice in csv_column_notices(*header)]
    if not files and not problems:
        bundle.problems.append(Problem("no YAML, JSON, JSON lines or CSV files found"))
    _check_references(bundle)
    if bundle.claims:
        resolve_references([c for rows in bundle.claims.values() for c in rows], set(bundle.entities),
                           {s.url: s.id for s in bundle.sources.values()}, bundle.problems)
    return [str(f) for f in files], bundle


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
                  progress: Callable[[str, int], None] | None = None, protect_edited: bool = False) -> ImportResult:
    """`protect_edited`: leave stored records changed since `actor` last imported them as they are
    (see `writer.write_bundle`); `tiewatch demo load` uses it."""
    with _no_cyclic_gc():
        return _import_bundle(paths, actor, dry_run, progress, protect_edited)


def _import_bundle(paths: Iterable[Path | str], actor: str, dry_run: bool,
                   progress: Callable[[str, int], None] | None, protect_edited: bool = False) -> ImportResult:
    files, bundle = load_bundle(paths)
    if bundle.problems:
        count = len(bundle.problems)
        raise ValidationFailed(f"{count} problem{'s' if count != 1 else ''} found; nothing was written",
                               bundle.problems)
    result = ImportResult(files=files, notices=bundle.notices, dry_run=dry_run)
    if not dry_run:
        result.counts = write_bundle(bundle, actor=actor, progress=progress, protect_edited=protect_edited)
    return result


def _existing_ids(model: type[Entity | Source], ids: set[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(sorted(ids), 2000):
        found.update(model.objects.filter(pk__in=part).values_list("pk", flat=True))
    return found


def _check_references(bundle: Bundle) -> None:
    """Every entity or source id a record names must be in the bundle or already in the database."""
    refs: list[tuple[str, str, str, int | None, str]] = []  # (kind, id, field, line, file)
    for e in bundle.entities.values():
        if e.parent:
            refs.append(("entity", e.parent, "parent", e.line, e.file))
        for name in ("member_of", "sponsor", "counterparts"):
            value = e.extra.get(name)
            for ref in value if isinstance(value, list) else [value] if value else []:
                refs.append(("entity", str(ref), name, e.line, e.file))
        refs.extend(("source", s, "sources", e.line, e.file) for s in e.sources)
    for t in bundle.ties.values():
        refs.append(("entity", t.subject, "subject", t.line, t.file))
        refs.extend(("entity", c, "counterparts", t.line, t.file) for c in t.counterparts)
        if t.program:
            refs.append(("entity", t.program, "program", t.line, t.file))
        if t.attributes.get("funder"):
            refs.append(("entity", str(t.attributes["funder"]), "funder", t.line, t.file))
        refs.extend(("source", s, "sources", t.line, t.file) for s in t.sources)
    known = {"entity": set(bundle.entities), "source": set(bundle.sources)}
    outside = {kind: {r[1] for r in refs if r[0] == kind and r[1] not in known[kind]} for kind in known}
    known["entity"] |= _existing_ids(Entity, outside["entity"]) if outside["entity"] else set()
    known["source"] |= _existing_ids(Source, outside["source"]) if outside["source"] else set()
    for kind, ref, field_name, line, file in refs:
        if ref not in known[kind]:
            hint = did_you_mean(ref, bundle.entities if kind == "entity" else bundle.sources)
            bundle.problems.append(Problem(f"unknown {kind} id {ref!r}{hint}", field=field_name, file=file, line=line))
