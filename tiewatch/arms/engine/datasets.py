"""Loading files into one in-memory DuckDB store, through a Parquet cache.

A *dataset* is one SIPRI release read from one family of sources: "2022-03 tables" (TIV tables),
"2026-03 register" (a Trade Register), "2021-03 tidy" (a tidy long CSV). Several files can make up a
dataset (134 per-country tables); when two files give the same supplier x recipient x year cell, the
most recently generated file wins, then the exporter's own table (de-duplication, not summing).

Cache layout (cache dir = settings.TIEWATCH_ARMS_CACHE or --cache):
  files/<content-hash>/   one parsed file (flows, totals, deals Parquet + meta.json)
  index.json              path -> (size, mtime, content hash), so unchanged files are not re-hashed
  snapshots/<key>/        the built store for one set of files (key = hash of their content hashes)
A warm load stats the files, finds the snapshot and reads a few Parquet files: no CSV parsing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tiewatch.core.errors import NotFound, Problem, ValidationFailed

from .countries import countries, kind_of
from .cube import Categories, Cube
from .readers import SCHEMAS, Parsed, read_file, release_of

if TYPE_CHECKING:  # DuckDB is imported only when SQL is needed (~0.1 s of start-up saved otherwise)
    import duckdb

READER_VERSION = "6"  # bump when readers change what they produce: invalidates the cache
FAMILY_ORDER = ("tables", "tidy", "register")  # default preference: exact TIV tables first
FAMILY_LABEL = {"tables": "SIPRI TIV tables", "register": "SIPRI Trade Register (yearly values allocated evenly)",
                "tidy": "tidy long CSV"}
FILE_CACHE_MIN_BYTES = 100_000  # files smaller than this get no cache entry of their own
BIG_FILE = 100_000  # files this big are parsed in a second thread during a cold load
EAGER_TABLES = ("flows", "ctotals", "kinds")
LAZY_TABLES = ("categories", "stated")
Progress = Callable[[str, int, int], None]


@dataclass
class FileInfo:
    path: str
    hash: str
    fmt: str
    family: str
    generated: str | None  # ISO date from the file's "Generated" line
    release: str  # "YYYY-03"
    release_basis: str  # "generated line" or "inferred from last year ..."
    dataset: str
    perspective: str
    first_year: int | None
    last_year: int | None
    flows: int
    deals: int
    split_records: int
    unlisted_names: list[str]
    title: str


@dataclass
class Dataset:
    id: str
    release: str
    family: str
    generated: str | None
    files: list[str]
    has_flows: bool
    first_year: int | None
    last_year: int | None

    def describe(self) -> dict:
        return {"release": self.release, "source": FAMILY_LABEL.get(self.family, self.family),
                "dataset": self.id, "generated": self.generated, "files": [Path(f).name for f in self.files]}


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files to load: each path, or every *.csv under a folder (sorted, so loads are reproducible)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".txt")))
        elif path.is_file():
            out.append(path)
        else:
            raise NotFound(f"no such file or folder: {path}", [Problem("no such file or folder", file=str(path))])
    if not out:
        raise NotFound("no data files found", [Problem("no .csv files found", file=", ".join(map(str, paths)))])
    return out


class Cache:
    """Parquet cache keyed by file content hash."""

    def __init__(self, root: str | Path | None) -> None:
        self.root = Path(root) if root else Path(tempfile.gettempdir()) / "tiewatch-arms-cache"
        self.root.mkdir(parents=True, exist_ok=True)
        self.index_path = self.root / "index.json"
        try:
            self.index = json.loads(self.index_path.read_text())
        except (OSError, ValueError):
            self.index = {}
        self.dirty = False
        self.read: dict[str, bytes] = {}  # bytes read to hash a file, kept for its parse (read once)

    def content_hash(self, path: Path, keep: bool = False) -> str:
        """Hash of a file's bytes (and the reader version), from the index when size and mtime match.
        With `keep`, bytes read to hash are kept in `read` for the parse, so a new file is read once."""
        stat = path.stat()
        key = str(path.resolve())
        hit = self.index.get(key)
        if hit and hit["size"] == stat.st_size and hit["mtime_ns"] == stat.st_mtime_ns:
            return hit["hash"]
        raw = path.read_bytes()
        digest = hashlib.blake2b(raw, digest_size=16)
        digest.update(READER_VERSION.encode())
        self.index[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "hash": digest.hexdigest()}
        self.dirty = True
        if keep:
            self.read[str(path)] = raw
        return self.index[key]["hash"]

    def save_index(self) -> None:
        if self.dirty:
            tmp = self.index_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.index))
            os.replace(tmp, self.index_path)

    def file_dir(self, digest: str) -> Path:
        return self.root / "files" / digest

    def snapshot_dir(self, hashes: list[str]) -> Path:
        key = hashlib.blake2b("\n".join(hashes).encode(), digest_size=16).hexdigest()
        return self.root / "snapshots" / key


def _atomic_dir(final: Path, fill: Callable[[Path], None]) -> None:
    """Write a cache entry in a temporary folder, then rename, so readers never see half an entry."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=".tmp-"))
    try:
        fill(tmp)
        try:
            os.replace(tmp, final)
        except OSError:  # another process wrote it first
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _info(path: Path, digest: str, parsed: Parsed) -> FileInfo:
    first, last = parsed.years()
    if parsed.generated:
        release, basis = release_of(parsed.generated), "generated line"
    elif last:  # no "Generated" line (tidy files, stacked tables): a March release covers last year
        release, basis = f"{last + 1}-03", f"inferred: data through {last}"
    else:
        release, basis = "unknown", "no date and no data"
    return FileInfo(
        path=str(path), hash=digest, fmt=parsed.fmt, family=parsed.family,
        generated=parsed.generated.isoformat() if parsed.generated else None, release=release,
        release_basis=basis, dataset=f"{release} {parsed.family}", perspective=parsed.perspective,
        first_year=first, last_year=last, flows=parsed.table("flows").num_rows, deals=parsed.table("deals").num_rows,
        split_records=parsed.split_records, unlisted_names=sorted(parsed.unlisted_names), title=parsed.title)


