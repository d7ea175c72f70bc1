"""Damaged real files: file:line errors, nothing written; `--allow-errors` imports the good rows only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.core.errors import ValidationFailed
from tiewatch.datasets.importer import import_dataset
from tiewatch.datasets.spec import load_spec
from tiewatch.datasets.tests.helpers import LESO, copy_states, first_line_with, read_rows, write_rows
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie


def nothing_written() -> bool:
    return not (Tie.objects.exists() or Entity.objects.exists() or Source.objects.exists()
                or ChangeRecord.objects.exists())


def refused(folder: Path, **options: Any) -> list[str]:
    with pytest.raises(ValidationFailed) as error:
        import_dataset("leso", folder, actor="tests", **options)
    return [str(p) for p in error.value.problems]


def test_a_truncated_file(db: Any, tmp_path: Path) -> None:
    folder = copy_states(tmp_path / "leso")
    path = folder / "NH_leso.tsv"
    data = path.read_bytes()
    cut = data.rfind(b"\n", 0, len(data) // 2) + 40  # forty bytes into a row in the middle
    path.write_bytes(data[:cut])
    line = data[:cut].count(b"\n") + 1
    fields = data[:cut].rsplit(b"\n", 1)[1].count(b"\t") + 1
    assert refused(folder) == [f"{path}:{line}: {fields} fields, 24 expected (a truncated or damaged row?)"]
    assert nothing_written()


def test_a_file_cut_inside_a_quoted_field(db: Any, tmp_path: Path) -> None:
    folder = copy_states(tmp_path / "leso", ("AK",))
    path = folder / "AK_leso.tsv"
    data = path.read_bytes()
    quote = data.index(b'\t"') + 2  # the first quoted (multi-line) justification
    path.write_bytes(data[:quote + 5])
    line = data[:quote].count(b"\n") + 1
    problems = refused(folder)
    assert problems[0].startswith(f"{path}:{line}: cannot split the row into fields")
    assert nothing_written()


def test_a_file_re_encoded_as_latin_1(db: Any, tmp_path: Path) -> None:
    folder = copy_states(tmp_path / "leso", ("NH", "IA"))
    path = folder / "IA_leso.tsv"
    path.write_bytes((LESO / "IA_leso.tsv").read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    line = first_line_with(LESO / "IA_leso.tsv", lambda text: not text.isascii())
    assert refused(folder) == [f"{path}:{line}: not UTF-8 text (invalid start byte)"]
    assert nothing_written()


def test_a_file_re_encoded_as_utf_16(db: Any, tmp_path: Path) -> None:
    folder = copy_states(tmp_path / "leso", ("VI",))
    path = folder / "VI_leso.tsv"
    path.write_bytes((LESO / "VI_leso.tsv").read_text(encoding="utf-8").encode("utf-16"))
    problems = refused(folder, allow_errors=1000)  # a file that cannot be read is never "a few bad rows"
    assert problems[0].startswith(f"{path}:1: not UTF-8 text")
    assert nothing_written()


def test_a_missing_and_an_unexpected_column(db: Any, tmp_path: Path) -> None:
    folder = copy_states(tmp_path / "leso", ("VI",))
    path = folder / "VI_leso.tsv"
    header, rows = read_rows(path)
    renamed = ["Agency" if c == "RequestingAgency" else c for c in header]
    write_rows(path, renamed, [{("Agency" if k == "RequestingAgency" else k): v for k, v in r.items()} for r in rows])
    problems = refused(folder)
    assert f"{path}:1: RequestingAgency: column 'RequestingAgency' is missing" in problems
    assert any(p.startswith(f"{path}:1: Agency: unexpected column 'Agency'") for p in problems)
    assert nothing_written()


def two_bad_rows(tmp_path: Path) -> tuple[Path, Path]:
    folder = copy_states(tmp_path / "leso", ("DE", "VI"))
    path = folder / "DE_leso.tsv"
    header, rows = read_rows(path)
    rows[3]["RecordDate"] = "2019-02-30 00:00:00"
    rows[7]["Quantity"] = "three"
    write_rows(path, header, rows)
    return folder, path


def test_bad_values_name_file_line_and_field(db: Any, tmp_path: Path) -> None:
    folder, path = two_bad_rows(tmp_path)
    problems = refused(folder)
    assert problems == [f"{path}:5: RecordDate: '2019-02-30 00:00:00' is not a date (day is out of range for month)",
                        f"{path}:9: Quantity: 'three' is not a whole number of units"]
    assert nothing_written()
    assert len(refused(folder, allow_errors=1)) == 2
    assert nothing_written()


def test_allow_errors_imports_the_good_rows_only(db: Any, tmp_path: Path) -> None:
    folder, path = two_bad_rows(tmp_path)
    report = import_dataset("leso", folder, actor="tests", allow_errors=2)
    assert [(p.line, p.field) for p in report.refused] == [(5, "RecordDate"), (9, "Quantity")]
    assert report.ties.created == report.rows - 2 == Tie.objects.filter(dataset="leso").count()


def test_the_command_prints_file_line_errors(db: Any, tmp_path: Path, capsys: Any) -> None:
    folder, path = two_bad_rows(tmp_path)
    assert main(["datasets", "import", "leso", "--path", str(folder), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:5: RecordDate:" in err and "nothing was written" in err
    assert main(["datasets", "import", "leso", "--path", str(folder), "--quiet", "--allow-errors", "2"]) == 0
    assert f"refused: {path}:9: Quantity:" in capsys.readouterr().out


def test_dataset_yaml_is_checked_against_its_schema(tmp_path: Path) -> None:
    spec = tmp_path / "dataset.yaml"
    spec.write_text("title: T\npublisher: P\nlicence: L\nsource_url: 'javascript:alert(1)'\n"
                    "coverage: {from: 2020-01-01}\nupdate_frequency: sometimes\ncolour: blue\n")
    with pytest.raises(ValidationFailed) as error:
        load_spec(spec)
    lines = [str(p) for p in error.value.problems]
    assert any(line.startswith(f"{spec}:4: source_url:") for line in lines)
    assert any(line.startswith(f"{spec}:6: update_frequency:") for line in lines)
    assert any(line.startswith(f"{spec}:7: colour:") for line in lines)
