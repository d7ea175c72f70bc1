"""SIPRI's wide TIV tables: one country's exports or imports by partner, or all countries' totals."""

from __future__ import annotations

import csv
import re

from tiewatch.core.errors import Problem, ValidationFailed

from .parsed import Parsed, Problems, canon, parse_generated

TITLE = re.compile(r"^TIV of arms (exports|imports) (from|to) (.+?), (\d{4})-(\d{4})$")


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
    owner = "" if is_all else canon(parsed, subject)
    total_col = header.index("Total") - 1 if "Total" in header else None
    width, exporter = len(years), role == "exporter"
    cell_years: list[int | None] = [None if j == total_col else y for j, y in enumerate(years)]
    flows, totals = parsed.lists["flows"], parsed.lists["totals"]
    f_sup, f_rec, f_year, f_tiv = flows["supplier"], flows["recipient"], flows["year"], flows["tiv"]
    t_country, t_partner, t_year, t_tiv = totals["country"], totals["partner"], totals["year"], totals["tiv"]
    for line, row in data:
        name = row[0].strip()
        is_total = name == "Total"
        partner = "" if is_total else canon(parsed, name)
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

