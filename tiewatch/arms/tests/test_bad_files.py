"""Damaged or foreign files: each is a file:line error from the readers and exit status 1 from the CLI,
never a traceback (an exception escaping `main`)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tiewatch.arms.engine.readers import read_file
from tiewatch.cli import main
from tiewatch.core.errors import ValidationFailed

from .conftest import FIXTURES

TR = FIXTURES / "register" / "trade-register-demo.csv"
TIDY = FIXTURES / "tidy" / "tidy-demo.csv"
CLAIMS = FIXTURES / "israel-2018-factsheet-claims.yaml"


def _tr_header_only() -> bytes:
    raw = TR.read_bytes()
    return raw[:raw.index(b"\n", raw.index(b"Recipient,Supplier")) + 1]


# name, file content, (line, field) of the first problem, words of its message
BAD_FILES = [
    ("header-only.csv", _tr_header_only(), (13, "record"), "no deals after the header"),
    ("long-header-only.csv", b'"Export_From","Import_To","Year","TIV"\n', (2, "record"), "no data rows"),
    ("tidy-header-only.csv", b"supplier,recipient,year,tiv\n", (2, "record"), "no data rows"),
    ("empty.csv", b"", (1, ""), "empty file"),
    ("blank.csv", b"\n\n  \n", (1, ""), "empty file"),
    ("junk.csv", bytes(range(256)) * 4, (1, "record"), "binary data"),
    ("utf16.csv", "supplier,recipient,year,tiv\nIsrael,India,2019,90\n".encode("utf-16"), (1, ""), "UTF-16"),
    ("semicolons.csv", b"supplier;recipient;year;tiv\nIsrael;India;2019;90\n", (1, ""), "unrecognised format"),
    ("tidy-short-row.csv", b"supplier,recipient,year,tiv\nIsrael,India,2019\n", (2, "record"), "expected 4 fields"),
    ("tidy-nan.csv", b"# c\nsupplier,recipient,year,tiv\n\nIsrael,India,2019,nan\n", (4, "tiv"), "not a number"),
    ("table-nan.csv", TR.parent.parent.joinpath("tables", "TIV-Export-ISR-2008-2021.csv").read_bytes().replace(
        b"Azerbaijan,,,,,40,", b"Azerbaijan,,,,,inf,"), (12, "2012"), "not a number"),
    ("huge-cell.csv", b"supplier,recipient,year,tiv\nIsrael,India,2019,\"" + b"9" * 200_000 + b"\"\n",
     (2, "record"), "not readable as CSV: field larger than field limit (131072)"),
    ("nul-in-table.csv", TR.parent.parent.joinpath("tables", "TIV-Export-ISR-2008-2021.csv").read_bytes().replace(
        b"Azerbaijan,", b"Azer\0baijan,"), (12, "record"), "binary data"),
]


@pytest.fixture(autouse=True)
def default_csv_field_limit() -> Iterator[None]:
    """The csv module's field size limit is process-wide and some libraries raise it on import (the
    test extra's followthemoney does): pin Python's default, which is what `tiewatch arms` runs with."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


@pytest.mark.parametrize(("name", "content", "where", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_reader_names_file_and_line(tmp_path: Path, name: str, content: bytes, where: tuple[int, str],
                                    words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationFailed) as info:
        read_file(path)
    first = info.value.problems[0]
    assert (first.file, first.line, first.field) == (str(path), *where) and words in first.message


@pytest.mark.parametrize(("name", "content", "where", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_cli_exits_1_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                                        content: bytes, where: tuple[int, str], words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code = main(["arms", "releases", "--data", str(path), "--cache", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert code == 1 and f"{path}:{where[0]}: " in err and words in err


def test_bom_utf8_tidy_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + TIDY.read_bytes())
    assert read_file(path).fmt == "tidy"


def _check(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> tuple[int, str, Path]:
    path = tmp_path / "claims.yaml"
    path.write_bytes(content)
    code = main(["arms", "check", str(path), "--data", str(FIXTURES / "tables"), "--cache", str(tmp_path / "c")])
    return code, capsys.readouterr().err, path


def test_check_on_a_latin1_claims_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err, path = _check(tmp_path, capsys, "claims:\n  - id: caf\xe9\n    metric: rank\n".encode("latin-1"))
    assert code == 1 and f"{path}:2: not UTF-8 text (invalid continuation byte)" in err


def test_check_on_bad_yaml_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err, path = _check(tmp_path, capsys, b"claims:\n  - id: a\n   metric: [rank\n")
    assert code == 1 and f"{path}:3: invalid YAML: did not find expected '-' indicator" in err


@pytest.mark.parametrize(("claim", "field", "words"), [
    ("{metric: rank, country: Israel, role: exporter, period: 2013-2017, stated: 8, tolerance: lots}",
     "claims[1].tolerance", "tolerance must be a number"),
    ("{metric: change, country: Israel, role: exporter, from: 2008-2012, to: 2013-2017, stated: 5, partner: [a]}",
     "claims[1].partner", "expected a name or a number"),
    ("{metric: [rank], country: Israel}", "claims[1].metric", "unknown metric"),
    ("{metric: rank, country: {a: 1}, role: exporter, period: 2013-2017, stated: .nan}", "claims[1].country",
     "expected a name"),
])
def test_check_on_wrong_kinds_of_values(tmp_path: Path, capsys: pytest.CaptureFixture[str], claim: str,
                                        field: str, words: str) -> None:
    code, err, path = _check(tmp_path, capsys, f"claims:\n  - {claim}\n".encode())
    assert code == 1 and f"{path}:2: {field}: {words}" in err


def test_cache_that_is_a_file_and_out_in_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("x")
    code = main(["arms", "releases", "--data", str(TIDY), "--cache", str(not_a_folder)])
    assert code == 1 and f"{not_a_folder}: cache: cannot use as the cache folder" in capsys.readouterr().err
    out = tmp_path / "missing" / "israel.html"
    code = main(["arms", "factsheet", "--country", "Israel", "--period", "2013-2017", "--out", str(out), "--data",
                 str(FIXTURES / "tables"), "--cache", str(tmp_path / "c")])
    assert code == 1 and f"{out}: out: cannot write: No such file or directory" in capsys.readouterr().err
