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
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

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


FLOW_SCHEMA = pa.schema([("supplier", pa.string()), ("recipient", pa.string()), ("year", pa.int32()),
                         ("tiv", pa.float64()), ("category", pa.string())])
TOTAL_SCHEMA = pa.schema([("role", pa.string()), ("country", pa.string()), ("partner", pa.string()),
                          ("year", pa.int32()), ("tiv", pa.float64())])
DEAL_SCHEMA = pa.schema([
    ("line", pa.int32()), ("recipient", pa.string()), ("supplier", pa.string()), ("order_year", pa.int32()),
    ("order_year_uncertain", pa.bool_()), ("number_ordered", pa.int64()), ("number_ordered_uncertain", pa.bool_()),
    ("designation", pa.string()), ("description", pa.string()), ("number_delivered", pa.int64()),
    ("number_delivered_uncertain", pa.bool_()), ("delivery_years", pa.string()), ("status", pa.string()),
    ("comments", pa.string()), ("tiv_unit", pa.float64()), ("tiv_order", pa.float64()),
    ("tiv_delivered", pa.float64())])
SCHEMAS = {"flows": FLOW_SCHEMA, "totals": TOTAL_SCHEMA, "deals": DEAL_SCHEMA}


@dataclass
class Parsed:
    """One file's content in tidy form, plus where it came from.

    Small files are read row by row into Python lists (`add_flow`, `add_total`); big ones (Trade
    Registers, stacked long tables) are read column-wise into Arrow `tables`. Either way `table(name)`
    gives Arrow and `flows` / `totals` / `deals` give columns as Python lists."""

    path: str
    fmt: str  # trade_register | tiv_country | tiv_all | tiv_long | tidy
    family: str  # register | tables | tidy: which source a dataset comes from
    generated: date | None
    title: str = ""
    perspective: str = ""  # exporter | importer: whose table it is (for de-duplication)
    split_records: int = 0
    unlisted_names: set[str] = field(default_factory=set)
    tables: dict[str, pa.Table] = field(default_factory=dict)
    lists: dict[str, dict[str, list]] = field(default_factory=lambda: {
        name: {c: [] for c in schema.names} for name, schema in SCHEMAS.items()})

    def add_flow(self, supplier: str, recipient: str, year: int, tiv: float, category: str | None = None) -> None:
        for col, value in zip(FLOW_COLS, (supplier, recipient, year, tiv, category)):
            self.lists["flows"][col].append(value)

    def add_total(self, role: str, country: str, partner: str, year: int | None, tiv: float) -> None:
        for col, value in zip(TOTAL_COLS, (role, country, partner, year, tiv)):
            self.lists["totals"][col].append(value)

    def table(self, name: str) -> pa.Table:
        if name not in self.tables:
            lists = self.lists[name]
            self.tables[name] = (pa.table(lists, schema=SCHEMAS[name]) if any(lists.values())
                                 else SCHEMAS[name].empty_table())
        return self.tables[name]

    def _columns(self, name: str) -> dict[str, list]:
        if name in self.tables and not any(self.lists[name].values()):
            self.lists[name] = self.tables[name].to_pydict()
        return self.lists[name]

    @property
    def flows(self) -> dict[str, list]:
        return self._columns("flows")

    @property
    def totals(self) -> dict[str, list]:
        return self._columns("totals")

    @property
    def deals(self) -> dict[str, list]:
        return self._columns("deals")

    def years(self) -> tuple[int | None, int | None]:
        """First and last year with data (flows or SIPRI totals)."""
        lows, highs = [], []
        for name in ("flows", "totals"):
            listed = [y for y in self.lists[name]["year"] if y is not None]
            if listed:  # read row by row: no Arrow round trip for a few hundred values
                lows.append(min(listed))
                highs.append(max(listed))
            elif name in self.tables:
                bounds = pc.min_max(self.tables[name]["year"]).as_py()
                if bounds["min"] is not None:
                    lows.append(bounds["min"])
                    highs.append(bounds["max"])
        return (min(lows) if lows else None), (max(highs) if highs else None)


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
    # The first 15 '\n'-pieces hold at least the first 15 lines (splitlines also splits at '\r' etc.).
    fmt = detect("\n".join("\n".join(text.split("\n", 15)[:15]).splitlines()[:15]), path)
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


