"""Property tests: whatever bytes or nested structure a file holds, every loader either returns data
or raises a TiewatchError (never another exception); valid JSON reads back as json.loads reads it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiewatch.core.errors import TiewatchError
from tiewatch.core.inputs import decode, load_json, load_jsonl, load_yaml, read_csv

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _csv(text: str, file: str) -> Any:
    header, rows = read_csv(text, file)
    return header, list(rows)


LOADERS: list[Callable[[str, str], Any]] = [load_yaml, load_json, load_jsonl, _csv]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))
nested = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=5), children, max_size=4)), max_leaves=40)


def _only_tiewatch_errors(text: str) -> None:
    for loader in LOADERS:
        try:
            loader(text, "fuzz")
        except TiewatchError as error:
            assert error.problems and all(p.file == "fuzz" for p in error.problems)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    try:
        text = decode(data, "fuzz")
    except TiewatchError:
        return
    _only_tiewatch_errors(text)


@SETTINGS
@given(st.text(alphabet='{}[]":,-&*!<>\n #|ab1\\\'\t', max_size=200))
def test_random_structural_text(text: str) -> None:
    _only_tiewatch_errors(text)


@SETTINGS
@given(nested, st.integers(min_value=0, max_value=3000), st.sampled_from(['{"k": ', "[", '{"a": 1, "k": ']),
       st.booleans())
def test_random_nested_structures(value: Any, depth: int, opener: str, in_object: bool) -> None:
    """Deeper than Python's recursion limit too: written as text, not dumped (the dumpers recurse)."""
    closer = "]" if opener == "[" else "}"
    text = opener * depth + json.dumps(value) + closer * depth
    if in_object:  # one flat object holding the nesting: the JSON-lines hot path
        text = '{"deep": ' + text + "}"
    for variant in (text, yaml.safe_dump(value), text + "\n" + text):
        _only_tiewatch_errors(variant)


@SETTINGS
@given(nested)
def test_valid_json_reads_back_as_json_loads_reads_it(value: Any) -> None:
    text = json.dumps(value, indent=1)
    assert load_json(text, "fuzz") == json.loads(text)