def _size(path: Path, cache: Cache) -> int:
    raw = cache.read.get(str(path))
    return len(raw) if raw is not None else path.stat().st_size


def parse_cached(path: Path, cache: Cache, digest: str | None = None,
                 writer: Executor | None = None) -> tuple[FileInfo, dict[str, pa.Table], Future | None]:
    """Parse one file, or reuse its cached Parquet if its content was seen before.

    A new entry is written by `writer` (a background thread: Parquet encoding releases the GIL, so it
    overlaps the next file's parse) when given, else here; the caller waits for the returned future."""
    digest = digest or cache.content_hash(path)
    folder = cache.file_dir(digest)
    meta = folder / "meta.json"
    if meta.exists():
        cache.read.pop(str(path), None)
        info = FileInfo(**json.loads(meta.read_text()))
        info.path = str(path)
        # Empty tables are not written (most files have no deals): an absent file is an empty table.
        return info, {name: pq.read_table(folder / f"{name}.parquet") if (folder / f"{name}.parquet").exists()
                      else SCHEMAS[name].empty_table() for name in SCHEMAS}, None
    raw = cache.read.pop(str(path), None)
    parsed = read_file(path, raw)
    size = len(raw) if raw is not None else path.stat().st_size
    info = _info(path, digest, parsed)
    tables = {name: parsed.table(name) for name in SCHEMAS}
    if size < FILE_CACHE_MIN_BYTES and not info.deals:
        # A small table re-parses in ~1 ms, less than writing its cache entry; it is still in the snapshot.
        # (Deals are always written: the `deals` view reads them from the file's entry.)
        return info, tables, None

    def fill(tmp: Path) -> None:
        for name, table in tables.items():
            if table.num_rows:
                pq.write_table(table, tmp / f"{name}.parquet")
        (tmp / "meta.json").write_text(json.dumps(asdict(info)))

    if writer is not None:
        return info, tables, writer.submit(_atomic_dir, folder, fill)
    _atomic_dir(folder, fill)
    return info, tables, None