# --- Trade Register (read column-wise with pyarrow: 30,000 deals per file) -------------------------

TR_NAMES = [c for c, _ in zip(
    ("recipient", "supplier", "order_year", "order_year_q", "number_ordered", "number_ordered_q", "designation",
     "description", "number_delivered", "number_delivered_q", "delivery_years", "status", "comments", "tiv_unit",
     "tiv_order", "tiv_delivered"), range(TR_COLUMNS))]
TR_FIELDS = dict(zip(TR_NAMES, (
    "Recipient", "Supplier", "Year of order", "Year of order ?", "Number ordered", "Number ordered ?",
    "Weapon designation", "Weapon description", "Number delivered", "Number delivered ?", "Year(s) of delivery",
    "status", "Comments", "SIPRI TIV per unit", "SIPRI TIV for total order", "SIPRI TIV of delivered weapons")))
TR_HEADER = re.compile(r"^Recipient,Supplier,Year of order", re.MULTILINE)
DECIMAL = r"^\s*-?(\d+\.?\d*|\.\d+)\s*$"


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


def _numbers(col: pa.Array, lines: pa.Array, label: str, problems: Problems, integer: bool) -> pa.Array:
    """Cast a string column to numbers; '' is null; anything else is a problem naming its line."""
    text = pc.utf8_trim_whitespace(col)
    empty = pc.equal(text, "")
    # An integer is ASCII digits only once trimmed (ascii_is_decimal: several times faster than a regex).
    ok = pc.or_(empty, pc.ascii_is_decimal(text) if integer else pc.match_substring_regex(text, DECIMAL))
    for i in pc.indices_nonzero(pc.invert(ok)).to_pylist()[:MAX_PROBLEMS]:
        problems.add(f"not a number: {text[i].as_py()!r}", lines[i].as_py(), label)
    clean = pc.if_else(pc.or_(empty, pc.invert(ok)), pa.scalar(None, pa.string()), text)
    return pc.cast(clean, pa.int64() if integer else pa.float64())


