"""SIPRI's wide TIV tables: one country's exports or imports by partner, or all countries' totals.

A table is checked against itself before any figure is taken from it, so that a file cut short (a
download interrupted, a copy truncated) is refused instead of giving smaller sums: the header's years
must be the span of the title, every row must have the header's width, the last row must be SIPRI's
`Total` row, and each row's Total column and each year's Total row must match the sum of the cells
within rounding (SIPRI rounds every cell and total from unrounded values: n cells differ by at most
n/2 from their total, plus 1/2 for the rounded total itself).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tiewatch.core.errors import Problem, ValidationFailed

from .parsed import Parsed, Problems, canon, csv_rows, parse_generated, shown

TITLE = re.compile(r"^TIV of arms (exports|imports) (from|to) (.+?), (\d{4})-(\d{4})$")


@dataclass
class Row:
    line: int
    name: str
    cells: list[tuple[int, float]]  # (column index after the name column, value): non-empty cells only


def _table_rows(lines: list[str], path: str) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header (its 0-based index and cells) and the data rows (line number, cells) of a wide TIV table."""
    rows = list(csv_rows(lines, path))
    header_at = next((i for i, r in enumerate(rows) if len(r) > 2 and not r[0].strip() and r[1].strip().isdigit()),
                     None)
    if header_at is None:
        raise ValidationFailed(f"{path}: no header", [Problem("no header row with years", field="header", file=path,
                                                              line=1)])
    header = [c.strip() for c in rows[header_at]]
    data = [(i + 1, r) for i, r in enumerate(rows) if i > header_at and any(c.strip() for c in r)]
    return header_at, header, data


def _check_header(header: list[str], first: int, last: int, line: int, problems: Problems) -> None:
    """The header lists every year of the title's span, in order, then (in SIPRI's files) Total."""
    names = header[1:-1] if header[-1] == "Total" else header[1:]
    expected = [str(y) for y in range(first, last + 1)]
    if names != expected:
        got = f"{names[0]}..{names[-1]} ({len(names)} columns)" if names else "no year columns"
        problems.add(f"year columns do not match the title's {first}-{last}: found {got}", line, "header")


def _cells(data: list[tuple[int, list[str]]], header: list[str], problems: Problems) -> list[Row]:
    """Each data row's non-empty cells as numbers; a row narrower than the header (cut short) is a problem."""
    width = len(header) - 1
    out: list[Row] = []
    for line, row in data:
        name = row[0].strip()
        if len(row) - 1 < width or any(c.strip() for c in row[width + 1:]):
            problems.add(f"expected {width + 1} fields (as in the header), found {len(row)}: file cut short?",
                         line, name or "record")
            continue
        if not name:
            problems.add("cells without a partner name", line, "record")
            continue
        cells = row[1:]
        values: list[tuple[int, float]] = []
        # Most cells are empty (no deliveries): skip them without a call; every other cell is validated.
        for j in [j for j, cell in enumerate(cells) if cell]:
            text = cells[j].strip()
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                problems.add(f"not a number: {shown(text)}", line, header[j + 1] or f"column {j + 2}")
                continue
            values.append((j, value))
        out.append(Row(line, name, values))
    return out


def _off(total: float, parts: float, count: int) -> bool:
    return abs(total - parts) > 0.5 * (count + 1) + 1e-9


def _check_totals(rows: list[Row], header: list[str], end_line: int, problems: Problems) -> None:
    """SIPRI's Total column (per row) and Total row (per column) against the sums of the cells."""
    if not rows or rows[-1].name != "Total":
        problems.add("no Total row at the end (SIPRI's tables end with one): file cut short?", end_line, "Total")
        return
    total_col = len(header) - 2 if header[-1] == "Total" else None
    col_sum = [0.0] * (len(header) - 1)
    col_n = [0] * (len(header) - 1)
    for row in rows[:-1]:
        stated = None
        row_sum, row_n = 0.0, 0
        for j, value in row.cells:
            col_sum[j] += value
            col_n[j] += 1
            if j == total_col:
                stated = value
            else:
                row_sum, row_n = row_sum + value, row_n + 1
        if total_col is not None and row_n and (stated is None or _off(stated, row_sum, row_n)):
            problems.add(f"the row's cells add up to {row_sum:g}, its Total is {stated if stated is not None else 'empty'}"
                         ": file damaged?", row.line, "Total")
    stated_row = dict(rows[-1].cells)
    for j, count in enumerate(col_n):
        if count and _off(stated_row.get(j, 0.0), col_sum[j], count):
            problems.add(f"the column adds up to {col_sum[j]:g} over {count} rows, SIPRI's Total row says "
                         f"{stated_row.get(j, 0.0):g}: rows missing?", rows[-1].line, header[j + 1])


def read_tiv_table(text: str, path: str) -> Parsed:
    lines = text.splitlines()
    first = next(csv_rows(lines[:1], path), [""])[0].strip() if lines else ""
    match = TITLE.match(first)
    if not match:
        raise ValidationFailed(f"{path}: bad title", [Problem(f"cannot read title {first!r}", file=path, line=1)])
    direction, subject = match[2], match[3]
    problems = Problems(path)
    header_at, header, data = _table_rows(lines, path)
    _check_header(header, int(match[4]), int(match[5]), header_at + 1, problems)
    problems.raise_any()  # with the wrong columns, every other check would only repeat it
    rows = _cells(data, header, problems)
    _check_totals(rows, header, len(lines), problems)
    problems.raise_any()
    # "exports from X" / "imports to X": rows are X's partners. The 2018 import totals file is titled
    # "TIV of arms exports to all", so the direction word decides, not exports/imports.
    role = "exporter" if direction == "from" else "importer"
    is_all = subject.lower() == "all"
    parsed = Parsed(path, "tiv_all" if is_all else "tiv_country", "tables", parse_generated(text[:3000]),
                    title=first, perspective=role)
    _emit(parsed, rows, header, "" if is_all else canon(parsed, subject), is_all, role)
    return parsed


def _emit(parsed: Parsed, rows: list[Row], header: list[str], owner: str, is_all: bool, role: str) -> None:
    """Pair cells become flows; the Total row and column (and every cell of an all-country table) totals."""
    cell_years: list[int | None] = [int(c) if c.isdigit() else None for c in header[1:]]
    exporter = role == "exporter"
    flows, totals = parsed.lists["flows"], parsed.lists["totals"]
    f_sup, f_rec, f_year, f_tiv = flows["supplier"], flows["recipient"], flows["year"], flows["tiv"]
    t_country, t_partner, t_year, t_tiv = totals["country"], totals["partner"], totals["year"], totals["tiv"]
    for row in rows:
        is_total = row.name == "Total"
        partner = "" if is_total else canon(parsed, row.name)
        for j, value in row.cells:
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
