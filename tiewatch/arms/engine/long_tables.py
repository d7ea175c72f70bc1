"""Long CSVs: SIPRI tables stacked long (Export_From, Import_To, Year, TIV), or our tidy format."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .parsed import (
    FLOW_SCHEMA,
    MAX_PROBLEMS,
    TOTAL_SCHEMA,
    Parsed,
    Problems,
    canon,
    canon_column,
    csv_rows,
    numbers,
    parse_generated,
)


def read_tiv_long(text: str, path: str) -> Parsed:
    """SIPRI tables stacked long (column-wise: 30,000-40,000 rows). `All` rows hold the all-countries table
    (the partner column names the country), `Total` partners and years hold SIPRI's totals."""
    header = next(csv_rows([text.split("\n", 1)[0]], path))
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
    if table.num_rows == 0 and not bad:
        problems.add("no data rows after the header", 2, "record")
    lines = pa.array(range(2, table.num_rows + 2), pa.int32())  # line 1 is the header
    col = {k: pc.utf8_trim_whitespace(table[names[k]].combine_chunks()) for k in ("export_from", "import_to", "year")}
    own, partner = (col["export_from"], col["import_to"]) if role == "exporter" else (col["import_to"], col["export_from"])
    total_year = pc.equal(col["year"], "Total")
    year = pc.cast(numbers(pc.if_else(total_year, "", col["year"]), lines, "Year", problems, True), pa.int32())
    tiv = numbers(table[names["tiv"]].combine_chunks(), lines, "TIV", problems, False)
    problems.raise_any()
    check_long_totals(own, partner, year, tiv, problems)
    problems.raise_any()
    is_all, partner_total = pc.equal(own, "All"), pc.equal(partner, "Total")
    own_c, partner_c = canon_column(parsed, own), canon_column(parsed, partner)
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


def _against_totals(key: np.ndarray, tiv: np.ndarray, is_cell: np.ndarray, is_total: np.ndarray,
                    size: int) -> np.ndarray:
    """Group keys whose cells do not add up to SIPRI's stated total for the group, or that have none.
    Within rounding: n rounded cells may differ by n/2 from their total, plus 1/2 for the rounded total."""
    sums = np.bincount(key[is_cell], weights=tiv[is_cell], minlength=size)
    counts = np.bincount(key[is_cell], minlength=size)
    stated = np.full(size, np.nan)
    stated[key[is_total]] = tiv[is_total]
    with np.errstate(invalid="ignore"):
        off = ~(np.abs(stated - sums) <= 0.5 * (counts + 1) + 1e-9)  # NaN (no total) counts as off
    return np.flatnonzero((counts > 0) & off)


def check_long_totals(own: pa.Array, partner: pa.Array, year: pa.Array, tiv: pa.Array, problems: Problems) -> None:
    """A stacked table checked against its own totals, so a file cut short is refused: each partner's
    years against its `Total` year, each year's partners against the `Total` partner, and every country
    of the `All` table (all countries' totals) present with rows of its own. (Integer codes and numpy:
    a few milliseconds for 40,000 rows.)"""
    own_d, partner_d = pc.dictionary_encode(own), pc.dictionary_encode(partner)
    o, p = own_d.indices.to_numpy().astype(np.int64), partner_d.indices.to_numpy().astype(np.int64)
    names_o, names_p = own_d.dictionary.to_pylist(), partner_d.dictionary.to_pylist()
    value = pc.fill_null(tiv, np.nan).to_numpy()
    y = pc.fill_null(year, -1).to_numpy().astype(np.int64)
    valid, is_ty = ~np.isnan(value), y < 0  # the Total year has no number (-1)
    total_p = names_p.index("Total") if "Total" in names_p else -1
    is_tp = p == total_p
    lines = np.arange(2, len(value) + 2)  # line 1 is the header

    def last_line(mask: np.ndarray) -> int:
        return int(lines[mask][-1])

    width = len(names_p)
    for k in _against_totals(o * width + p, value, valid & ~is_ty, valid & is_ty, len(names_o) * width)[:MAX_PROBLEMS]:
        problems.add(f"{names_o[k // width]} -> {names_p[k % width]}: the years do not add up to the Total year "
                     "(or it is missing): file cut short?", last_line((o * width + p) == k), "TIV")
    if len(y) and y.max() >= 0:
        first, span = y[y >= 0].min(), y.max() - y[y >= 0].min() + 1
        key = o * span + np.where(is_ty, 0, y - first)
        for k in _against_totals(key, value, valid & ~is_ty & ~is_tp, valid & ~is_ty & is_tp,
                                 len(names_o) * span)[:MAX_PROBLEMS]:
            problems.add(f"{names_o[k // span]} {first + k % span}: the partners do not add up to the Total "
                         "partner (or it is missing): rows missing?", last_line((key == k) & ~is_ty), "TIV")
    if "All" in names_o:
        have = set(names_o)
        listed = [c for c in np.unique(p[(o == names_o.index("All")) & ~is_tp]).tolist() if names_p[c] not in have]
        for code in sorted(listed, key=lambda c: int(np.argmax(p == c)))[:MAX_PROBLEMS]:
            problems.add(f"the All table lists {names_p[code]}, but the file has no rows of its own for it: "
                             "file cut short?", int(lines[np.argmax(p == code)]), "record")


def read_tidy(text: str, path: str) -> Parsed:
    """Our tidy long CSV: supplier, recipient, year, tiv (any order, more columns allowed); `#` comment lines."""
    numbered = [(i, line) for i, line in enumerate(text.splitlines(), start=1) if not line.startswith("#")]
    parsed = Parsed(path, "tidy", "tidy", parse_generated(text[:2000]))
    problems = Problems(path)
    # One physical line per row (csv.reader over single lines), so every problem names its real line.
    rows = zip((i for i, _ in numbered), csv_rows((line for _, line in numbered), path,
                                                  lambda n: numbered[max(n, 1) - 1][0]))
    header_line, header = next(((i, r) for i, r in rows if r), (1, []))
    names = {f.strip().lower(): j for j, f in enumerate(header)}
    at = [names[k] for k in ("supplier", "recipient", "year", "tiv")]
    seen = 0
    for line, row in rows:
        if not row:
            continue
        seen += 1
        if len(row) != len(header):
            problems.add(f"expected {len(header)} fields (as in the header), found {len(row)}", line, "record")
            continue
        supplier, recipient, year_text, tiv_text = (row[j].strip() for j in at)
        for label, cell in (("supplier", supplier), ("recipient", recipient), ("year", year_text)):
            if not cell:
                problems.add(f"missing {label}", line, label)
        year = problems.number(year_text, line, "year", integer=True)
        value = problems.number(tiv_text, line, "tiv")
        if supplier and recipient and year is not None and value is not None:
            parsed.add_flow(canon(parsed, supplier), canon(parsed, recipient), int(year), value)
    if not seen:
        problems.add("no data rows after the header", header_line + 1, "record")
    problems.raise_any()
    return parsed

