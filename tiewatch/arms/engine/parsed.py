"""The parsed form every reader returns, and the helpers the readers share.

- flows:  supplier, recipient, year, tiv, category   (yearly TIV; category only from Trade Registers)
- totals: role, country, partner, year, tiv           (SIPRI's own Total rows/columns; partner '' = all
          partners, country '' = world, year None = the table's Total column over all its years)
- deals:  one row per Trade Register deal (empty for other formats)
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from tiewatch.core.errors import Problem, ValidationFailed

from .countries import countries

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
GENERATED = re.compile(r"^\W*(?:Data )?generated:\s*(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", re.IGNORECASE | re.MULTILINE)
ISO_GENERATED = re.compile(r"^#?\s*(?:Data )?generated:\s*(\d{4})-(\d{2})-(\d{2})", re.IGNORECASE | re.MULTILINE)
MAX_PROBLEMS = 20
DECIMAL = r"^\s*-?(\d+\.?\d*|\.\d+)\s*$"

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


def shown(value: str, limit: int = 40) -> str:
    """A bad cell as quoted in a message: cut, so a damaged file cannot flood the terminal."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


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
            number: float = int(value) if integer else float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):  # float() also reads 'nan' and 'inf'
            self.add(f"not a number: {shown(value)}", line, field_name)
            return None
        return number

    def raise_any(self) -> None:
        if self.items:
            raise ValidationFailed(f"{self.path}: {len(self.items)} problem(s)", self.items[:MAX_PROBLEMS])


def canon(parsed: Parsed, name: str) -> str:
    table = countries()
    canonical = table.canonical(name)
    if canonical not in table.by_name:
        parsed.unlisted_names.add(canonical)
    return canonical


def numbers(col: pa.Array, lines: pa.Array, label: str, problems: Problems, integer: bool) -> pa.Array:
    """Cast a string column to numbers; '' is null; anything else is a problem naming its line."""
    text = pc.utf8_trim_whitespace(col)
    empty = pc.equal(text, "")
    # An integer is ASCII digits only once trimmed (ascii_is_decimal: several times faster than a regex).
    ok = pc.or_(empty, pc.ascii_is_decimal(text) if integer else pc.match_substring_regex(text, DECIMAL))
    for i in pc.indices_nonzero(pc.invert(ok)).to_pylist()[:MAX_PROBLEMS]:
        problems.add(f"not a number: {shown(text[i].as_py())}", lines[i].as_py(), label)
    clean = pc.if_else(pc.or_(empty, pc.invert(ok)), pa.scalar(None, pa.string()), text)
    return pc.cast(clean, pa.int64() if integer else pa.float64())


def canon_column(parsed: Parsed, col: pa.Array) -> pa.Array:
    """Canonical names, computed once per distinct name (a few hundred per file)."""
    distinct = pc.unique(col)
    mapped = pa.array([canon(parsed, n) for n in distinct.to_pylist()], pa.string())
    return mapped.take(pc.index_in(col, value_set=distinct))



def csv_rows(lines: Iterable[str], path: str, line_of: Callable[[int], int] = int) -> Iterator[list[str]]:
    """csv.reader over lines; its errors (a NUL byte, a field over the size limit) name the file and line
    (`line_of` maps the reader's count of lines read to the file's line number)."""
    reader = csv.reader(lines)
    try:
        yield from reader
    except csv.Error as error:
        line = line_of(reader.line_num)
        raise ValidationFailed(f"{path}:{line}: {error}", [Problem(f"not readable as CSV: {error}", field="record",
                                                                    file=path, line=line)]) from error
