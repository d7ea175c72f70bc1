"""New ties sent to PostgreSQL as COPY text by a writer thread, while the import builds the next batch.

The import is CPU-bound on both sides: Python maps and formats rows, PostgreSQL parses them (two
JSON documents a tie) and fills its tables. Sent from the import's own thread, each COPY waited for
PostgreSQL to finish before the next batch was built. With one writer thread owning the connection
for the write stage, PostgreSQL (another process, on the other core) works on batch n while Python
formats batch n + 1. The thread uses the import's connection, so everything stays in its one
transaction: an error on either side stops the import and the rollback writes nothing.

Rows are formatted here as COPY's text format directly (one string a batch): formatting values one
by one through the driver (`write_row`) was a third of the write stage's Python time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from django.db import connection

from tiewatch.registry.importers.writer import BULK_LOAD_ROWS

# COPY text format: these four characters are escaped in a value; NULL is \N.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"
# Batches queued ahead of the writer (each a few MB of text): bounds memory, keeps both cores busy.
DEPTH = 3


def copy_text(value: str) -> str:
    """`value` as a field of COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def copy_json(document: str) -> str:
    """JSON text as a COPY field: JSON writes tabs, newlines and carriage returns inside strings as
    escapes, so only its backslashes need doubling."""
    return document.replace("\\", "\\\\") if "\\" in document else document


class Memo:
    """COPY and JSON forms of the values that repeat across rows (entity and source ids, kinds)."""

    def __init__(self) -> None:
        self.text: dict[str, str] = {}
        self.json: dict[str | None, str] = {}

    def copy(self, value: str | None) -> str:
        if value is None:
            return NULL
        found = self.text.get(value)
        if found is None:
            found = self.text[value] = copy_text(value)
        return found

    def quoted(self, value: str | None) -> str:
        """The JSON form of a string (or null)."""
        found = self.json.get(value)
        if found is None:
            found = self.json[value] = orjson.dumps(value).decode()
        return found


class CopyStream:
    """COPY statements run in order by one writer thread on the import's connection."""

    def __init__(self, depth: int = DEPTH) -> None:
        connection.ensure_connection()
        self._raw: Any = connection.connection
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="dataset-copy", daemon=True)
        self._thread.start()

    def send(self, table: str, columns: list[str], text: str) -> None:
        """Queue `text` (rows in COPY text format, each ending with a newline) for `table`."""
        if self.error is not None:
            raise self.error
        if text:
            quote = connection.ops.quote_name
            self._queue.put((f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN", text))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.error is not None:
                continue  # keep taking what is queued, so the sender is never blocked
            try:
                with self._raw.cursor() as cursor, cursor.copy(item[0]) as copy:
                    copy.write(item[1])
            except Exception as error:  # noqa: BLE001 -- handed to the importing thread, which re-raises it
                self.error = error

    def close(self) -> None:
        """Wait until everything queued is written; re-raise the writer's error, if any."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error


@contextmanager
def unique_constraints_rebuilt(models: list[Any], new_rows: int) -> Iterator[None]:
    """Inside the registry's `bulk_load` (which keeps primary keys and unique constraints), also drop
    the unique constraints of `models`' tables and add them back after the load, under the same
    rule: PostgreSQL, at least `BULK_LOAD_ROWS` new rows, tables holding fewer rows than that. Built
    once by a sort, the two link tables' (tie, entity) and (tie, source) keys cost a fraction of
    keeping them row by row. Adding them back checks them: a duplicate fails the import, which
    the transaction then rolls back whole."""
    if connection.vendor != "postgresql" or new_rows < BULK_LOAD_ROWS:
        yield
        return
    quote = connection.ops.quote_name
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM " + " UNION ALL SELECT count(*) FROM ".join(quote(t) for t in tables))
        if sum(row[0] for row in cursor.fetchall()) > new_rows:
            yield
            return
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE contype = 'u' AND conrelid = ANY(%s::regclass[])", [tables])
        unique = cursor.fetchall()
        for table, name, _ in unique:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in unique:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


@contextmanager
def copy_stream() -> Iterator[CopyStream]:
    """A CopyStream that is always drained and stopped before the caller's transaction goes on."""
    stream = CopyStream()
    try:
        yield stream
    except BaseException:
        stream._queue.put(None)
        stream._thread.join()
        raise
    stream.close()
