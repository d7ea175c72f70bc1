"""Readers for SIPRI's native files, with format detection.

Every reader returns a `Parsed`: three column-oriented tables plus the file's metadata.

- flows:  supplier, recipient, year, tiv, category   (yearly TIV; category only from Trade Registers)
- totals: role, country, partner, year, tiv           (SIPRI's own Total rows/columns; partner '' = all
          partners, country '' = world, year None = the table's Total column over all its years)
- deals:  one row per Trade Register deal (empty for other formats)

Names are canonicalised through `countries.yaml` here, so nothing downstream sees SIPRI's variants.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tiewatch.core.errors import Problem, ValidationFailed

from .countries import countries

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
GENERATED = re.compile(r"^\W*(?:Data )?generated:\s*(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", re.IGNORECASE | re.MULTILINE)
ISO_GENERATED = re.compile(r"^#?\s*(?:Data )?generated:\s*(\d{4})-(\d{2})-(\d{2})", re.IGNORECASE | re.MULTILINE)
TITLE = re.compile(r"^TIV of arms (exports|imports) (from|to) (.+?), (\d{4})-(\d{4})$")
TR_COLUMNS = 16
MAX_PROBLEMS = 20

FLOW_COLS = ("supplier", "recipient", "year", "tiv", "category")
TOTAL_COLS = ("role", "country", "partner", "year", "tiv")
DEAL_COLS = ("line", "recipient", "supplier", "order_year", "order_year_uncertain", "number_ordered",
             "number_ordered_uncertain", "designation", "description", "number_delivered",
             "number_delivered_uncertain", "delivery_years", "status", "comments", "tiv_unit",
             "tiv_order", "tiv_delivered")


@dataclass
class Parsed:
    """One file's content in tidy form, plus where it came from."""

    path: str
    fmt: str  # trade_register | tiv_country | tiv_all | tiv_long | tidy
    family: str  # register | tables | tidy: which source a dataset comes from
    generated: date | None
    title: str = ""
    perspective: str = ""  # exporter | importer: whose table it is (for de-duplication)
    flows: dict[str, list] = field(default_factory=lambda: {c: [] for c in FLOW_COLS})
    totals: dict[str, list] = field(default_factory=lambda: {c: [] for c in TOTAL_COLS})
    deals: dict[str, list] = field(default_factory=lambda: {c: [] for c in DEAL_COLS})
    split_records: int = 0
    unlisted_names: set[str] = field(default_factory=set)

    def add_flow(self, supplier: str, recipient: str, year: int, tiv: float, category: str | None = None) -> None:
        for col, value in zip(FLOW_COLS, (supplier, recipient, year, tiv, category)):
            self.flows[col].append(value)

    def add_total(self, role: str, country: str, partner: str, year: int | None, tiv: float) -> None:
        for col, value in zip(TOTAL_COLS, (role, country, partner, year, tiv)):
            self.totals[col].append(value)


def release_of(generated: date) -> str:
    """SIPRI updates every March: a file generated in month M of year Y holds March Y if M >= 3."""
    year = generated.year if generated.month >= 3 else generated.year - 1
    return f"{year}-03"


def parse_generated(text: str) -> date | None:
    """The date on the 'Generated:' / 'Data generated:' line (or '# generated: YYYY-MM-DD')."""
    iso = ISO_GENERATED.search(text)
    if iso:
        return date(int(iso[1]), int(iso[2]), int(iso[3]))
    match = GENERATED.search(text)
    if not match or match[2][:3].lower() not in MONTHS:
        return None
    return date(int(match[3]), MONTHS[match[2][:3].lower()], int(match[1]))


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
    fmt = detect("\n".join(text.splitlines()[:15]), path)
    reader: Callable[[str, str], Parsed] = READERS[fmt]
    return reader(text, path)


