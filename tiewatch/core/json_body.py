"""The checks every JSON request body passes before any endpoint sees it (plain Python, no Django).

A body is refused, with an error naming where, when it is not JSON, when it nests deeper than
`MAX_DEPTH` (a body of 100,000 `[` would otherwise exhaust the parser's recursion), or when a string
holds text that cannot be stored: a NUL character (PostgreSQL refuses it) or a lone UTF-16
surrogate such as `"\\ud800"` (it has no UTF-8 form). The API's body parser (config/api.py) and the
endpoints that read their body themselves both call `load_json_body`, so every endpoint inherits it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tiewatch.core.errors import Problem, ValidationFailed

MAX_DEPTH = 64
NULL_CHARACTER = "Null characters are not allowed."
LONE_SURROGATE = "The text holds an invalid character (an unpaired UTF-16 surrogate)."
TOO_DEEP = f"The body is nested deeper than {MAX_DEPTH} levels."
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why this string cannot be stored as text, or None."""
    if "\x00" in value:
        return NULL_CHARACTER
    if _SURROGATE.search(value):
        return LONE_SURROGATE
    return None


def load_json_body(raw: bytes | str) -> Any:
    """The parsed body; ValidationFailed (422) when it is not JSON, too deep or holds unstorable text."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ValidationFailed(TOO_DEEP) from None
    except ValueError:  # includes a body that is not UTF-8
        raise ValidationFailed("The body is not valid JSON.") from None
    problems = json_problems(data)
    if problems and problems[0].message == TOO_DEEP:
        raise ValidationFailed(TOO_DEEP)
    if problems:
        raise ValidationFailed("The body holds text that cannot be stored.", problems)
    return data


def json_problems(data: Any, max_depth: int = MAX_DEPTH) -> list[Problem]:
    """Problems of parsed JSON, each naming its place (`name`, `items.0.title`); a value nested too
    deep gives the one problem TOO_DEEP. Iterative, so depth cannot exhaust the stack here either."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                problems.append(Problem(problem, field=where or "__all__"))
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth >= max_depth:
            return [Problem(TOO_DEEP)]
        if isinstance(value, dict):
            for key, item in value.items():
                place = f"{where}.{key}" if where else str(key)
                problem = text_problem(key)
                if problem:
                    problems.append(Problem(problem, field=place))
                stack.append((item, place, depth + 1))
        else:
            stack.extend((item, f"{where}.{i}" if where else str(i), depth + 1) for i, item in enumerate(value))
    return problems

