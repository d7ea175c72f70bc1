"""One error hierarchy for the whole project.

Every user-facing failure is a `TiewatchError` with a stable `code`, an HTTP status for the API
and, for bad input, a list of `Problem`s that name the file, line and field. The CLI prints the
problems one per line (`file:line: field: message`) and exits non-zero; the API renders them as
`{"error": {"code", "message", "fields"}}`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where (file, line, field) and what."""

    message: str
    field: str = ""
    file: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        parts = [p for p in (where, self.field) if p]
        return ": ".join([*parts, self.message])


class TiewatchError(Exception):
    """Base of all expected errors (bad input, not found, conflicts)."""

    code = "error"
    status = 400

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def fields(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for problem in self.problems:
            out.setdefault(problem.field or "__all__", []).append(problem.message)
        return out

    def as_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields()}}

    def lines(self) -> list[str]:
        """Human lines for the CLI: the problems, or the message if there are none."""
        return [str(p) for p in self.problems] or [self.message]


class ValidationFailed(TiewatchError):
    code = "invalid"
    status = 422


class NotFound(TiewatchError):
    code = "not_found"
    status = 404


class Conflict(TiewatchError):
    code = "conflict"
    status = 409


class Gone(TiewatchError):
    code = "gone"
    status = 410


class RateLimited(TiewatchError):
    code = "rate_limited"
    status = 429


class PermissionDenied(TiewatchError):
    code = "forbidden"
    status = 403


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix when a close choice exists, else ''."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
