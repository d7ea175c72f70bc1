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

import datetime as dt
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
    """COPY and JSON forms of the values that repeat across rows (entity and source ids, kinds), and
    the pieces of lines they make (writer.copy_batch), each formatted once."""

    def __init__(self) -> None:
        self.text: dict[str, str] = {}
        self.json: dict[str | None, str] = {}
        # One dict per piece of a line (writer.copy_batch), by what the piece is made of.
        self.who: dict[tuple[str, str | None, str], str] = {}
        self.when: dict[tuple[dt.date | None, str, str], str] = {}
        self.tail: dict[str, str] = {}
        self.after_who: dict[tuple[str, tuple[str, ...], str | None, str], str] = {}
        self.after_when: dict[tuple[dt.date | None, str, str], str] = {}
        self.after_tail: dict[str, str] = {}

    def tie_who(self, key: tuple[str, str | None, str]) -> str:
        """A tie line's subject, program and kind (between its id and its start)."""
        subject, program, kind = key
        found = self.who[key] = f"\t{self.copy(subject)}\t{self.copy(program)}\t{self.copy(kind)}\t"
        return found

    def tie_when(self, key: tuple[dt.date | None, str, str]) -> str:
        """A tie line from its start to its attributes: start, precision, end, years, status."""
        day, precision, status = key
        start, year = (day.isoformat(), str(day.year)) if day else (NULL, NULL)
        found = self.when[key] = (f"{start}\t{self.copy(precision)}\t{NULL}\tday\t[]\t{year}\t{year}\t"
                                    f"{self.copy(status)}\t")
        return found

    def tie_tail(self, countries: str, dataset: str) -> str:
        """A tie line after its attributes (note, uncertain, published, countries, dataset)."""
        found = self.tail[countries] = f"\t\tf\tt\t{self.copy(countries)}\t{self.copy(dataset)}\n"
        return found

    def audit_who(self, key: tuple[str, tuple[str, ...], str | None, str]) -> str:
        """An audit snapshot's JSON up to its start (writer.after_json)."""
        subject, counterparts, program, kind = key
        q = self.quoted
        found = self.after_who[key] = (f'{{"subject":{q(subject)},"counterparts":[{",".join(q(c) for c in counterparts)}],'
                                       f'"program":{q(program)},"kind":{q(kind)},"start":')
        return found

    def audit_when(self, key: tuple[dt.date | None, str, str]) -> str:
        """An audit snapshot's JSON from its start to its attributes."""
        day, precision, status = key
        start = None if day is None else f"{day.year:04d}" if precision == "year" else day.isoformat()
        found = self.after_when[key] = (f'{self.quoted(start)},"end":null,"years":[],'
                                        f'"status":{self.quoted(status)},"attributes":')
        return found

    def audit_tail(self, source: str) -> str:
        """An audit snapshot's JSON after its attributes."""
        found = self.after_tail[source] = (f',"note":"","uncertain":false,"published":true,'
                                           f'"sources":[{self.quoted(source)}]}}')
        return found

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