class Store:
    """All loaded files in one DuckDB connection; queries run against its tables."""

    def __init__(self, tables: dict[str, pa.Table], files: list[FileInfo], snapshot: Path, cache: Cache) -> None:
        self.tables = tables  # flows, ctotals, kinds as Arrow: what the hot queries need
        self.files = files
        self.snapshot = snapshot
        self.cache = cache
        self.datasets = self._datasets()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._known: dict[str, set[str]] = {}
        self._cubes: dict[str, Cube | Categories] = {}
        self.lock = threading.RLock()
        self._kinds: dict[str, str] | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """DuckDB over the loaded tables, opened on first use (SQL serves the rarer queries: categories,
        deals, SIPRI's stated totals), so a warm load does not pay for it."""
        with self.lock:
            if self._con is None:
                self._con = self._connect()
            # Callers in threads (web) hold `lock` while they execute and fetch: one query at a time.
            return self._con

    def kinds(self) -> dict[str, str]:
        """Kind (state, non_state, org, unknown) of every name in the loaded data."""
        if self._kinds is None:
            kinds = self.tables["kinds"]
            self._kinds = dict(zip(kinds["name"].to_pylist(), kinds["kind"].to_pylist()))
        return self._kinds

    def categories(self, dataset: Dataset) -> Categories:
        """Weapon categories of a Trade Register dataset (read from the snapshot on first use)."""
        key = f"categories {dataset.id}"
        with self.lock:
            if key not in self._cubes:
                table = pq.read_table(self.snapshot / "categories.parquet", filters=[("dataset", "=", dataset.id)])
                self._cubes[key] = Categories(table)
            return self._cubes[key]  # type: ignore[return-value]

    def cube(self, dataset: Dataset) -> Cube:
        """The numpy running totals of a dataset (built on first use, then kept)."""
        with self.lock:  # web requests share one store: build each dataset's cube once
            if dataset.id not in self._cubes:
                self._cubes[dataset.id] = Cube(dataset.id, self.tables["ctotals"], self.tables["flows"],
                                               self.kinds())
            return self._cubes[dataset.id]  # type: ignore[return-value]

    @staticmethod
    def snapshot_for(paths: Iterable[str | Path], cache_dir: str | Path | None = None) -> Path:
        """The snapshot a set of files would load (stats only, for unchanged files): changes when any file does."""
        files = expand(paths)
        cache = Cache(cache_dir)
        snapshot = cache.snapshot_dir(sorted({cache.content_hash(p) for p in files}))
        cache.save_index()
        return snapshot

    @classmethod
    def open(cls, paths: Iterable[str | Path], cache_dir: str | Path | None = None,
             progress: Progress | None = None) -> Store:
        files = expand(paths)
        cache = Cache(cache_dir)
        hashes = [cache.content_hash(p, keep=True) for p in files]  # a new file's bytes are kept for its parse
        snapshot = cache.snapshot_dir(sorted(set(hashes)))
        if (snapshot / "files.json").exists():
            cache.read.clear()
            infos = [FileInfo(**d) for d in json.loads((snapshot / "files.json").read_text())]
            for info, path in zip(sorted(infos, key=lambda i: i.hash), sorted(zip(hashes, files))):
                info.path = str(path[1])
            tables = None
        else:
            infos, tables = cls._build(files, hashes, cache, snapshot, progress)
        cache.save_index()
        if tables is None:
            # pyarrow reads Parquet faster than DuckDB materialises a table; DuckDB later registers it zero-copy.
            tables = {t: pq.read_table(snapshot / f"{t}.parquet", use_threads=False) for t in EAGER_TABLES}
        return cls(tables, infos, snapshot, cache)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        snapshot, cache, infos = self.snapshot, self.cache, self.files
        import duckdb

        con = duckdb.connect(":memory:", config={"threads": 2})
        for table in EAGER_TABLES:
            con.register(table, self.tables[table])
        # Deals (large: comments), categories and SIPRI's stated totals serve rarer queries: read lazily.
        for table in LAZY_TABLES:
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{snapshot / table}.parquet')")
        # Deals (large: comments) stay in each file's own cache entry, not copied into the snapshot.
        paths = ", ".join(f"'{cache.file_dir(i.hash) / 'deals.parquet'}'" for i in infos if i.deals)
        deals = (f"SELECT m.dataset, d.* EXCLUDE (filename) FROM read_parquet([{paths}], filename = true) d "
                 f"JOIN read_parquet('{snapshot / 'file_meta.parquet'}') m "
                 "ON m.file_hash = split_part(d.filename, '/', -2)") if paths else (
            "SELECT ''::VARCHAR AS dataset, * FROM (SELECT 0::INT AS line) WHERE false")
        con.execute(f"CREATE VIEW deals AS {deals}")
        return con

    @staticmethod
    def _build(files: list[Path], hashes: list[str], cache: Cache, snapshot: Path,
               progress: Progress | None) -> tuple[list[FileInfo], dict[str, pa.Table]]:
        """Parse (or reuse) each file, then de-duplicate and aggregate into the snapshot tables.
        Returns the files and the eager tables (as a warm load would read them from the snapshot)."""
        infos: list[FileInfo] = []
        seen: set[str] = set()
        # Deals are not needed to build the snapshot: the `deals` view reads them from each file's entry.
        parts: dict[str, list[pa.Table]] = {"flows": [], "totals": []}
        problems: list[Problem] = []
        writes: list[Future] = []
        out: dict[str, pa.Table] = {}
        # Cache entries are written by background threads (Parquet encoding releases the GIL), overlapping
        # the parse of the next files and the next SQL statement; all are on disk before the snapshot's rename.
        # Big files (Trade Registers, stacked tables: parsed column-wise by pyarrow, which also releases the GIL)
        # are parsed by another thread while this one reads the small tables; results are taken in file order.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="arms-cache") as writer, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="arms-parse") as parser:
            try:
                ahead = {i: parser.submit(parse_cached, path, cache, digest, writer)
                         for i, (path, digest) in enumerate(zip(files, hashes)) if _size(path, cache) >= BIG_FILE}
                for i, (path, digest) in enumerate(zip(files, hashes)):
                    if progress:
                        progress(str(path), i, len(files))
                    try:
                        info, tables, write = ahead[i].result() if i in ahead else parse_cached(
                            path, cache, digest, writer)
                    except ValidationFailed as error:
                        problems.extend(error.problems)
                        continue
                    if write is not None:
                        writes.append(write)
                    if info.hash in seen:  # the same content twice (a copy): once
                        continue
                    seen.add(info.hash)
                    for name, chunks in parts.items():
                        chunks.append(tables[name])
                    infos.append(info)
            finally:
                for future in ahead.values():
                    future.cancel()
                cache.read.clear()
            if progress:
                progress("", len(files), len(files))
            if problems:
                raise ValidationFailed(f"{len(problems)} problem(s) in the data files", problems)
            if not infos:
                raise ValidationFailed("no data files", [Problem("no readable data files")])

            def fill(tmp: Path) -> None:
                import duckdb

                def write(name: str, table: pa.Table) -> None:
                    out[name] = table
                    writes.append(writer.submit(pq.write_table, table, tmp / f"{name}.parquet"))

                # One DuckDB thread: the other core is busy writing Parquet in the background (measured: same
                # wall time as two threads, ~80 ms less CPU).
                con = duckdb.connect(":memory:", config={"threads": 1})
                try:
                    for name, chunks in parts.items():
                        # Files are joined to their dataset and rank by a small integer (position in `infos`).
                        file_id = np.repeat(np.arange(len(chunks), dtype=np.int32), [t.num_rows for t in chunks])
                        con.register(f"{name}_raw", pa.concat_tables(chunks).append_column("file_id", pa.array(file_id)))
                    write("file_meta", _file_meta(infos))
                    write("kinds", _kinds(parts))
                    con.register("file_meta", out["file_meta"])
                    con.register("kinds", out["kinds"])
                    for name in _derive(con):  # each table is written while the next one is computed
                        rel = con.sql(f"SELECT * FROM {name}")
                        write(name, (rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow())
                              .combine_chunks())
                finally:
                    con.close()
                (tmp / "files.json").write_text(json.dumps([asdict(i) for i in infos]))
                for future in writes:  # every file's entry and every snapshot table is on disk
                    future.result()

            _atomic_dir(snapshot, fill)
        return infos, {name: out[name] for name in EAGER_TABLES}

    def _datasets(self) -> dict[str, Dataset]:
        out: dict[str, Dataset] = {}
        for info in self.files:
            ds = out.setdefault(info.dataset, Dataset(info.dataset, info.release, info.family, None, [], False,
                                                      None, None))
            ds.files.append(info.path)
            ds.has_flows = ds.has_flows or info.flows > 0
            if info.generated and (ds.generated is None or info.generated > ds.generated):
                ds.generated = info.generated
            ds.first_year = min(filter(None, (ds.first_year, info.first_year)), default=None)
            ds.last_year = max(filter(None, (ds.last_year, info.last_year)), default=None)
        return out

    def dataset(self, release: str | None = None, source: str | None = None, needs_flows: bool = False) -> Dataset:
        """The dataset a query runs on: TIV tables before a tidy CSV before a Trade Register, latest release."""
        candidates = list(self.datasets.values())
        if release:
            wanted = _release_key(release)
            candidates = [d for d in candidates if d.release == wanted or d.id == release]
        if source:
            candidates = [d for d in candidates if d.family == source]
        if needs_flows:
            flows = [d for d in candidates if d.has_flows]
            if candidates and not flows:
                ids = ", ".join(d.id for d in candidates)
                raise NotFound(f"{ids} has totals only (no supplier x recipient figures) for this query",
                               [Problem("totals-only release: no partner breakdown", field="release")])
            candidates = flows
        if not candidates:
            have = ", ".join(sorted(self.datasets)) or "nothing"
            raise NotFound(f"no loaded data for release={release or 'any'} source={source or 'any'} "
                           f"(loaded: {have})", [Problem("no such release/source loaded", field="release")])
        return min(candidates, key=lambda d: (FAMILY_ORDER.index(d.family) if d.family in FAMILY_ORDER else 9,
                                              _neg(d.release)))

    def countries_in(self, dataset: Dataset) -> list[str]:
        """Every name (country, organisation, group) that appears in a dataset."""
        return self.cube(dataset).names

    def resolve(self, name: str, dataset: Dataset, field_name: str = "country") -> str:
        known = self._known.get(dataset.id)
        if known is None:
            known = self._known[dataset.id] = set(self.countries_in(dataset))
        if name in known:  # already canonical: the common case, skip the lookup table
            return name
        return countries().resolve(name, known, field_name)


