"""JSON with line numbers, through the public `json` API only.

`json.loads` (the C scanner) reads the values. The structure is found first, at C speed too: every
string is replaced by `""` (JSON strings hold no raw newline, so lines stay where they were), and
what remains is brackets, keys (`"":`) and scalars. One pass over the brackets gives each object's
line and refuses nesting deeper than the limit before the scanner could recurse.
`object_pairs_hook` receives the objects in the order they close, which is the order the brackets'
stack pops them: that pairs each object with its line, and catches duplicate keys.
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

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_BRACKET = re.compile(r"[{}\[\]]")
_KEY_OR_BRACKET = re.compile(r'"\s*:|[{}\[\]]')


class _Shape:
    """The text without its strings: bracket offsets, lines, and where each object opens."""

    def __init__(self, text: str, file: str, max_depth: int) -> None:
        self.bare = _STRING.sub('""', text)
        self.newlines = [match.start() for match in re.finditer("\n", self.bare)]
        self.file = file
        self.closed: list[int] = []  # offsets of each object's '{', in closing order
        stack: list[int] = []  # offset of '{', or -1 for '['
        for match in _BRACKET.finditer(self.bare):
            char = match.group()
            if char == "{" or char == "[":
                stack.append(match.start() if char == "{" else -1)
                if len(stack) > max_depth:
                    raise problem(f"nested deeper than {max_depth} levels", file, self.line(match.start()))
            elif stack:
                opened = stack.pop()
                if char == "}" and opened >= 0:
                    self.closed.append(opened)

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    def key_line(self, start: int, index: int) -> int:
        """The line of the object's `index`-th key (0-based), the object opening at `start`."""
        depth, seen = 0, -1
        for match in _KEY_OR_BRACKET.finditer(self.bare, start):
            char = match.group()[0]
            if char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    break
            elif depth == 1:
                seen += 1
                if seen == index:
                    return self.line(match.start())
        return self.line(start)

    def object_hook(self) -> Callable[[list[Any]], LineDict]:
        objects = iter(self.closed)

        def make(pairs: list[tuple[str, Any]]) -> LineDict:
            start = next(objects, -1)
            out = LineDict(pairs)
            out.line = self.line(start) if start >= 0 else 0
            if len(out) != len(pairs):
                self._duplicate(pairs, start)
            return out

        return make

    def _duplicate(self, pairs: list[tuple[str, Any]], start: int) -> None:
        seen: set[str] = set()
        for index, (key, _) in enumerate(pairs):
            if key in seen:
                line = self.key_line(start, index) if start >= 0 else None
                raise problem(f"duplicate key {key!r}", self.file, line, field=key)
            seen.add(key)


def load_json(text: str, file: str = "<text>", *, max_depth: int = MAX_DEPTH) -> Any:
    """One JSON document; objects come back as LineDict with the line of their '{' (key lines
    are not tracked: a duplicate key's line is found when it is reported).
    Raises InputError (file, line) for invalid JSON, duplicate keys, nesting deeper than max_depth."""
    shape = _Shape(text, file, max_depth)
    try:
        return json.loads(text, object_pairs_hook=shape.object_hook())
    except json.JSONDecodeError as error:
        raise problem(f"invalid JSON: {error.msg}", file, error.lineno) from None
    except RecursionError:  # unreachable after _Shape; kept so no input can escape as a crash
        raise problem(f"nested deeper than {max_depth} levels", file) from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


# One decoder for every line (json.loads(text, **kwargs) builds a new one per call). Objects come
# back as their (key, value) pairs, built by the C scanner with no Python call per object: a line
# holding one object and no other (most JSON lines) is checked for duplicates with one dict(); any
# other line goes through the checking hook.
_PAIRS_DECODER = json.JSONDecoder(object_pairs_hook=list)
_CHECKING_DECODER = json.JSONDecoder(object_pairs_hook=_unique_pairs)


def load_jsonl(text: str, file: str = "<text>", *,
               max_depth: int = MAX_DEPTH) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """JSON lines: (line number, value) for each non-blank line, and a problem for each bad one.
    Objects are plain dicts: each value's line is its line number."""
    values: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    append, pairs_of = values.append, _PAIRS_DECODER.decode
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.isspace():
            continue
        try:
            braces = line.count("{")
            # Counting brackets is cheap and bounds the depth; only a line with many is looked at.
            if braces + line.count("[") > max_depth:
                _Shape(line, file, max_depth)
            if braces == 1 and line[0] == "{":  # the hot path: one flat object per line
                pairs = pairs_of(line)
                value = dict(pairs)
                if len(value) != len(pairs):
                    _unique_pairs(pairs)  # raises _DuplicateKey naming the key
                append((number, value))
            else:
                append((number, _CHECKING_DECODER.decode(line)))
        except json.JSONDecodeError as error:
            problems.append(Problem(f"invalid JSON: {error.msg}", file=file, line=number))
        except _DuplicateKey as error:
            problems.append(Problem(f"duplicate key {error.key!r}", field=error.key, file=file, line=number))
        except InputError as error:
            problems.extend(_on_line(error.problems, number))
    return values, problems


def _on_line(problems: list[Problem], number: int) -> list[Problem]:
    return [Problem(p.message, field=p.field, file=p.file, line=number) for p in problems]
