"""The countries table is read by the one line-aware YAML loader (issue 9 item 8): a broken table names
its file and line instead of a KeyError or a silently doubled key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiewatch.arms.engine.countries import TABLE, Countries
from tiewatch.core.errors import ValidationFailed


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "countries.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        Countries.load(path)
    return [line.replace(str(path), "T") for line in caught.value.lines()]


def test_shipped_table_loads() -> None:
    table = Countries.load(TABLE)
    assert table.canonical("Turkey") == "Turkiye" and table.kind("Turkiye") == "state"


def test_broken_tables_name_the_line(tmp_path: Path) -> None:
    assert problems(tmp_path, "countries:\n- name: A\n  kind: state\n  name: B\n") == [
        "T:4: name: duplicate key 'name'"]
    assert problems(tmp_path, "countries:\n- {name: A, kind: state}\n- {name: B}\n") == [
        "T:3: countries[1]: expected a mapping with a `name` and a `kind` (one of state, non_state, org, unknown)"]
    assert problems(tmp_path, "nations: []\n") == ["T:1: countries: expected a `countries:` list"]