def _neg(release: str) -> tuple[int, ...]:
    digits = [int(p) for p in release.split("-") if p.isdigit()]
    return tuple(-d for d in digits) or (0,)


def _release_key(text: str) -> str:
    """'2022', '2022-03', 'March 2022' -> '2022-03'."""
    digits = "".join(ch if ch.isdigit() else " " for ch in text).split()
    year = next((d for d in digits if len(d) == 4), text)
    return f"{year}-03"


def _file_meta(infos: list[FileInfo]) -> pa.Table:
    """Each file's dataset and its rank within it: newest generated first, then exporters' own tables."""
    def order(i: FileInfo) -> tuple:
        return (i.generated is None, "" if i.generated is None else _neg_date(i.generated),
                0 if i.perspective == "exporter" else 1, i.hash)
    ranks: dict[str, int] = {}
    seen: dict[str, int] = {}
    for info in sorted(infos, key=lambda i: (i.dataset, order(i))):
        ranks[info.hash] = seen[info.dataset] = seen.get(info.dataset, -1) + 1
    return pa.table({"file_hash": [i.hash for i in infos], "dataset": [i.dataset for i in infos],
                     "file_rank": [ranks[i.hash] for i in infos],
                     "file_id": pa.array(range(len(infos)), pa.int32())})  # position in `infos`


