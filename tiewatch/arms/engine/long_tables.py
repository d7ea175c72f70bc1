"""Long CSVs: SIPRI tables stacked long (Export_From, Import_To, Year, TIV), or our tidy format."""

from __future__ import annotations

import csv
import io

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
    numbers,
    parse_generated,
)


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
    year = pc.cast(numbers(pc.if_else(total_year, "", col["year"]), lines, "Year", problems, True), pa.int32())
    tiv = numbers(table[names["tiv"]].combine_chunks(), lines, "TIV", problems, False)
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
            parsed.add_flow(canon(parsed, supplier), canon(parsed, recipient), int(year), value)
    problems.raise_any()
    return parsed