class Problems:
    """Collects bad cells; raises once, naming file, line and field of each (up to MAX_PROBLEMS)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Problem] = []

    def add(self, message: str, line: int, field_name: str) -> None:
        self.items.append(Problem(message, field=field_name, file=self.path, line=line))

    def number(self, value: str, line: int, field_name: str, integer: bool = False) -> float | int | None:
        value = value.strip()
        if value == "":
            return None
        try:
            return int(value) if integer else float(value)
        except ValueError:
            self.add(f"not a number: {value!r}", line, field_name)
            return None

    def raise_any(self) -> None:
        if self.items:
            raise ValidationFailed(f"{self.path}: {len(self.items)} problem(s)", self.items[:MAX_PROBLEMS])


def _canon(parsed: Parsed, name: str) -> str:
    table = countries()
    canonical = table.canonical(name)
    if canonical not in table.by_name:
        parsed.unlisted_names.add(canonical)
    return canonical


# --- Trade Register -------------------------------------------------------------------------------


def _tr_records(lines: list[str], start: int, problems: Problems) -> tuple[list[tuple[int, list[str]]], int]:
    """CSV records after the header; re-joins records split by an unquoted line break in Comments."""
    records: list[tuple[int, list[str]]] = []
    joined = 0
    rows = list(csv.reader(lines[start:]))
    i = 0
    while i < len(rows):
        row, line = rows[i], start + i + 1
        if not any(cell.strip() for cell in row):
            i += 1
            continue
        # A break inside Comments leaves a short first part; glue it to the following line(s).
        while len(row) < TR_COLUMNS and i + 1 < len(rows) and len(row) + len(rows[i + 1]) - 1 <= TR_COLUMNS:
            nxt = rows[i + 1]
            row = [*row[:-1], f"{row[-1]} {nxt[0]}".strip(), *nxt[1:]]
            i += 1
            joined += 1
        if len(row) != TR_COLUMNS:
            problems.add(f"expected {TR_COLUMNS} fields, found {len(row)}", line, "record")
        else:
            records.append((line, row))
        i += 1
    return records, joined


def read_trade_register(text: str, path: str) -> Parsed:
    lines = text.splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("Recipient,Supplier,Year of order"))
    parsed = Parsed(path, "trade_register", "register", parse_generated("\n".join(lines[:header_at])),
                    title=lines[0].strip())
    problems = Problems(path)
    records, parsed.split_records = _tr_records(lines, header_at + 1, problems)
    for line, row in records:
        _tr_deal(parsed, problems, line, row)
    problems.raise_any()
    return parsed


def _tr_deal(parsed: Parsed, problems: Problems, line: int, row: list[str]) -> None:
    num = problems.number
    recipient, supplier = _canon(parsed, row[0]), _canon(parsed, row[1])
    years_text = row[10].strip()
    years: list[int] = []
    for part in filter(None, (p.strip() for p in years_text.split(";"))):
        year = num(part, line, "Year(s) of delivery", integer=True)
        if year is not None:
            years.append(int(year))
    delivered = num(row[15], line, "SIPRI TIV of delivered weapons")
    values = (line, recipient, supplier, num(row[2], line, "Year of order", integer=True), row[3].strip() == "?",
              num(row[4], line, "Number ordered", integer=True), row[5].strip() == "?", row[6].strip(),
              row[7].strip(), num(row[8], line, "Number delivered", integer=True), row[9].strip() == "?",
              years_text, row[11].strip(), row[12].strip(), num(row[13], line, "SIPRI TIV per unit"),
              num(row[14], line, "SIPRI TIV for total order"), delivered)
    for col, value in zip(DEAL_COLS, values):
        parsed.deals[col].append(value)
    # The register gives no per-year values: spread the delivered TIV evenly over the listed years.
    if delivered and years:
        share = float(delivered) / len(years)
        for year in years:
            parsed.add_flow(supplier, recipient, year, share, row[7].strip())


# --- TIV tables (one country's exports or imports, or all countries' totals) ----------------------


def _table_rows(text: str, path: str) -> tuple[list[str], list[int], list[tuple[int, list[str]]], Problems]:
    """Header years and data rows (line number, cells) of a wide TIV table."""
    rows = list(csv.reader(text.splitlines()))
    problems = Problems(path)
    header_at = next((i for i, r in enumerate(rows) if len(r) > 2 and not r[0].strip() and r[1].strip().isdigit()),
                     None)
    if header_at is None:
        raise ValidationFailed(f"{path}: no header", [Problem("no header row with years", field="header", file=path,
                                                              line=1)])
    header = [c.strip() for c in rows[header_at]]
    years = [int(c) if c.isdigit() else 0 for c in header[1:]]
    data = [(i + 1, r) for i, r in enumerate(rows) if i > header_at and r and r[0].strip()]
    return header, years, data, problems


def read_tiv_table(text: str, path: str) -> Parsed:
    first = next(csv.reader([text.splitlines()[0]]))[0].strip()
    match = TITLE.match(first)
    if not match:
        raise ValidationFailed(f"{path}: bad title", [Problem(f"cannot read title {first!r}", file=path, line=1)])
    _flow, direction, subject = match[1], match[2], match[3]
    header, years, data, problems = _table_rows(text, path)
    is_all = subject.lower() == "all"
    # "exports from X" / "imports to X": rows are X's partners. The 2018 import totals file is titled
    # "TIV of arms exports to all", so the direction word decides, not exports/imports.
    role = "exporter" if direction == "from" else "importer"
    parsed = Parsed(path, "tiv_all" if is_all else "tiv_country", "tables", parse_generated(text[:3000]),
                    title=first, perspective=role)
    owner = "" if is_all else _canon(parsed, subject)
    total_col = header.index("Total") - 1 if "Total" in header else None
    for line, row in data:
        name = row[0].strip()
        is_total = name == "Total"
        partner = "" if is_total else _canon(parsed, name)
        for j, cell in enumerate(row[1:len(years) + 1]):
            value = problems.number(cell, line, header[j + 1] or f"column {j + 2}")
            if value is None:
                continue
            year = None if j == total_col else years[j]
            if is_all:  # rows are countries, the Total row is the world
                parsed.add_total(role, partner, "", year, value)
            elif is_total or year is None:
                parsed.add_total(role, owner, partner, year, value)
            elif role == "exporter":
                parsed.add_flow(owner, partner, year, value)
            else:
                parsed.add_flow(partner, owner, year, value)
    problems.raise_any()
    return parsed


# --- long CSVs: SIPRI tables stacked long (Export_From, Import_To, Year, TIV) or our tidy format ---


def read_tiv_long(text: str, path: str) -> Parsed:
    lines = text.splitlines()
    reader = csv.DictReader(lines)
    assert reader.fieldnames is not None
    names = {f.strip().lower(): f for f in reader.fieldnames}
    role = "exporter" if names.get("export_from") == reader.fieldnames[0] else "importer"
    parsed = Parsed(path, "tiv_long", "tables", parse_generated(text[:2000]), perspective=role)
    problems = Problems(path)
    own_col, partner_col = ("export_from", "import_to") if role == "exporter" else ("import_to", "export_from")
    for line, rec in enumerate(reader, start=2):
        own, partner = rec[names[own_col]].strip(), rec[names[partner_col]].strip()
        year_text = rec[names["year"]].strip()
        number = None if year_text == "Total" else problems.number(year_text, line, "Year", integer=True)
        year = None if number is None else int(number)
        value = problems.number(rec[names["tiv"]], line, "TIV")
        if value is None or (year is None and year_text != "Total"):
            continue
        if own == "All":  # the "all countries" table: the partner column holds the country itself
            parsed.add_total(role, "" if partner == "Total" else _canon(parsed, partner), "", year, value)
        elif partner == "Total" or year is None:
            parsed.add_total(role, _canon(parsed, own), "" if partner == "Total" else _canon(parsed, partner),
                             year, value)
        elif role == "exporter":
            parsed.add_flow(_canon(parsed, own), _canon(parsed, partner), int(year), value)
        else:
            parsed.add_flow(_canon(parsed, partner), _canon(parsed, own), int(year), value)
    problems.raise_any()
    return parsed


def read_tidy(text: str, path: str) -> Parsed:
    body = [line for line in text.splitlines() if not line.startswith("#")]
    offset = text.splitlines().index(body[0])  # line numbers count the comment lines too
    parsed = Parsed(path, "tidy", "tidy", parse_generated(text[:2000]))
    problems = Problems(path)
    reader = csv.DictReader(body)
    assert reader.fieldnames is not None
    names = {f.strip().lower(): f for f in reader.fieldnames}
    for line, rec in enumerate(reader, start=offset + 2):
        supplier, recipient = rec[names["supplier"]].strip(), rec[names["recipient"]].strip()
        if not supplier:
            problems.add("empty supplier", line, "supplier")
        if not recipient:
            problems.add("empty recipient", line, "recipient")
        year = problems.number(rec[names["year"]], line, "year", integer=True)
        value = problems.number(rec[names["tiv"]], line, "tiv")
        if year is None:
            problems.add("missing year", line, "year")
        if supplier and recipient and year is not None and value is not None:
            parsed.add_flow(_canon(parsed, supplier), _canon(parsed, recipient), int(year), value)
    problems.raise_any()
    return parsed


READERS: dict[str, Callable[[str, str], Parsed]] = {
    "trade_register": read_trade_register,
    "tiv_country": read_tiv_table,
    "tiv_all": read_tiv_table,
    "tiv_long": read_tiv_long,
    "tidy": read_tidy,
}
