"""Building a snapshot: de-duplicate the parsed files' cells across files and aggregate, with DuckDB.

A snapshot is the built store of one set of files: flows (one value per dataset x pair x year), ctotals
(per country x role x year), categories, SIPRI's stated totals, the names' kinds and each file's rank.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tiewatch.core.errors import Problem, ValidationFailed

from .cache import EAGER_TABLES, Cache, FileInfo, Progress, atomic_dir, parse_cached, read_size
from .countries import countries, kind_of

if TYPE_CHECKING:  # DuckDB is imported only when SQL is needed
    import duckdb

BIG_FILE = 100_000  # files this big are parsed in a second thread during a cold load


def build(files: list[Path], hashes: list[str], cache: Cache, snapshot: Path,
          progress: Progress | None) -> tuple[list[FileInfo], dict[str, pa.Table]]:
    """Parse (or reuse) each file, then de-duplicate and aggregate into the snapshot tables.
    Returns the files and the eager tables (as a warm load would read them from the snapshot).

    Cache entries are written by background threads (Parquet encoding releases the GIL), overlapping
    the parse of the next files and the next SQL statement; all are on disk before the snapshot's rename."""
    writes: list[Future] = []
    out: dict[str, pa.Table] = {}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="arms-cache") as writer:
        infos, parts = _parse_all(files, hashes, cache, writer, writes, progress)

        def fill(tmp: Path) -> None:
            _derive_and_write(infos, parts, tmp, lambda name, table: writes.append(
                writer.submit(pq.write_table, table, tmp / f"{name}.parquet")), out)
            (tmp / "files.json").write_text(json.dumps([asdict(i) for i in infos]))
            for future in writes:  # every file's entry and every snapshot table is on disk
                future.result()

        atomic_dir(snapshot, fill)
    return infos, {name: out[name] for name in EAGER_TABLES}


def _parse_all(files: list[Path], hashes: list[str], cache: Cache, writer: Executor, writes: list[Future],
               progress: Progress | None) -> tuple[list[FileInfo], dict[str, list[pa.Table]]]:
    """Each distinct file parsed (or read from its entry), in file order; every file's problems at once.

    Big files (Trade Registers, stacked tables: parsed column-wise by pyarrow, which also releases the GIL)
    are parsed by another thread while this one reads the small tables; results are taken in file order."""
    infos: list[FileInfo] = []
    seen: set[str] = set()
    # Deals are not needed to build the snapshot: the `deals` view reads them from each file's entry.
    parts: dict[str, list[pa.Table]] = {"flows": [], "totals": []}
    problems: list[Problem] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="arms-parse") as parser:
        ahead = {i: parser.submit(parse_cached, path, cache, digest, writer)
                 for i, (path, digest) in enumerate(zip(files, hashes)) if read_size(path, cache) >= BIG_FILE}
        try:
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
    return infos, parts


def _derive_and_write(infos: list[FileInfo], parts: dict[str, list[pa.Table]], tmp: Path,
                      save: Callable[[str, pa.Table], None], out: dict[str, pa.Table]) -> None:
    """Compute every snapshot table into `out`; `save` writes each (in the background) as soon as it exists."""
    import duckdb

    def write(name: str, table: pa.Table) -> None:
        out[name] = table
        save(name, table)

    # One DuckDB thread: the other core is busy writing Parquet in the background (measured: same
    # wall time as two threads, ~80 ms less CPU).
    con = duckdb.connect(":memory:", config={"threads": 1})
    try:
        for name, chunks in parts.items():
            # Files are joined to their dataset and rank by a small integer (position in `infos`).
            file_id = np.repeat(np.arange(len(chunks), dtype=np.int32), [t.num_rows for t in chunks])
            con.register(f"{name}_raw", pa.concat_tables(chunks).append_column("file_id", pa.array(file_id)))
        write("file_meta", file_meta(infos))
        write("kinds", kinds_table(parts))
        con.register("file_meta", out["file_meta"])
        con.register("kinds", out["kinds"])
        for name in derive(con):  # each table is written while the next one is computed
            rel = con.sql(f"SELECT * FROM {name}")
            write(name, (rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()).combine_chunks())
    finally:
        con.close()


def file_meta(infos: list[FileInfo]) -> pa.Table:
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


def kinds_table(parts: dict[str, list[pa.Table]]) -> pa.Table:
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


def derive(con: duckdb.DuckDBPyConnection) -> Iterator[str]:
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
