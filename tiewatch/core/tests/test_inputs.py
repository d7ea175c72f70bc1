"""The core input layer: line numbers, and every refusal reported as file:line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tiewatch.core.errors import Problem
from tiewatch.core.inputs import (
    InputError,
    LineDict,
    LineList,
    decode,
    line_of,
    load_json,
    load_jsonl,
    load_yaml,
    read_csv,
    read_text,
)


def refused(call: object, *args: object, **kwargs: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.lines()


def test_yaml_lines_of_mappings_keys_and_items() -> None:
    data = load_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n", "f.yaml")
    assert isinstance(data, LineDict) and isinstance(data["b"], LineList)
    assert (data.line, line_of(data, "a"), line_of(data, "b")) == (1, 1, 2)
    assert (line_of(data["b"], 0), line_of(data["b"], 1), data["b"][1].line) == (3, 4, 4)
    assert line_of(data, "missing") == 1 and line_of("scalar") is None


def test_yaml_dates_stay_text_and_yes_keys_are_words() -> None:
    assert load_yaml("d: 2018-02-30\nyes: 1\n") == {"d": "2018-02-30", "yes": 1}
    assert load_yaml("yes: 6\nno: 0\n1: x\n", text_keys=False) == {"yes": 6, "no": 0, 1: "x"}


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\nb: 2\na: 3\n", "f:3: a: duplicate key 'a'"),
    ("a: &x [1]\nb: *x\n", "f:2: aliases (*name) are not allowed; write the value out"),
    ("base: {a: 1}\nother:\n  <<: {b: 2}\n", "f:3: merge keys (<<) are not allowed; write the keys out"),
    ("a: 1\n2: x\n", "f:2: keys must be text, got 2"),
    ("a: 1\n~: x\n", "f:2: keys must be text, got None"),
    ("a:\n  b: [" + "[" * 70 + "]" * 71 + "\n", "f:2: nested deeper than 64 levels"),
    ("a: [" * 2000, "f:1: nested deeper than 64 levels"),
    ("a: [\n", "f:2: invalid YAML: did not find expected node content"),
    ("a: 1\n---\nb: 2\n", "f:2: invalid YAML: but found another document"),
    ("a: !!python/object:os.system x\n", ("f:1: invalid YAML: could not determine a constructor for the tag "
                                          "'tag:yaml.org,2002:python/object:os.system'")),
    ("a: 1\nb: \x07\n", "f:2: invalid YAML: unacceptable character #x0007"),
])
def test_yaml_refusals(text: str, expected: str) -> None:
    assert refused(load_yaml, text, "f") == [expected]


def test_json_lines_without_private_json_internals() -> None:
    data = load_json('{"a": "x{\\"[",\n "b": [1, {"c": 2,\n  "d": {}}],\n "e": {"f": null}}', "f.json")
    assert data == {"a": 'x{"[', "b": [1, {"c": 2, "d": {}}], "e": {"f": None}}
    assert (data.line, data["b"][1].line, data["b"][1]["d"].line, data["e"].line) == (1, 2, 3, 4)


@pytest.mark.parametrize(("text", "expected"), [
    ('{"a": 1,\n "a": 2}', "f:2: a: duplicate key 'a'"),
    ('{"a": {"a": 1, "b": 2},\n "b": "\\"a\\": {",\n "a": 3}', "f:3: a: duplicate key 'a'"),
    ('{"a":\n' + "[" * 65 + "]" * 65 + "}", "f:2: nested deeper than 64 levels"),
    ("[" * 100_000, "f:1: nested deeper than 64 levels"),
    ('{"a": 1,\n}', "f:2: invalid JSON: Expecting property name enclosed in double quotes"),
    ("", "f:1: invalid JSON: Expecting value"),
])
def test_json_refusals(text: str, expected: str) -> None:
    assert refused(load_json, text, "f") == [expected]


def test_json_lines_report_every_bad_line_and_keep_the_good() -> None:
    text = '{"a": 1}\n\n{"a": 1, "a": 2}\n{"deep": ' + "[" * 65 + "]" * 65 + '}\n{"b": [1]}\n{bad\n'
    values, problems = load_jsonl(text, "f")
    assert values == [(1, {"a": 1}), (5, {"b": [1]})]
    assert [str(p) for p in problems] == [
        "f:3: a: duplicate key 'a'", "f:4: nested deeper than 64 levels",
        "f:6: invalid JSON: Expecting property name enclosed in double quotes"]


def test_csv_rows_start_where_the_record_starts() -> None:
    header, rows = read_csv('id,note\na,"one\ntwo"\n\nb,c,extra\nd\n', "f")
    assert header == ["id", "note"]
    assert [(r.line, r.values, r.extra) for r in rows] == [
        (2, {"id": "a", "note": "one\ntwo"}, []), (5, {"id": "b", "note": "c"}, ["extra"]),
        (6, {"id": "d", "note": ""}, [])]
    assert refused(read_csv, "", "f") == ["f:1: empty CSV file (no header)"]
    assert refused(read_csv, "id,id\n", "f") == ["f:1: id: duplicate column 'id'"]


def test_decoding(tmp_path: Path) -> None:
    assert decode("\ufeffa: 1\n".encode(), "f") == "a: 1\n"
    assert refused(decode, b"a\nb\n\xff\n", "f") == ["f:3: not UTF-8 text (invalid start byte)"]
    big = tmp_path / "big.json"
    big.write_text(json.dumps(list(range(100))), encoding="utf-8")
    assert refused(read_text, big, 10, "import limit", "(raise it)") == [
        f"{big}: file is 390 bytes, over the import limit of 10 (raise it)"]
    assert refused(read_text, tmp_path / "missing.yaml") == [
        f"{tmp_path / 'missing.yaml'}: cannot read the file (No such file or directory)"]


def test_input_error_is_a_validation_failure_with_problems() -> None:
    with pytest.raises(InputError) as caught:
        load_yaml("a: 1\na: 2\n", "f")
    assert caught.value.problems == [Problem("duplicate key 'a'", field="a", file="f", line=2)]
    assert caught.value.as_json()["error"]["code"] == "invalid"


def test_yaml_without_libyaml_refuses_the_same() -> None:
    """PyYAML built without libyaml: the pure-Python reader gives the same answers (own process, as
    the choice of parser is made at import)."""
    script = textwrap.dedent("""
        import sys
        sys.modules["yaml._yaml"] = None
        from tiewatch.core.inputs import InputError, load_yaml, yaml_input
        assert not yaml_input._C_COMPOSER
        assert load_yaml("a: 1\\nb: [x, {c: 2018-01-01}]\\n") == {"a": 1, "b": ["x", {"c": "2018-01-01"}]}
        for text in ("a: &x 1\\nb: *x\\n", "[" * 3000, "a: 1\\na: 2\\n", "x: \\x07\\n", "a: [\\n"):
            try:
                load_yaml(text, "f")
            except InputError as error:
                print(error.lines()[0])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "f:2: aliases (*name) are not allowed; write the value out", "f:1: nested deeper than 64 levels",
        "f:2: a: duplicate key 'a'", "f:1: invalid YAML: unacceptable character #x0007",
        "f:2: invalid YAML: expected the node content, but found '<stream end>'"]
