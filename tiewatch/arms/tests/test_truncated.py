"""Files cut short (an interrupted download, a truncated copy) are refused with file:line, never summed.

Before the checks, a copy of SIPRI's United States exports table cut mid-file loaded with exit status 0
and gave 77,824 TIV and 65 partners for 2000-2021 instead of 181,951 and 133.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tiewatch.arms.engine import queries as q
from tiewatch.arms.engine.datasets import Store
from tiewatch.arms.engine.readers import read_file
from tiewatch.cli import main
from tiewatch.core.errors import ValidationFailed

from .conftest import FIXTURES

USA = "tiv_export_tables_2022-07-28_360info/TIV-Export-USA-1950-2021.csv"
IMPORT_TOTALS = "tiv_totals_2018-12-05_dodomoon/TIV-Import-All-1950-2017-rs.csv"
IMPORT_LONG = "tiv_pairs_2022_lajh87/import_tiv.csv"
ISR = FIXTURES / "tables" / "TIV-Export-ISR-2008-2021.csv"


def _problems(path: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ValidationFailed) as info:
        read_file(path)
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def _cut(tmp_path: Path, source: Path, size: int) -> Path:
    out = tmp_path / source.name
    out.write_bytes(source.read_bytes()[:size])
    return out


def test_whole_usa_table_gives_sipri_figures(sipri_dir: Path, tmp_path: Path) -> None:
    store = Store.open([sipri_dir / USA], tmp_path / "cache")
    r = q.partners(store, "United States", "exporter", "2000-2021", limit=None)
    assert (round(r["total_tiv"]), len(r["rows"])) == (181_951, 133)


def test_usa_table_cut_mid_row_is_refused_naming_the_line(sipri_dir: Path, tmp_path: Path) -> None:
    cut = _cut(tmp_path, sipri_dir / USA, 20_000)  # ends inside Somalia's row, line 156
    problems = _problems(cut)
    assert problems[0][:2] == (156, "Somalia") and "found 52" in problems[0][2]
    assert problems[1][:2] == (156, "Total") and "no Total row" in problems[1][2]


def test_usa_table_cut_at_a_row_end_is_refused(sipri_dir: Path, tmp_path: Path) -> None:
    raw = (sipri_dir / USA).read_bytes()
    cut = _cut(tmp_path, sipri_dir / USA, raw.index(b"\nSomalia,") + 1)  # 65 whole partner rows, no Total row
    assert [p[:2] for p in _problems(cut)] == [(155, "Total")]


def test_cli_refuses_the_truncated_table_with_exit_1(sipri_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    _cut(folder, sipri_dir / USA, 20_000)
    code = main(["arms", "partners", "--country", "United States", "--role", "exporter", "--period", "2000-2021",
                 "--data", str(folder), "--cache", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert code == 1 and f"{folder / Path(USA).name}:156: Somalia: expected 74 fields" in err


def test_totals_table_cut_at_a_row_end_is_refused(sipri_dir: Path, tmp_path: Path) -> None:
    raw = (sipri_dir / IMPORT_TOTALS).read_bytes()
    cut = _cut(tmp_path, sipri_dir / IMPORT_TOTALS, raw.index(b"\nIndia,") + 1)
    problems = _problems(cut)
    assert len(problems) == 1 and problems[0][1] == "Total" and "cut short" in problems[0][2]


def test_totals_table_cut_inside_its_total_row_is_refused(sipri_dir: Path, tmp_path: Path) -> None:
    raw = (sipri_dir / IMPORT_TOTALS).read_bytes()
    cut = _cut(tmp_path, sipri_dir / IMPORT_TOTALS, raw.index(b"\nTotal,") + 40)  # the Total row's first years
    assert _problems(cut)[0][2].startswith("expected 70 fields")


def test_stacked_long_table_cut_at_a_block_end_is_refused(sipri_dir: Path, tmp_path: Path) -> None:
    raw = (sipri_dir / IMPORT_LONG).read_bytes()
    end = raw.index(b'"ELF (Ethiopia)*","Total","Total",4\n') + len(b'"ELF (Ethiopia)*","Total","Total",4\n')
    problems = _problems(_cut(tmp_path, sipri_dir / IMPORT_LONG, end))
    assert problems[0] == (2159, "record", ("the All table lists El Salvador, but the file has no rows of its own "
                                           "for it: file cut short?"))


def test_stacked_long_table_cut_inside_a_number_is_refused(sipri_dir: Path, tmp_path: Path) -> None:
    raw = (sipri_dir / IMPORT_LONG).read_bytes()
    line = b'"Algeria","Russia","Total",12843\n'  # cut to 128: no longer the sum of the pair's years
    end = raw.index(line) + len(line) - 3
    problems = _problems(_cut(tmp_path, sipri_dir / IMPORT_LONG, end))
    assert any(field == "TIV" and "Algeria -> Russia" in message for _, field, message in problems)


@pytest.mark.parametrize("source", [ISR, FIXTURES / "totals_2018" / "TIV-Export-All-2008-2017.csv"])
def test_every_cut_of_a_fixture_table_is_refused(source: Path, tmp_path: Path) -> None:
    raw = source.read_bytes()
    for size in range(raw.index(b"\n,2008") + 1, len(raw.rstrip(b"\r\n"))):
        (tmp_path / source.name).write_bytes(raw[:size])
        with pytest.raises(ValidationFailed):
            read_file(tmp_path / source.name)


def test_total_column_that_does_not_match_its_row(tmp_path: Path) -> None:
    path = tmp_path / ISR.name
    path.write_bytes(ISR.read_bytes().replace(b"Azerbaijan,,,,,40,150,100,,80,60,,,,,430",
                                              b"Azerbaijan,,,,,40,150,100,,80,60,,,,,43"))
    problems = _problems(path)
    assert next(p[:2] for p in problems) == (12, "Total") and "add up to 430" in problems[0][2]


def test_total_row_that_does_not_match_its_column(tmp_path: Path) -> None:
    path = tmp_path / ISR.name
    text = ISR.read_text(encoding="latin-1")
    azerbaijan = next(line for line in text.splitlines() if line.startswith("Azerbaijan"))
    path.write_text(text.replace(azerbaijan + "\n", ""), encoding="latin-1")  # one partner row lost
    problems = _problems(path)
    assert {p[1] for p in problems} >= {"2012", "2013", "Total"} and "rows missing" in problems[0][2]


def test_year_columns_must_match_the_titles_span(tmp_path: Path) -> None:
    path = tmp_path / ISR.name
    path.write_text(ISR.read_text(encoding="latin-1").replace(", 2008-2021", ", 2008-2022", 1), encoding="latin-1")
    assert _problems(path) == [(11, "header", ("year columns do not match the title's 2008-2022: found "
                                              "2008..2021 (14 columns)"))]
