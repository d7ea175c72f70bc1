"""Issue 9 items 8 and 9 for law packs: undecodable, deeply nested or aliased files are reported with
file:line, and `policies validate DIR` reports every bad file while still checking the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiewatch.cli import main
from tiewatch.core.errors import ValidationFailed
from tiewatch.policies.engine import load_policies, load_policy_text
from tiewatch.policies.tests.test_loader import GOOD


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        load_policies([folder])
    return [str(p) for p in caught.value.problems]


def test_issue9_item9_latin1_law_pack_is_a_line_error(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(GOOD.replace("Council", "Caf\xe9 Council").encode("latin-1"))
    assert _problems(tmp_path) == [f"{tmp_path / 'latin1.yaml'}:4: not UTF-8 text (invalid continuation byte)"]


def test_issue9_item9_deeply_nested_law_pack_is_a_line_error(tmp_path: Path) -> None:
    deep = GOOD + "note: " + "[" * 900 + "]" * 900 + "\n"
    (tmp_path / "deep.yaml").write_text(deep, encoding="utf-8")
    assert _problems(tmp_path) == [f"{tmp_path / 'deep.yaml'}:20: nested deeper than 64 levels"]


def test_issue9_item8_aliases_refused_in_law_packs(tmp_path: Path) -> None:
    text = GOOD.replace("text: No exchanges", "text: &t No exchanges").replace(
        "clause: No exchanges with foreign militaries.", "clause: *t")
    (tmp_path / "alias.yaml").write_text(text, encoding="utf-8")
    assert _problems(tmp_path) == [
        f"{tmp_path / 'alias.yaml'}:13: aliases (*name) are not allowed; write the value out"]


def test_issue9_item9_validate_reports_every_bad_file_and_checks_the_rest(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "a-latin1.yaml").write_bytes(GOOD.replace("Council", "Caf\xe9").encode("latin-1"))
    (tmp_path / "b-deep.yaml").write_text(GOOD + "note: " + "[" * 900 + "]" * 900 + "\n", encoding="utf-8")
    (tmp_path / "c-typo.yaml").write_text(GOOD.replace("id: test-policy", "id: other").replace(
        "tie_kinds:", "tie_kind:"), encoding="utf-8")
    (tmp_path / "d-good.yaml").write_text(GOOD.replace("id: test-policy", "id: good"), encoding="utf-8")
    assert main(["policies", "validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'a-latin1.yaml'}:4: not UTF-8 text" in err
    assert f"{tmp_path / 'b-deep.yaml'}:20: nested deeper than 64 levels" in err
    assert f"{tmp_path / 'c-typo.yaml'}:17: rules[0].tie_kind: unknown field 'tie_kind'" in err
    assert "d-good.yaml" not in err


# --- property: whatever a law pack holds, loading answers with problems, never a crash -------------
FUZZ = settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(alphabet='{}[]":,-&*!<>\n #|ab1yes\\\'\t', max_size=200))
def test_random_law_pack_text(text: str) -> None:
    try:
        load_policy_text(text, "fuzz.yaml")
    except ValidationFailed as error:
        assert error.problems and all(p.file == "fuzz.yaml" for p in error.problems)


@FUZZ
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6)),
                    lambda children: st.one_of(st.lists(children, max_size=3),
                                               st.dictionaries(st.text(max_size=6), children, max_size=3)),
                    max_leaves=30),
       st.integers(min_value=0, max_value=100))
def test_random_law_pack_structures(value: Any, depth: int) -> None:
    for _ in range(depth):
        value = {"rules": [value]}
    try:
        load_policy_text(yaml.safe_dump(value), "fuzz.yaml")
    except ValidationFailed as error:
        assert error.problems
