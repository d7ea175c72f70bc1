"""JSON with line numbers, through the public `json` API only.

`json.loads` (the C scanner) reads the values. A small tokenizer finds the structure first: where
each object opens, where each of its keys sits, and how deep the nesting goes, so that too-deep
input is refused before the scanner could recurse. `object_pairs_hook` receives the objects in the
order they close, which is the order the tokenizer's stack pops them; that pairs each object with
its lines and catches duplicate keys.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from typing import Any

from tiewatch.core.errors import Problem
from tiewatch.core.inputs.lines import LineDict
from tiewatch.core.inputs.text import MAX_DEPTH, InputError, problem

# A JSON string (followed by ':' when it is a key), or a bracket. Everything else (numbers, true,
# commas) needs no attention here: json.loads validates it.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"(\s*:)?|[{}\[\]]', re.DOTALL)


class _Lines:
    """Offset → 1-based line, by binary search over the newline offsets."""

    def __init__(self, text: str) -> None:
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1


def _structure(text: str, file: str, max_depth: int, lines: _Lines) -> list[tuple[int, list[int]]]:
    """(offset of '{', offsets of its keys) for each object, in closing order; refuses deep nesting."""
    stack: list[tuple[int, list[int]] | None] = []
    closed: list[tuple[int, list[int]]] = []
    for match in _TOKEN.finditer(text):
        char = text[match.start()]
        if char == '"':
            if match.group(1) and stack and stack[-1] is not None:
                stack[-1][1].append(match.start())
        elif char in "{[":
            stack.append((match.start(), []) if char == "{" else None)
            if len(stack) > max_depth:
                raise problem(f"nested deeper than {max_depth} levels", file, lines(match.start()))
        elif stack:
            opened = stack.pop()
            if char == "}" and opened is not None:
                closed.append(opened)
    return closed


def _object_hook(file: str, closed: list[tuple[int, list[int]]], lines: _Lines) -> Callable[[list[Any]], LineDict]:
    objects = iter(closed)

    def make(pairs: list[tuple[str, Any]]) -> LineDict:
        start, keys = next(objects, (-1, []))
        out = LineDict()
        out.line = lines(start) if start >= 0 else 0
        key_lines = [lines(offset) for offset in keys] if len(keys) == len(pairs) else [out.line] * len(pairs)
        for (key, value), line in zip(pairs, key_lines):
            if key in out:
                raise problem(f"duplicate key {key!r}", file, line, field=key)
            out[key] = value
            out.key_lines[key] = line
        return out

    return make


def load_json(text: str, file: str = "<text>", *, max_depth: int = MAX_DEPTH) -> Any:
    """One JSON document; objects come back as LineDict (line of the '{' and of each key).
    Raises InputError (file, line) for invalid JSON, duplicate keys, nesting deeper than max_depth."""
    lines = _Lines(text)
    closed = _structure(text, file, max_depth, lines)
    try:
        return json.loads(text, object_pairs_hook=_object_hook(file, closed, lines))
    except json.JSONDecodeError as error:
        raise problem(f"invalid JSON: {error.msg}", file, error.lineno) from None
    except RecursionError:  # unreachable after _structure; kept so no input can escape as a crash
        raise problem(f"nested deeper than {max_depth} levels", file) from None


def _unique(file: str, line: int) -> Callable[[list[Any]], dict[str, Any]]:
    def make(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    raise problem(f"duplicate key {key!r}", file, line, field=key)
                seen.add(key)
        return out

    return make


def load_jsonl(text: str, file: str = "<text>", *, max_depth: int = MAX_DEPTH) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """JSON lines: (line number, value) for each non-blank line, and a problem for each bad one.
    Objects are plain dicts: each value's line is its line number."""
    values: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            # Counting brackets is cheap and bounds the depth; only a line with many is tokenized.
            if line.count("[") + line.count("{") > max_depth:
                _structure(line, file, max_depth, lambda offset, number=number: number)  # type: ignore[arg-type]
            values.append((number, json.loads(line, object_pairs_hook=_unique(file, number))))
        except json.JSONDecodeError as error:
            problems.append(Problem(f"invalid JSON: {error.msg}", file=file, line=number))
        except InputError as error:
            problems.extend(error.problems)
    return values, problems
