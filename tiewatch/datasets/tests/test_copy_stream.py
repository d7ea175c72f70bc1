"""The PostgreSQL write path of a first dataset load (COPY text sent by a writer thread) must store
exactly what the other path (`insert_rows`, executemany on SQLite) stores: the text is checked here
against the other path's values, and the import tests below run the path of the database they are
given (DATABASE_URL), with the same expected rows on both."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.db import transaction

from tiewatch.datasets.copystream import Memo, copy_json, copy_stream, copy_text
from tiewatch.datasets.importer import import_dataset
from tiewatch.datasets.tests.helpers import copy_states, read_rows, write_rows
from tiewatch.datasets.writer import TieItem, _after, after_json, copy_batch, tie_row
from tiewatch.registry.models import ChangeRecord, Tie, TieCounterpart

TRICKY = {"item": 'LENS \\ "WIDE"\tANGLE\nCAMÉRA ✓', "quantity": 3, "acquisition_value": 12.5, "note": "a\rb",
          "categories": ["drone", "night_vision"], "nested": {"path": "C:\\temp"}}
ITEMS = [
    TieItem("leso-0a1b", "us-nh-keene-pd", ("us-dla",), "us-dod-1033-program", "equipment_transfer",
            dt.date(2012, 11, 6), "confirmed", orjson.dumps(TRICKY).decode(), "dla-leso-a"),
    TieItem("leso-0a1c", "us-nh-odd\\id\ttab", ("us-dla", "us-other"), None, "equipment_transfer", None,
            "cancelled", "{}", "dla-leso-b"),
    TieItem("leso-0a1d", "us-nh-keene-pd", ("us-dla",), "us-dod-1033-program", "arms_transfer",
            dt.date(987, 1, 1), "reported", '{"tiv":1.5}', "dla-leso-a", "year"),
]


def _unescape(field: str) -> str | None:
    if field == "\\N":
        return None
    out, chars = [], iter(field)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[following])
        else:
            out.append(char)
    return "".join(out)


def _decode(text: str) -> list[tuple[str | None, ...]]:
    """COPY text format back to its fields (as PostgreSQL reads it)."""
    assert text.endswith("\n")
    return [tuple(_unescape(field) for field in line.split("\t")) for line in text[:-1].split("\n")]


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def test_copy_text_holds_the_values_the_insert_path_writes() -> None:
    countries = {"leso-0a1b": "US", "leso-0a1c": "", "leso-0a1d": "IL,US"}
    memo = Memo()
    at = "2026-11-30T06:00:00+00:00"
    ties, links, cites, audits = copy_batch(ITEMS, countries, "leso", "tests\tactor", at, memo)
    assert _decode(ties) == [tuple(_as_text(v) for v in tie_row(t, countries[t.id], "leso")) for t in ITEMS]
    assert _decode(links) == [(t.id, e, str(i)) for t in ITEMS for i, e in enumerate(t.counterparts)]
    assert _decode(cites) == [(t.id, t.source) for t in ITEMS]
    decoded = _decode(audits)
    assert [row[:7] for row in decoded] == [("tie", t.id, "import", None, "tests\tactor", at, None) for t in ITEMS]
    assert [json.loads(row[7] or "") for row in decoded] == [_after(t) for t in ITEMS]
    assert json.loads(decoded[0][7] or "")["attributes"] == TRICKY


def test_audit_text_is_the_audit_form_of_the_tie() -> None:
    memo = Memo()
    for item in ITEMS:
        assert json.loads(after_json(item, memo)) == _after(item)
    assert json.loads(after_json(ITEMS[2], memo))["start"] == "0987"  # a year, as PartialDate writes it


def test_copy_escapes() -> None:
    assert copy_text("plain-id") == "plain-id"
    assert copy_text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert copy_json('{"a":"x\\\\y\\"z"}') == '{"a":"x\\\\\\\\y\\\\"z"}'
    assert _unescape(copy_text("a\\b\tc\nd\re")) == "a\\b\tc\nd\re"


def test_an_error_in_the_writer_thread_stops_the_import_and_writes_nothing(db: Any) -> None:
    # PostgreSQL refuses the unknown column; SQLite has no COPY at all: either way the writer thread's
    # error is raised in the importing thread, and the transaction rolls back.
    with pytest.raises(Exception, match=r"no_such_column|sqlite3"), transaction.atomic(), copy_stream() as stream:
        stream.send(Tie._meta.db_table, ["no_such_column"], "x\n")
        stream.send(Tie._meta.db_table, ["no_such_column"], "y\n")  # after the error: taken, not written
    assert not Tie.objects.exists()
    assert Tie.objects.count() == 0  # the connection is usable again after the rollback


def test_first_load_rows_and_audit_are_exact(tmp_path: Path, db: Any) -> None:
    """The same stored values whichever path wrote them (COPY from a thread on PostgreSQL)."""
    folder = copy_states(tmp_path / "leso", ("NH",))
    header, rows = read_rows(folder / "NH_leso.tsv")
    rows[0]["ItemDescription"] = "LENS \\ \"WIDE\"\tANGLE ✓"
    rows[0]["RecordDate"] = "2012-11-06 00:00:00.000"
    write_rows(folder / "NH_leso.tsv", header, rows)
    report = import_dataset("leso", folder, actor="tests")
    tie = Tie.objects.get(dataset="leso", attributes__item='LENS \\ "WIDE" ANGLE ✓')
    assert (tie.start_date, tie.start_precision, tie.year_from, tie.year_to, tie.end_date, tie.years) == \
        (dt.date(2012, 11, 6), "day", 2012, 2012, None, [])
    assert (tie.note, tie.uncertain, tie.published, tie.counterpart_countries, tie.program_id) == \
        ("", False, True, "US", "us-dod-1033-program")
    assert list(TieCounterpart.objects.filter(tie=tie).values_list("entity_id", "position")) == [("us-dla", 0)]
    assert [s.id for s in tie.sources.all()] == ["dla-leso-allstatesandterritories-03312021"]
    # The source reads as words on its pages: the release's "as of" day is not an ISO date.
    assert tie.sources.get().title.endswith("(property held by participating agencies, as of 31 March 2021)")
    audited = ChangeRecord.objects.get(model="tie", object_id=tie.id)
    assert (audited.action, audited.actor, audited.before, audited.user_id) == ("import", "tests", None, None)
    assert audited.after == {
        "subject": tie.subject_id, "counterparts": ["us-dla"], "program": "us-dod-1033-program",
        "kind": "equipment_transfer", "start": "2012-11-06", "end": None, "years": [], "status": "confirmed",
        "attributes": tie.attributes, "note": "", "uncertain": False, "published": True,
        "sources": ["dla-leso-allstatesandterritories-03312021"]}
    assert ChangeRecord.objects.filter(model="tie").count() == report.ties.created == Tie.objects.count()
