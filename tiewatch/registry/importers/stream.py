"""The streaming import: validate and write in batches inside one transaction, in bounded memory.

Records are read one at a time (JSON lines and CSV stream; a YAML or JSON document is parsed whole,
within the per-file size cap) and validated into the current batch of `BATCH_ROWS` entities or ties.
A full batch has its references checked and is written; what is kept between batches is compact:
the ids seen so far with where each was defined (`IdIndex`, for duplicates and references), the
referenced ids found in the database, references to ids not yet seen (checked at the end), and the
bundle's sources (they merge details across citations, so they are written last).

Once any problem is found nothing more is written, but reading and checking go on so that every
problem is reported; at the end any problem raises ValidationFailed inside the transaction, which
rolls back the batches already written. So nothing is written unless everything is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

from django.db import transaction

from tiewatch.core.errors import Problem, ValidationFailed, did_you_mean
from tiewatch.core.inputs import InputError
from tiewatch.registry import tallies
from tiewatch.registry.importers.claims import resolve_references, write_claims
from tiewatch.registry.importers.links import BatchLinker, LinkCounts, Resolver
from tiewatch.registry.importers.readers import (
    RawRecord,
    ReadResult,
    csv_record_type,
    expand_paths,
    iter_records,
    scan_file,
)
from tiewatch.registry.importers.validate import HANDLERS, Bundle, EntityRow, TieRow, csv_column_notices
from tiewatch.registry.importers.writer import (
    WriteCounts,
    bulk_load,
    existing_ids,
    is_bulk_load,
    refresh_counterpart_countries,
    write_entities_batch,
    write_sources_batch,
    write_ties_batch,
)
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie, TieCounterpart

# Entities or ties validated, then written, at a time: big enough that the per-batch queries cost
# little, small enough that a batch's rows, snapshots and links stay a few tens of MB.
BATCH_ROWS = 20_000
BULK_MODELS = [Tie, TieCounterpart, Tie.sources.through, ChangeRecord]
Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class Ref:
    kind: str  # "entity" or "source"
    id: str
    field: str
    line: int | None
    file: str


class IdIndex:
    """Ids seen so far, each with where it was first defined packed in one int (file number << 32 |
    line): about 100 bytes an id, where a validated row is several kB."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self._numbers: dict[str, int] = {}
        self.where: dict[str, int] = {}
        self.last_file, self.base = "", 0  # the last file added from, and its number << 32

    def add(self, row_id: str, file: str, line: int | None) -> None:
        if file != self.last_file:
            number = self._numbers.get(file)
            if number is None:
                number = self._numbers[file] = len(self.files)
                self.files.append(file)
            self.last_file, self.base = file, number << 32
        self.where[row_id] = self.base | (line or 0)

    def get(self, row_id: str) -> tuple[str, int | None] | None:
        code = self.where.get(row_id)
        return None if code is None else (self.files[code >> 32], (code & 0xFFFFFFFF) or None)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self.where


class StreamBundle(Bundle):
    """A Bundle holding only the current batch of entities and ties (and every source)."""

    def __init__(self) -> None:
        super().__init__()
        self.index = {"entities": IdIndex(), "ties": IdIndex()}

    def first_defined(self, table: str, row_id: str) -> tuple[str, int | None] | None:
        return self.index[table].get(row_id)

    def keep(self, table: str, row: EntityRow | TieRow) -> None:
        self.index[table].add(row.id, row.file, row.line)
        getattr(self, table)[row.id] = row

    def keep_unique(self, table: str, row: EntityRow | TieRow) -> tuple[str, int | None] | None:
        """Bundle.keep_unique in one call: it runs for every record of a big bundle."""
        index, row_id = self.index[table], row.id
        if row_id in index.where:
            return index.get(row_id)
        if row.file is index.last_file:  # IdIndex.add without the call, for the file being read
            index.where[row_id] = index.base | (row.line or 0)
        else:
            index.add(row_id, row.file, row.line)
        getattr(self, table)[row_id] = row
        return None


def entity_refs(e: EntityRow) -> Iterator[tuple[str, str, str]]:
    """(kind, id, field) of each entity or source the entity names."""
    if e.parent:
        yield "entity", e.parent, "parent"
    for name in ("member_of", "sponsor", "counterparts"):
        value = e.extra.get(name)
        for ref in value if isinstance(value, list) else [value] if value else []:
            yield "entity", str(ref), name
    for source in e.sources:
        yield "source", source, "sources"