def _neg_date(iso: str) -> str:
    """A string that sorts newest date first."""
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in iso)


def _kinds(parts: dict[str, list[pa.Table]]) -> pa.Table:
    table = countries()
    names: set[str] = set()
    for t in parts["flows"]:
        names |= set(pc.unique(t["supplier"]).to_pylist()) | set(pc.unique(t["recipient"]).to_pylist())
    for t in parts["totals"]:
        names |= set(pc.unique(t["country"]).to_pylist())
    names.discard("")
    ordered = sorted(names)
    return pa.table({"name": ordered,
                     "kind": [table.by_name[n].kind if n in table.by_name else kind_of(n) for n in ordered]})


def _derive(con: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """flows (one value per dataset x pair x year), ctotals (per country x role x year), categories.
    Yields each table's name once it exists, so the caller can write it while the next one is computed."""
    # Sum within a file first (a register has many deals per pair and year), then take the value of the
    # best-ranked file that has the cell: de-duplication across files, never summing them.
    con.execute("""
        CREATE TABLE flows AS
        WITH agg AS (
            SELECT f.file_id, f.supplier, f.recipient, f.year, sum(f.tiv) AS tiv
            FROM flows_raw f GROUP BY ALL)
        SELECT m.dataset, a.supplier, a.recipient, a.year::INT AS year, min_by(a.tiv, m.file_rank) AS tiv
        FROM agg a JOIN file_meta m USING (file_id)
        GROUP BY ALL""")
    yield "flows"
    # SIPRI's own totals (Total rows/columns, all-country tables), de-duplicated the same way.
    con.execute("""
        CREATE TABLE stated AS
        WITH agg AS (
            SELECT file_id, role, country, partner, year, sum(tiv) AS tiv FROM totals_raw GROUP BY ALL)
        SELECT m.dataset, a.role, a.country, a.partner, a.year, min_by(a.tiv, m.file_rank) AS tiv
        FROM agg a JOIN file_meta m USING (file_id)
        GROUP BY ALL""")
    yield "stated"
    # Country totals: summed from the pair cells where the dataset has them, else SIPRI's totals tables.
    con.execute("""
        CREATE TABLE ctotals AS
        WITH from_flows AS (
            SELECT dataset, 'exporter' AS role, supplier AS country, year, sum(tiv) AS tiv FROM flows GROUP BY ALL
            UNION ALL
            SELECT dataset, 'importer', recipient, year, sum(tiv) FROM flows GROUP BY ALL),
        from_stated AS (
            SELECT dataset, role, country, year, tiv FROM stated
            WHERE partner = '' AND country <> '' AND year IS NOT NULL
              AND dataset NOT IN (SELECT DISTINCT dataset FROM flows))
        SELECT c.dataset, c.role, c.country, coalesce(k.kind, 'state') AS kind, c.year::INT AS year, c.tiv
        FROM (SELECT * FROM from_flows UNION ALL SELECT * FROM from_stated) c
        LEFT JOIN kinds k ON k.name = c.country""")
    yield "ctotals"
    con.execute("""
        CREATE TABLE categories AS
        SELECT m.dataset, f.supplier, f.recipient, f.year::INT AS year, f.category, sum(f.tiv) AS tiv
        FROM flows_raw f JOIN file_meta m USING (file_id)
        WHERE f.category IS NOT NULL GROUP BY ALL""")
    yield "categories"
