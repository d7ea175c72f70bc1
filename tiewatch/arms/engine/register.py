"""The Trade Register CSV export (one row per deal), read column-wise with pyarrow: 30,000 deals per file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .parsed import (
    DEAL_SCHEMA,
    FLOW_SCHEMA,
    MAX_PROBLEMS,
    Parsed,
    Problems,
    canon_column,
    numbers,
    parse_generated,
)

TR_COLUMNS = 16
TR_NAMES = [c for c, _ in zip(
    ("recipient", "supplier", "order_year", "order_year_q", "number_ordered", "number_ordered_q", "designation",
     "description", "number_delivered", "number_delivered_q", "delivery_years", "status", "comments", "tiv_unit",
     "tiv_order", "tiv_delivered"), range(TR_COLUMNS))]
TR_FIELDS = dict(zip(TR_NAMES, (
    "Recipient", "Supplier", "Year of order", "Year of order ?", "Number ordered", "Number ordered ?",
    "Weapon designation", "Weapon description", "Number delivered", "Number delivered ?", "Year(s) of delivery",
    "status", "Comments", "SIPRI TIV per unit", "SIPRI TIV for total order", "SIPRI TIV of delivered weapons")))
TR_HEADER = re.compile(r"^Recipient,Supplier,Year of order", re.MULTILINE)


def _rejoin(bad: list[tuple[int, str]], line_of: Callable[[int], int],
            problems: Problems) -> tuple[list[tuple[int, list[str]]], int]:
    """Rows pyarrow rejected (wrong field count): re-join a record split by an unquoted line break in
    Comments (13 fields, then 4 whose first is the rest of the comment)."""
    rows: list[tuple[int, list[str]]] = []
    joined, i = 0, 0
    while i < len(bad):
        number, text = bad[i]
        first = number
        row = next(csv.reader([text]), [])
        while len(row) < TR_COLUMNS and i + 1 < len(bad) and bad[i + 1][0] == number + 1:
            nxt = next(csv.reader([bad[i + 1][1]]), [])
            if len(row) + len(nxt) - 1 > TR_COLUMNS:
                break
            row = [*row[:-1], f"{row[-1]} {nxt[0]}".strip(), *nxt[1:]]
            i, number, joined = i + 1, number + 1, joined + 1
        if len(row) == TR_COLUMNS:
            rows.append((line_of(first), row))
        else:
            problems.add(f"expected {TR_COLUMNS} fields, found {len(row)}", line_of(first), "record")
        i += 1
    return rows, joined


def _tr_strings(body: str, header_line: int, problems: Problems) -> tuple[pa.Table, pa.Array, int]:
    """All 16 columns as strings, the file line of each row, and how many split records were re-joined."""
    bad: list[tuple[int, str]] = []

    def reject(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.text))
        return "skip"

    data = body.encode("utf-8")
    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=TR_NAMES, use_threads=False),
        parse_options=pacsv.ParseOptions(invalid_row_handler=reject),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(TR_NAMES, pa.string()),
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))
    # pyarrow numbers non-empty rows from 1; map them back to the file's physical lines.
    nonblank = _nonblank_lines(data) + (header_line + 1)

    def line_of(number: int) -> int:
        return int(nonblank[number - 1])

    keep = np.ones(len(nonblank), dtype=bool)
    if bad:
        keep[np.array([n for n, _ in bad], dtype=np.int64) - 1] = False
    lines = nonblank[keep]
    extra, joined = _rejoin(sorted(bad), line_of, problems)
    if extra:
        table = pa.concat_tables([table, pa.table({c: [r[j] for _, r in extra] for j, c in enumerate(TR_NAMES)},
                                                  schema=table.schema)])
        lines = np.concatenate([lines, np.array([line for line, _ in extra], dtype=lines.dtype)])
    return table, pa.array(lines[:table.num_rows].astype(np.int32)), joined


def _nonblank_lines(data: bytes) -> np.ndarray:
    """0-based indexes of the lines (split at '\n') that are not empty or only '\r': the rows pyarrow numbers."""
    buf = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(buf)]))
    blank = starts == ends
    if len(buf):
        first_byte = buf[np.minimum(starts, len(buf) - 1)]
        for i in np.flatnonzero(~blank & (first_byte == 13)):  # rare: a line starting with '\r'
            blank[i] = not data[starts[i]:ends[i]].strip(b"\r")
    return np.flatnonzero(~blank)


def read_trade_register(text: str, path: str) -> Parsed:
    header = TR_HEADER.search(text)
    assert header is not None  # detect() found it
    start = header.start()
    header_at = text.count("\n", 0, start)  # the header's 0-based line number
    parsed = Parsed(path, "trade_register", "register", parse_generated(text[:max(start - 1, 0)]),
                    title=text.split("\n", 1)[0].strip())
    problems = Problems(path)
    end = text.find("\n", start)
    body = text[end + 1:] if end >= 0 else ""
    if not body.strip():
        problems.add("no deals after the header: an empty export, or the file was cut short", header_at + 2, "record")
        problems.raise_any()
    raw, line_no, parsed.split_records = _tr_strings(body, header_at + 1, problems)
    cols = {c: raw[c].combine_chunks() for c in TR_NAMES}
    num = {c: numbers(cols[c], line_no, TR_FIELDS[c], problems, integer=c in ("order_year", "number_ordered",
                                                                   "number_delivered"))
           for c in ("order_year", "number_ordered", "number_delivered", "tiv_unit", "tiv_order", "tiv_delivered")}
    years_text = pc.utf8_trim_whitespace(cols["delivery_years"])
    split = pc.split_pattern(years_text, ";")
    parts = pc.utf8_trim_whitespace(pc.list_flatten(split))
    owner = pc.list_parent_indices(split)
    keep = pc.not_equal(parts, "")
    parts, owner = parts.filter(keep), owner.filter(keep)
    year_ok = pc.match_substring_regex(parts, r"^\d{4}$")
    for i in pc.indices_nonzero(pc.invert(year_ok)).to_pylist()[:MAX_PROBLEMS]:
        problems.add(f"not a year: {parts[i].as_py()!r}", line_no[owner[i].as_py()].as_py(), TR_FIELDS["delivery_years"])
    problems.raise_any()
    recipient, supplier = canon_column(parsed, cols["recipient"]), canon_column(parsed, cols["supplier"])
    parsed.tables["deals"] = pa.table([
        line_no, recipient, supplier, pc.cast(num["order_year"], pa.int32()),
        pc.equal(pc.utf8_trim_whitespace(cols["order_year_q"]), "?"), num["number_ordered"],
        pc.equal(pc.utf8_trim_whitespace(cols["number_ordered_q"]), "?"), pc.utf8_trim_whitespace(cols["designation"]),
        pc.utf8_trim_whitespace(cols["description"]), num["number_delivered"],
        pc.equal(pc.utf8_trim_whitespace(cols["number_delivered_q"]), "?"), years_text,
        pc.utf8_trim_whitespace(cols["status"]), pc.utf8_trim_whitespace(cols["comments"]), num["tiv_unit"],
        num["tiv_order"], num["tiv_delivered"]], schema=DEAL_SCHEMA)
    parsed.tables["flows"] = _allocate(parsed.tables["deals"], pc.cast(parts, pa.int32()), owner)
    return parsed


def _allocate(deals: pa.Table, years: pa.Array, owner: pa.Array) -> pa.Table:
    """The register gives no per-year values: spread each deal's delivered TIV evenly over its listed years.
    Deals with no delivery years, or no (or zero) delivered TIV, add nothing."""
    owners = owner.to_numpy(zero_copy_only=False)
    n_years = np.bincount(owners, minlength=deals.num_rows) if len(owners) else np.zeros(deals.num_rows, int)
    delivered = deals["tiv_delivered"].combine_chunks()

    def take(col: str) -> pa.Array:  # one row per delivery year
        return deals[col].combine_chunks().take(owner)

    value = pc.divide(delivered.take(owner), pa.array(n_years[owners].astype(np.float64)))
    flows = pa.table([take("supplier"), take("recipient"), years, value, take("description")], schema=FLOW_SCHEMA)
    return flows.filter(pc.greater(pc.fill_null(flows["tiv"], 0), 0))