def _canon_column(parsed: Parsed, col: pa.Array) -> pa.Array:
    """Canonical names, computed once per distinct name (a few hundred per file)."""
    distinct = pc.unique(col)
    mapped = pa.array([_canon(parsed, n) for n in distinct.to_pylist()], pa.string())
    return mapped.take(pc.index_in(col, value_set=distinct))


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
    raw, line_no, parsed.split_records = _tr_strings(body, header_at + 1, problems)
    cols = {c: raw[c].combine_chunks() for c in TR_NAMES}
    num = {c: _numbers(cols[c], line_no, TR_FIELDS[c], problems, integer=c in ("order_year", "number_ordered",
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
    recipient, supplier = _canon_column(parsed, cols["recipient"]), _canon_column(parsed, cols["supplier"])
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
    width, exporter = len(years), role == "exporter"
    cell_years: list[int | None] = [None if j == total_col else y for j, y in enumerate(years)]
    flows, totals = parsed.lists["flows"], parsed.lists["totals"]
    f_sup, f_rec, f_year, f_tiv = flows["supplier"], flows["recipient"], flows["year"], flows["tiv"]
    t_country, t_partner, t_year, t_tiv = totals["country"], totals["partner"], totals["year"], totals["tiv"]
    for line, row in data:
        name = row[0].strip()
        is_total = name == "Total"
        partner = "" if is_total else _canon(parsed, name)
        cells = row[1:width + 1]
        # Most cells are empty (no deliveries): skip them without a call; every other cell is validated.
        for j in [j for j, cell in enumerate(cells) if cell]:
            text = cells[j].strip()
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                problems.add(f"not a number: {text!r}", line, header[j + 1] or f"column {j + 2}")
                continue
            year = cell_years[j]
            if is_all or is_total or year is None:
                # all-country tables: rows are countries, the Total row is the world
                t_country.append(partner if is_all else owner)
                t_partner.append("" if is_all else partner)
                t_year.append(year)
                t_tiv.append(value)
            else:
                f_sup.append(owner if exporter else partner)
                f_rec.append(partner if exporter else owner)
                f_year.append(year)
                f_tiv.append(value)
    flows["category"].extend([None] * len(f_sup))
    totals["role"].extend([role] * len(t_country))
    problems.raise_any()
    return parsed


# --- long CSVs: SIPRI tables stacked long (Export_From, Import_To, Year, TIV) or our tidy format ---


def read_tiv_long(text: str, path: str) -> Parsed:
    """SIPRI tables stacked long (column-wise: 30,000-40,000 rows). `All` rows hold the all-countries table
    (the partner column names the country), `Total` partners and years hold SIPRI's totals."""
    header = next(csv.reader([text.split("\n", 1)[0]]))
    names = {f.strip().lower(): f for f in header}
    role = "exporter" if header[0].strip().lower() == "export_from" else "importer"
    parsed = Parsed(path, "tiv_long", "tables", parse_generated(text[:2000]), perspective=role)
    problems = Problems(path)
    bad: list[int] = []

    def reject(row: pacsv.InvalidRow) -> str:
        bad.append(row.number)
        return "skip"

    table = pacsv.read_csv(io.BytesIO(text.encode("utf-8")),
                           read_options=pacsv.ReadOptions(use_threads=False),
                           parse_options=pacsv.ParseOptions(invalid_row_handler=reject),
                           convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                                                strings_can_be_null=False))
    for number in bad[:MAX_PROBLEMS]:
        problems.add(f"expected {len(header)} fields", number, "record")
    lines = pa.array(range(2, table.num_rows + 2), pa.int32())  # line 1 is the header
    col = {k: pc.utf8_trim_whitespace(table[names[k]].combine_chunks()) for k in ("export_from", "import_to", "year")}
    own, partner = (col["export_from"], col["import_to"]) if role == "exporter" else (col["import_to"], col["export_from"])
    total_year = pc.equal(col["year"], "Total")
    year = pc.cast(_numbers(pc.if_else(total_year, "", col["year"]), lines, "Year", problems, True), pa.int32())
    tiv = _numbers(table[names["tiv"]].combine_chunks(), lines, "TIV", problems, False)
    problems.raise_any()
    is_all, partner_total = pc.equal(own, "All"), pc.equal(partner, "Total")
    own_c, partner_c = _canon_column(parsed, own), _canon_column(parsed, partner)
    parsed.unlisted_names -= {"All", "Total"}
    is_total = pc.or_(pc.or_(is_all, partner_total), total_year)
    valid = pc.is_valid(tiv)
    empty = pa.scalar("", pa.string())
    totals = pa.table({
        "role": pa.array([role] * table.num_rows, pa.string()),
        "country": pc.if_else(is_all, pc.if_else(partner_total, empty, partner_c), own_c),
        "partner": pc.if_else(pc.or_(is_all, partner_total), empty, partner_c),
        "year": year, "tiv": tiv}, schema=TOTAL_SCHEMA)
    parsed.tables["totals"] = totals.filter(pc.and_(valid, is_total))
    supplier, recipient = (own_c, partner_c) if role == "exporter" else (partner_c, own_c)
    flows = pa.table({"supplier": supplier, "recipient": recipient, "year": year, "tiv": tiv,
                      "category": pa.nulls(table.num_rows, pa.string())}, schema=FLOW_SCHEMA)
    parsed.tables["flows"] = flows.filter(pc.and_(pc.and_(valid, pc.invert(is_total)), pc.is_valid(year)))
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
