"""Format detection and every quirk of SIPRI's files, on the invented fixtures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tiewatch.arms.engine.countries import countries
from tiewatch.arms.engine.readers import detect, parse_generated, read_file, release_of
from tiewatch.core.errors import ValidationFailed

from .conftest import FIXTURES

TR = FIXTURES / "register" / "trade-register-demo.csv"


def test_detects_each_format() -> None:
    assert read_file(TR).fmt == "trade_register"
    assert read_file(FIXTURES / "tables" / "TIV-Export-ISR-2008-2021.csv").fmt == "tiv_country"
    assert read_file(FIXTURES / "totals_2018" / "TIV-Export-All-2008-2017.csv").fmt == "tiv_all"
    assert read_file(FIXTURES / "tidy" / "tidy-demo.csv").fmt == "tidy"
    assert detect('"Export_From","Import_To","Year","TIV"\n', "x") == "tiv_long"


def test_unrecognised_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n1,2\n")
    with pytest.raises(ValidationFailed) as info:
        read_file(bad)
    assert info.value.problems[0].file == str(bad) and info.value.problems[0].line == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("Data generated: 18 May 2026 2:29:20 PM", date(2026, 5, 18)),
    ("Generated: 28 July 2022,,,,", date(2022, 7, 28)),
    ("Generated: 05 December 2018", date(2018, 12, 5)),
    ("# generated: 2021-06-01", date(2021, 6, 1)),
])
def test_generated_line(text: str, expected: date) -> None:
    assert parse_generated(text) == expected


def test_release_rule_march() -> None:
    assert release_of(date(2024, 3, 18)) == "2024-03"
    assert release_of(date(2025, 2, 28)) == "2024-03"  # before March: still last year's release
    assert release_of(date(2018, 12, 5)) == "2018-03"


def test_trade_register_quirks() -> None:
    p = read_file(TR)
    assert p.generated == date(2024, 3, 18)
    assert p.split_records == 1  # the Comments line break is re-joined
    deals = p.deals
    assert len(deals["line"]) == 10  # 11 physical rows, one record split in two
    i = deals["designation"].index("Demo-Radar")
    assert deals["comments"][i] == "Invented comment part one continues on the next line (caf\xe9)"  # latin-1
    assert deals["tiv_delivered"][i] == 40
    uav = deals["designation"].index("Demo-UAV")
    assert deals["order_year_uncertain"][uav] and deals["number_ordered_uncertain"][uav]
    assert deals["number_delivered_uncertain"][uav] and deals["comments"][uav] == "Invented; quoted, with comma"
    assert deals["recipient"][deals["designation"].index("Demo-Sub")] == "Turkiye"  # normalised
    assert deals["supplier"][deals["designation"].index("Demo-Sub")] == "Germany"
    assert deals["supplier"][deals["designation"].index("Demo-Gun")] == "Unknown supplier(s)"


def test_trade_register_even_allocation_and_open_orders() -> None:
    p = read_file(TR)
    flows = list(zip(p.flows["supplier"], p.flows["recipient"], p.flows["year"], p.flows["tiv"], p.flows["category"]))
    sam = [f for f in flows if f[4] == "SAM system"]
    assert sorted((f[2], f[3]) for f in sam) == [(2014, 100.0), (2015, 100.0), (2016, 100.0)]
    assert not [f for f in flows if f[4] == "patrol craft"]  # open order: nothing delivered
    assert not [f for f in flows if f[4] == "engine"]  # delivered TIV '0' (under 0.5m) adds nothing


def test_tiv_country_table_flows_and_stated_totals() -> None:
    p = read_file(FIXTURES / "tables" / "TIV-Export-FRG-2008-2021.csv")
    assert p.generated == date(2022, 7, 28) and p.perspective == "exporter"
    assert set(p.flows["supplier"]) == {"Germany"}  # "Germany (FRG)" normalised
    assert "Turkiye" in p.flows["recipient"]
    totals = list(zip(p.totals["country"], p.totals["partner"], p.totals["year"], p.totals["tiv"]))
    assert ("Germany", "", None, 945.0) in totals  # Total row x Total column
    assert ("Germany", "Israel", None, 550.0) in totals  # Total column of a partner row


def test_import_table_puts_owner_as_recipient() -> None:
    p = read_file(FIXTURES / "tables" / "TIV-Import-ISR-2008-2021.csv")
    assert p.perspective == "importer" and set(p.flows["recipient"]) == {"Israel"}
    assert {"United States", "Germany"} <= set(p.flows["supplier"])


def test_all_countries_table_gives_totals_only() -> None:
    p = read_file(FIXTURES / "totals_2018" / "TIV-Export-All-2008-2017.csv")
    assert not p.flows["year"]
    assert "Hezbollah (Lebanon)*" in p.totals["country"] and "" in p.totals["country"]  # '' = the world row


def test_zero_means_under_half_million_kept_as_zero() -> None:
    p = read_file(FIXTURES / "tables" / "TIV-Export-ISR-2008-2021.csv")
    cells = list(zip(p.flows["recipient"], p.flows["year"], p.flows["tiv"]))
    assert ("Viet Nam", 2021, 0.0) in cells


def test_tidy_csv_and_bad_cells(tmp_path: Path) -> None:
    p = read_file(FIXTURES / "tidy" / "tidy-demo.csv")
    assert p.generated == date(2021, 6, 1) and 70.5 in p.flows["tiv"]
    bad = tmp_path / "bad.csv"
    bad.write_text("supplier,recipient,year,tiv\nIsrael,India,20x9,5\nIsrael,,2010,abc\n")
    with pytest.raises(ValidationFailed) as info:
        read_file(bad)
    where = {(pr.line, pr.field) for pr in info.value.problems}
    assert (2, "year") in where and (3, "recipient") in where and (3, "tiv") in where


def test_trade_register_bad_number_names_line_and_field(tmp_path: Path) -> None:
    text = TR.read_bytes().decode("latin-1").replace("India,Israel,2013,,10", "India,Israel,20l3,,10")
    bad = tmp_path / "tr.csv"
    bad.write_bytes(text.encode("latin-1"))
    with pytest.raises(ValidationFailed) as info:
        read_file(bad)
    problem = info.value.problems[0]
    assert (problem.line, problem.field) == (13, "Year of order") and problem.file == str(bad)


@pytest.mark.parametrize(("variant", "canonical"), [
    ("Germany (FRG)", "Germany"), ("Vietnam", "Viet Nam"), ("Viet Nam", "Viet Nam"), ("Turkey", "Turkiye"),
    ("Türkiye", "Turkiye"), ("UK", "United Kingdom"), ("United Kingdom", "United Kingdom"), ("GBR", "United Kingdom"),
    ("South Korea", "South Korea"), ("KR", "South Korea"), ("ISR", "Israel"), ("UAE", "United Arab Emirates"),
    ("Czech Republic", "Czechia"), ("unknown supplier(s)", "Unknown supplier(s)"),
])
def test_country_variants(variant: str, canonical: str) -> None:
    assert countries().canonical(variant) == canonical


def test_country_kinds() -> None:
    table = countries()
    assert table.kind("NATO**") == "org" and table.kind("Hamas (Palestine)*") == "non_state"
    assert table.kind("Unknown recipient(s)") == "unknown" and table.kind("Israel") == "state"
    assert table.kind("Some new group*") == "non_state"  # unlisted names follow SIPRI's suffixes


def test_trade_register_line_numbers_survive_split_records() -> None:
    deals = read_file(TR).deals
    line = dict(zip(deals["designation"], deals["line"]))
    assert (line["Demo-SAM"], line["Demo-Radar"], line["Demo-Sub"]) == (13, 16, 18)


def test_trade_register_unjoinable_row_and_bad_year(tmp_path: Path) -> None:
    text = TR.read_bytes().decode("latin-1")
    text = text.replace("2014; 2015; 2016,New", "2014; 20x5; 2016,New").replace(
        "India,unknown supplier(s),2010,,5", "India,unknown supplier(s)")
    bad = tmp_path / "tr.csv"
    bad.write_bytes(text.encode("latin-1"))
    with pytest.raises(ValidationFailed) as info:
        read_file(bad)
    where = {(p.line, p.field, p.message) for p in info.value.problems}
    assert (13, "Year(s) of delivery", "not a year: '20x5'") in where
    assert (21, "record", "expected 16 fields, found 13") in where


def test_stacked_long_tables(tmp_path: Path) -> None:
    from tiewatch.arms.fixtures.generate import PAIRS, stacked_long

    path = tmp_path / "export_tiv.csv"
    path.write_text(stacked_long())
    p = read_file(path)
    assert p.fmt == "tiv_long" and p.generated is None and p.perspective == "exporter"
    wide = read_file(FIXTURES / "tables" / "TIV-Export-ISR-2008-2021.csv")
    isr = {(r, y, t) for s, r, y, t in zip(p.flows["supplier"], p.flows["recipient"], p.flows["year"], p.flows["tiv"])
           if s == "Israel"}
    assert isr == set(zip(wide.flows["recipient"], wide.flows["year"], wide.flows["tiv"]))
    totals = set(zip(p.totals["country"], p.totals["partner"], p.totals["year"], p.totals["tiv"]))
    assert ("Israel", "India", None, 2110.0) in totals  # Year 'Total' of a pair
    israel = sum(sum(v.values()) for v in PAIRS["Israel"].values())
    world = sum(sum(v.values()) for p in PAIRS.values() for v in p.values())
    assert ("Israel", "", None, israel) in totals and ("", "", None, world) in totals  # Total partner, All/Total
    assert ("Germany", "", None, 945.0) in totals  # an `All` row: the partner column names the country
    assert not p.unlisted_names


def test_stacked_long_bad_value(tmp_path: Path) -> None:
    from tiewatch.arms.fixtures.generate import stacked_long

    path = tmp_path / "export_tiv.csv"
    path.write_text(stacked_long().replace('"Israel","India","2009",100', '"Israel","India","2009",1OO'))
    with pytest.raises(ValidationFailed) as info:
        read_file(path)
    assert [(pr.line, pr.field) for pr in info.value.problems] == [(3, "TIV")]


def test_all_countries_importer_table_titled_exports_to_all(tmp_path: Path) -> None:
    """SIPRI's 2018 importer totals file is titled "TIV of arms exports to all": rows are importers."""
    text = (FIXTURES / "totals_2018" / "TIV-Export-All-2008-2017.csv").read_text(encoding="latin-1")
    path = tmp_path / "TIV-Import-All.csv"
    path.write_text(text.replace("exports from all", "exports to all"), encoding="latin-1")
    p = read_file(path)
    assert p.fmt == "tiv_all" and p.perspective == "importer" and set(p.totals["role"]) == {"importer"}


