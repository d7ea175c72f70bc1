"""Readers for SIPRI's native files, with format detection.

Every reader returns a `Parsed` (see parsed.py): flows, SIPRI's own totals and Trade Register deals,
plus the file's metadata. One module per format: register.py (Trade Register exports), tables.py
(wide TIV tables), long_tables.py (SIPRI tables stacked long, and our tidy CSV).

Names are canonicalised through `countries.yaml` while reading, so nothing downstream sees SIPRI's variants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from tiewatch.core.errors import Problem, ValidationFailed

from .long_tables import read_tidy, read_tiv_long
from .parsed import (
    DEAL_SCHEMA,
    FLOW_SCHEMA,
    SCHEMAS,
    TOTAL_SCHEMA,
    Parsed,
    Problems,
    parse_generated,
    release_of,
)
from .register import read_trade_register
from .tables import read_tiv_table

__all__ = ["DEAL_SCHEMA", "FLOW_SCHEMA", "READERS", "SCHEMAS", "TOTAL_SCHEMA", "Parsed", "Problems", "detect",
           "parse_generated", "read_file", "read_tidy", "read_tiv_long", "read_tiv_table", "read_trade_register",
           "release_of"]


def detect(head: str, path: str) -> str:
    """Which reader handles a file, from its first lines."""
    lines = head.splitlines()
    first = lines[0].strip().strip('"') if lines else ""
    if any(line.startswith("Recipient,Supplier,Year of order") for line in lines):
        return "trade_register"
    if first.startswith("TIV of arms"):
        return "tiv_all" if re.search(r" (from|to) all, \d{4}", first, re.IGNORECASE) else "tiv_country"
    header = next((line for line in lines if line.strip() and not line.startswith("#")), "")
    cols = {c.strip().strip('"').lower() for c in header.split(",")}
    if {"export_from", "import_to", "year", "tiv"} <= cols:
        return "tiv_long"
    if {"supplier", "recipient", "year", "tiv"} <= cols:
        return "tidy"
    raise ValidationFailed(f"{path}: not a SIPRI Trade Register, TIV table or tidy CSV", [Problem(
        "unrecognised format: expected a SIPRI Trade Register export, a TIV table or a CSV with "
        "supplier,recipient,year,tiv columns", file=path, line=1)])


def read_file(path: str | Path, data: bytes | None = None) -> Parsed:
    """Detect the format of one file and parse it."""
    path = str(path)
    raw = data if data is not None else Path(path).read_bytes()
    # SIPRI exports are ISO-8859-1; our own tidy files may be UTF-8 (try it first, it is stricter).
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if not text.strip():
        raise ValidationFailed(f"{path}: empty file", [Problem("empty file", file=path, line=1)])
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ValidationFailed(f"{path}: UTF-16", [Problem(
            "UTF-16 text: save it as UTF-8 or ISO-8859-1 (latin-1), as SIPRI exports it", file=path, line=1)])
    nul = text.find("\0")
    if nul >= 0:  # no CSV of ours or SIPRI's holds a NUL byte: a binary file (or a damaged copy)
        line = text.count("\n", 0, nul) + 1
        raise ValidationFailed(f"{path}:{line}: binary data", [Problem(
            "binary data (a NUL byte), not a CSV text file", field="record", file=path, line=line)])
    # The first 15 '\n'-pieces hold at least the first 15 lines (splitlines also splits at '\r' etc.).
    fmt = detect("\n".join("\n".join(text.split("\n", 15)[:15]).splitlines()[:15]), path)
    reader: Callable[[str, str], Parsed] = READERS[fmt]
    try:
        return reader(text, path)
    except pa.ArrowException as error:  # pyarrow's own checks, after ours: still name the file
        row = re.search(r"[Rr]ow #?(\d+)", str(error))
        raise ValidationFailed(f"{path}: {error}", [Problem(f"not readable as CSV: {error}", field="record",
                                                            file=path, line=int(row[1]) if row else None)]) from error



READERS: dict[str, Callable[[str, str], Parsed]] = {
    "trade_register": read_trade_register,
    "tiv_country": read_tiv_table,
    "tiv_all": read_tiv_table,
    "tiv_long": read_tiv_long,
    "tidy": read_tidy,
}