def unknown_tie_refs(rows: Collection[TieRow], entities: Any, sources: Any,
                     stored: dict[str, set[str]]) -> list[Ref]:
    """The references of `rows` to ids neither in `entities` / `sources` nor `stored`, in the rows'
    order. A batch names a few thousand distinct ids millions of times in a big bundle: the distinct
    ids are gathered in C (sets over attribute getters) and looked up once each; only a batch that
    names an unknown id is walked row by row to say where."""
    stored_entities, stored_sources = stored["entity"], stored["source"]
    named = set(map(_subject, rows))
    named.update(chain.from_iterable(map(_counterparts, rows)))
    named.update(map(_program, rows))
    named.discard(None)
    funders = {str(a["funder"]) for a in map(_attributes, rows) if a and a.get("funder")}
    missing = {ref for ref in named | funders if ref not in entities and ref not in stored_entities}
    unknown_sources = {ref for ref in set(chain.from_iterable(map(_sources, rows)))
                       if ref not in sources and ref not in stored_sources}
    if not missing and not unknown_sources:
        return []
    unknown: list[Ref] = []
    for t in rows:
        refs = [(t.subject, "subject")] + [(c, "counterparts") for c in t.counterparts]
        if t.program:
            refs.append((t.program, "program"))
        if t.attributes.get("funder"):
            refs.append((str(t.attributes["funder"]), "funder"))
        unknown.extend(Ref("entity", ref, name, t.line, t.file) for ref, name in refs if ref in missing)
        unknown.extend(Ref("source", ref, "sources", t.line, t.file) for ref in t.sources if ref in unknown_sources)
    return unknown


_subject, _counterparts, _program = attrgetter("subject"), attrgetter("counterparts"), attrgetter("program")
_attributes, _sources = attrgetter("attributes"), attrgetter("sources")


class _Run:
    """One streaming import: the batches, what is kept between them, and the counts."""

    def __init__(self, actor: str, write: bool, protect_edited: bool, progress: Progress | None,
                 batch_rows: int = BATCH_ROWS, resolver: Resolver | None = None) -> None:
        self.bundle, self.read, self.batch_rows = StreamBundle(), ReadResult(), batch_rows
        self.linker = BatchLinker(actor, resolver)
        self.actor, self.write, self.protect, self.progress = actor, write, protect_edited, progress
        self.counts = {name: WriteCounts() for name in ("sources", "entities", "ties")}
        self.stored: dict[str, set[str]] = {"entity": set(), "source": set()}  # referenced ids found stored
        self.pending: list[Ref] = []  # references to ids neither seen yet nor stored
        self.recountried: list[str] = []
        # Counterpart id -> country, read once for every tie batch until entities are written again.
        self.countries: dict[str, str] = {}
        self.late_counterparts: set[str] = set()
        # A table empty when the import began holds only this import's rows, and a bundle's ids are
        # unique: nothing to compare with, so the lookups of stored rows are skipped.
        self.entities_new = write and not Entity.objects.exists()
        self.ties_new = write and not Tie.objects.exists()

    def clean(self) -> bool:
        return not (self.bundle.problems or self.read.problems)

    def read_all(self, records: Iterable[RawRecord]) -> None:
        """Validate every record, writing each batch as it fills (the loop of a big import: kept lean)."""
        bundle, limit, handlers = self.bundle, self.batch_rows, HANDLERS
        for record in records:
            handlers[record.type](bundle, record)
            if len(bundle.ties) >= limit:
                self.flush_ties()
            elif len(bundle.entities) >= limit:
                self.flush_entities()
        self.flush_ties()

    def flush_entities(self) -> None:
        rows = self.bundle.entities
        if not rows:
            return
        known: dict[str, Any] = {"entity": self.bundle.index["entities"].where, "source": self.bundle.sources}
        self.check_refs([Ref(kind, ref, name, row.line, row.file) for row in rows.values()
                         for kind, ref, name in entity_refs(row)
                         if ref not in known[kind] and ref not in self.stored[kind]])
        if self.write and self.clean():
            self.linker.link_entities(rows)
            self.counts["entities"].add(write_entities_batch(
                rows, self.actor, recountried=self.recountried, protect_edited=self.protect,
                all_new=self.entities_new, progress=self.progress))
            self.countries.clear()  # those entities' countries may be new or changed
        self.bundle.entities = {}

    def flush_ties(self) -> None:
        self.flush_entities()  # first, so the ties' counterparts are stored with their countries
        rows = self.bundle.ties
        if not rows:
            return
        self.check_refs(unknown_tie_refs(rows.values(), self.bundle.index["entities"].where, self.bundle.sources,
                                         self.stored))
        if self.write and self.clean():
            self.linker.rewrite_ties(rows)
            self.counts["ties"].add(write_ties_batch(rows, self.actor, protect_edited=self.protect,
                                                     all_new=self.ties_new, progress=self.progress,
                                                     countries=self.countries))
        self.bundle.ties = {}

    def check_refs(self, unknown: list[Ref]) -> None:
        """Look up in the database the ids not seen in the bundle so far; keep the others for the end."""
        stored = self.stored
        for kind, model in (("entity", Entity), ("source", Source)):
            wanted = {r.id for r in unknown if r.kind == kind and r.id not in stored[kind]}
            if wanted:
                stored[kind] |= existing_ids(model, wanted)
        self.pending.extend(r for r in unknown if r.id not in stored[r.kind])

    def reference_problems(self) -> list[Problem]:
        """References to ids defined later in the bundle are fine; any other unknown id is a problem."""
        problems = []
        entities = self.bundle.index["entities"]
        for ref in self.pending:
            if ref.kind == "entity" and ref.id in entities:
                if ref.field == "counterparts":
                    self.late_counterparts.add(ref.id)  # the tie was written before its counterpart
                continue
            if ref.kind == "source" and ref.id in self.bundle.sources:
                continue
            hint = did_you_mean(ref.id, entities.where if ref.kind == "entity" else self.bundle.sources)
            problems.append(Problem(f"unknown {ref.kind} id {ref.id!r}{hint}", field=ref.field, file=ref.file,
                                    line=ref.line))
        return problems


