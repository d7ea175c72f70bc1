"""Loading files into one store (Arrow tables, numpy running totals, DuckDB for SQL), through a Parquet cache.

A *dataset* is one SIPRI release read from one family of sources: "2022-03 tables" (TIV tables),
"2026-03 register" (a Trade Register), "2021-03 tidy" (a tidy long CSV). Several files can make up a
dataset (134 per-country tables); when two files give the same supplier x recipient x year cell, the
most recently generated file wins, then the exporter's own table (de-duplication, not summing).

The cache (cache.py) holds each parsed file and each built snapshot (snapshot.py). A warm load stats
the files, finds the snapshot and reads a few Parquet files: no CSV parsing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tiewatch.core.errors import NotFound, Problem

from .cache import (
    EAGER_TABLES,
    LAZY_TABLES,
    READER_VERSION,
    Cache,
    FileInfo,
    Progress,
    parse_cached,
    read_parquet,
)
from .countries import countries
from .cube import Categories, Cube

CUBE_VERSION = "1"  # bump when Cube.save changes what it writes

if TYPE_CHECKING:  # DuckDB only when SQL is needed, pyarrow only when a table is (start-up time)
    import duckdb
    import pyarrow as pa

__all__ = ["FAMILY_LABEL", "FAMILY_ORDER", "READER_VERSION", "Cache", "Dataset", "FileInfo", "Store", "expand",
           "parse_cached"]

FAMILY_ORDER = ("tables", "tidy", "register")  # default preference: exact TIV tables first
FAMILY_LABEL = {"tables": "SIPRI TIV tables", "register": "SIPRI Trade Register (yearly values allocated evenly)",
                "tidy": "tidy long CSV"}


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


class Store:
    """All loaded files in one DuckDB connection; queries run against its tables."""

    def __init__(self, tables: dict[str, pa.Table] | None, files: list[FileInfo], snapshot: Path,
                 cache: Cache) -> None:
        self._tables = tables  # flows, ctotals, kinds as Arrow (read on first use after a warm load)
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

    @property
    def tables(self) -> dict[str, pa.Table]:
        """The snapshot's eager tables, read when first needed: a query whose dataset's cube is saved
        (see `cube`) never reads them, so a CLI query does not even import pyarrow."""
        with self.lock:
            if self._tables is None:
                self._tables = {t: read_parquet(self.snapshot / f"{t}.parquet") for t in EAGER_TABLES}
            return self._tables

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
                import pyarrow.parquet as pq

                table = pq.read_table(self.snapshot / "categories.parquet", filters=[("dataset", "=", dataset.id)])
                self._cubes[key] = Categories(table)
            return self._cubes[key]  # type: ignore[return-value]

    def cube(self, dataset: Dataset) -> Cube:
        """The numpy running totals of a dataset: built on first use and saved beside the snapshot (which
        is keyed by the files' contents, so a saved cube is never stale), then read back by later processes."""
        with self.lock:  # web requests share one store: build each dataset's cube once
            if dataset.id not in self._cubes:
                path = self.snapshot / "cubes" / f"{CUBE_VERSION}-{dataset.id.replace(' ', '_')}"
                try:
                    self._cubes[dataset.id] = Cube.load(path)
                except (OSError, ValueError, KeyError):  # not saved yet (or damaged): build it again
                    cube = Cube.from_tables(dataset.id, self.tables["ctotals"], self.tables["flows"], self.kinds())
                    cube.save(path)
                    self._cubes[dataset.id] = cube
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
            # The eager tables are read on first use (`tables`): pyarrow reads Parquet faster than DuckDB
            # materialises a table, and DuckDB later registers them zero-copy.
            tables = None
        else:
            from .snapshot import build  # DuckDB and the parsers: only when the snapshot is new

            infos, tables = build(files, hashes, cache, snapshot, progress)
        cache.save_index()
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

