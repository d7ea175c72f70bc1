"""The Parquet cache: one entry per parsed file, keyed by a hash of its bytes and the reader version.

Cache layout (cache dir = settings.TIEWATCH_ARMS_CACHE or --cache):
  files/<content-hash>/   one parsed file (flows, totals, deals Parquet + meta.json)
  index.json              path -> (size, mtime, content hash), so unchanged files are not re-hashed
  snapshots/<key>/        the built store for one set of files (key = hash of their content hashes)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tiewatch.core.errors import Problem, ValidationFailed

if TYPE_CHECKING:  # pyarrow and the parsers are imported when a table is read or a file parsed
    import pyarrow as pa

    from .parsed import Parsed

EAGER_TABLES = ("flows", "ctotals", "kinds")  # what a warm load reads: the hot queries need only these
LAZY_TABLES = ("categories", "stated")
Progress = Callable[[str, int, int], None]


def read_parquet(path: Path) -> pa.Table:
    """One Parquet file, without `pq.read_table`: that goes through pyarrow.dataset, whose import pulls in
    pandas (~0.3 s of a CLI query's start-up), and reads no faster for a single file."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read(use_threads=False)

READER_VERSION = "7"  # bump when readers change what they produce or refuse: invalidates the cache
FILE_CACHE_MIN_BYTES = 100_000  # files smaller than this get no cache entry of their own


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


class Cache:
    """Parquet cache keyed by file content hash."""

    def __init__(self, root: str | Path | None) -> None:
        self.root = Path(root) if root else Path(tempfile.gettempdir()) / "tiewatch-arms-cache"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a file of that name, no permission, a read-only disk
            raise ValidationFailed(f"cannot use {self.root} as the cache folder", [Problem(
                f"cannot use as the cache folder: {error.strerror or error}", field="cache",
                file=str(self.root))]) from error
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
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise ValidationFailed(f"cannot read {path}", [Problem(f"cannot read: {error.strerror or error}",
                                                                    file=str(path))]) from error
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


def atomic_dir(final: Path, fill: Callable[[Path], None]) -> None:
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
    from .parsed import release_of

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


def read_size(path: Path, cache: Cache) -> int:
    raw = cache.read.get(str(path))
    return len(raw) if raw is not None else path.stat().st_size


def parse_cached(path: Path, cache: Cache, digest: str | None = None,
                 writer: Executor | None = None) -> tuple[FileInfo, dict[str, pa.Table], Future | None]:
    """Parse one file, or reuse its cached Parquet if its content was seen before.

    A new entry is written by `writer` (a background thread: Parquet encoding releases the GIL, so it
    overlaps the next file's parse) when given, else here; the caller waits for the returned future."""
    import pyarrow.parquet as pq

    from .parsed import SCHEMAS

    digest = digest or cache.content_hash(path)
    folder = cache.file_dir(digest)
    meta = folder / "meta.json"
    if meta.exists():
        cache.read.pop(str(path), None)
        info = FileInfo(**json.loads(meta.read_text()))
        info.path = str(path)
        # Empty tables are not written (most files have no deals): an absent file is an empty table.
        return info, {name: read_parquet(folder / f"{name}.parquet") if (folder / f"{name}.parquet").exists()
                      else SCHEMAS[name].empty_table() for name in SCHEMAS}, None
    raw = cache.read.pop(str(path), None)
    from .readers import read_file  # the parsers (pyarrow.csv) only when a file is new: not on a warm load

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
        return info, tables, writer.submit(atomic_dir, folder, fill)
    atomic_dir(folder, fill)
    return info, tables, None