def scan_files(files: list[Path], max_bytes: int) -> tuple[list[Path], int, list[Problem]]:
    """The files that are within the size cap and UTF-8, their lines in all, and the others' problems."""
    good: list[Path] = []
    lines = 0
    problems: list[Problem] = []
    for path in files:
        if path.suffix.lower() == ".csv" and csv_record_type(path) is None:
            good.append(path)  # iter_records reports the name, as before any reading
            continue
        try:
            lines += scan_file(path, max_bytes)
            good.append(path)
        except InputError as error:
            problems.extend(error.problems)
    return good, lines, problems


@dataclass
class Streamed:
    files: list[str]
    counts: dict[str, WriteCounts]
    notices: list[str]
    resolution: LinkCounts


def stream_import(paths: Iterable[Path | str], max_bytes: int, actor: str, dry_run: bool,
                  progress: Progress | None, protect_edited: bool, batch_rows: int = BATCH_ROWS,
                  resolver: Resolver | None = None) -> Streamed:
    """Read, validate and (unless `dry_run`) write `paths` in one transaction; ValidationFailed,
    with every problem, when anything is wrong (and then nothing is written)."""
    files, path_problems = expand_paths([Path(p) for p in paths])
    good, lines, scan_problems = scan_files(files, max_bytes)
    run = _Run(actor, not dry_run, protect_edited, progress, batch_rows, resolver)
    run.read.problems.extend(path_problems + scan_problems)
    if not files and not path_problems:
        run.read.problems.append(Problem("no YAML, JSON, JSON lines or CSV files found"))
    # A load into (nearly) empty tables rebuilds their indexes once at the end (writer.bulk_load); the
    # line count bounds the number of new ties. Not with protect_edited, which reads the audit index.
    big = run.write and not protect_edited and is_bulk_load(BULK_MODELS, lines)
    bulk = bulk_load(BULK_MODELS, lines) if big else nullcontext()
    # The tie tallies of a big load are counted once at its end, not statement by statement.
    with transaction.atomic(), tallies.recounted_after(big):
        with bulk:
            run.read_all(iter_records(good, max_bytes, run.read, scanned=True))
            problems = _all_problems(run, files)
            if run.bundle.claims:
                problems += claim_reference_problems(run)
            if problems:
                count = len(problems)
                raise ValidationFailed(f"{count} problem{'s' if count != 1 else ''} found; nothing was written",
                                       problems)
            if run.write:
                run.counts["sources"] = write_sources_batch(run.bundle.sources, actor, protect_edited=protect_edited,
                                                            progress=progress)
                if run.bundle.claims:
                    run.counts["claims"] = write_bundle_claims(run)
        if run.write:
            run.linker.finish()
            refresh_counterpart_countries(sorted(set(run.recountried) | run.late_counterparts))
    notices = run.read.notices + [notice for header in run.read.csv_headers
                                  for notice in csv_column_notices(*header)] + run.bundle.notices
    return Streamed([str(f) for f in files], run.counts if run.write else {}, notices, run.linker.counts)


def claim_reference_problems(run: _Run) -> list[Problem]:
    """Claims are few and cite sources, which are written last: kept whole until the end, checked
    against every entity id of the bundle (and the registry) once all are known."""
    problems: list[Problem] = []
    resolve_references([c for rows in run.bundle.claims.values() for c in rows], set(run.bundle.index["entities"].where),
                       {source.url: source.id for source in run.bundle.sources.values()}, problems)
    return problems


def write_bundle_claims(run: _Run) -> WriteCounts:
    """Write the claims once their sources are; an entity linked to an existing one takes its claims there,
    and a record kept as edited since the last import keeps its claims too."""
    links = run.linker.links
    claims = {(owner, links.get(owner_id, owner_id) if owner == "entity" else owner_id): rows
              for (owner, owner_id), rows in run.bundle.claims.items()}
    for (_owner, owner_id), rows in claims.items():
        for claim in rows:
            claim.owner_id = owner_id
            claim.claimant = links.get(claim.claimant, claim.claimant) if claim.claimant else claim.claimant
    kept = {("entity", i) for i in run.counts["entities"].kept} | {("tie", i) for i in run.counts["ties"].kept}
    changed = write_claims(claims, run.actor, kept)
    return WriteCounts(updated=changed, unchanged=sum(1 for key in claims if key not in kept) - changed)


def _all_problems(run: _Run, files: list[Path]) -> list[Problem]:
    """Reading problems first, file by file (as a whole-file read gave them), then the records', then
    the references'."""
    order = {str(path): number for number, path in enumerate(files)}
    read = sorted(run.read.problems, key=lambda p: order.get(p.file or "", -1))
    return read + run.bundle.problems + run.reference_problems()