def test_country_table_without_header_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('"TIV of arms exports from Israel, 2008-2021"\nnothing here\n')
    with pytest.raises(ValidationFailed) as info:
        read_file(path)
    assert info.value.problems[0].field == "header"


@pytest.mark.parametrize("ordered", ["-10", "+10", "1e1", "10.0", "\u0661\u0660"])  # last: Arabic-Indic digits
def test_trade_register_integer_fields_are_plain_digits(tmp_path: Path, ordered: str) -> None:
    text = TR.read_bytes().decode("latin-1").replace("India,Israel,2013,,10", f"India,Israel,2013,,{ordered}")
    bad = tmp_path / "tr.csv"
    bad.write_bytes(text.encode("utf-8"))
    with pytest.raises(ValidationFailed) as info:
        read_file(bad)
    assert [(p.line, p.field, p.message) for p in info.value.problems] == [
        (13, "Number ordered", f"not a number: {ordered!r}")]


def test_trade_register_integer_fields_may_be_padded(tmp_path: Path) -> None:
    text = TR.read_bytes().decode("latin-1").replace("India,Israel,2013,,10", "India,Israel, 2013 ,, 10 ")
    path = tmp_path / "tr.csv"
    path.write_bytes(text.encode("latin-1"))
    deals = read_file(path).deals
    row = deals["designation"].index("Demo-SAM")
    assert (deals["order_year"][row], deals["number_ordered"][row]) == (2013, 10)


def test_trade_register_blank_lines_keep_physical_line_numbers(tmp_path: Path) -> None:
    lines = TR.read_bytes().decode("latin-1").split("\n")  # CRLF: each line ends with '\r'
    lines.insert(15, "\r")  # a blank line (only '\r') before the record on line 16, an empty one at the end
    path = tmp_path / "tr.csv"
    path.write_bytes(("\n".join(lines) + "\n\n").encode("latin-1"))
    p = read_file(path)
    line = dict(zip(p.deals["designation"], p.deals["line"]))
    assert (line["Demo-SAM"], line["Demo-Radar"], line["Demo-Sub"]) == (13, 17, 19)
    assert p.split_records == read_file(TR).split_records
