"""Bytes to text: size cap and UTF-8 decoding with the line of the first bad byte."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tiewatch.core.errors import Problem, ValidationFailed

# Deeper than any real bundle, law pack or campaign file, far below Python's recursion limit.
MAX_DEPTH = 64


class InputError(ValidationFailed):
    """A file that cannot be read as the data it should hold; `problems` say where."""

    def __init__(self, problems: Iterable[Problem], message: str = "") -> None:
        problems = list(problems)
        super().__init__(message or (str(problems[0]) if problems else "unreadable input"), problems)


def problem(message: str, file: str, line: int | None = None, field: str = "") -> InputError:
    return InputError([Problem(message, field=field, file=file, line=line)])


def read_bytes(path: str | Path, max_bytes: int | None = None, cap: str = "limit", advice: str = "") -> bytes:
    """The file's bytes; InputError when missing, unreadable or over `max_bytes` (the message names
    the `cap` and gives the `advice`, e.g. which setting raises it)."""
    path = Path(path)
    try:
        if max_bytes is not None:
            size = path.stat().st_size
            if size > max_bytes:
                message = f"file is {size:,} bytes, over the {cap} of {max_bytes:,}"
                raise problem(f"{message} {advice}" if advice else message, str(path))
        return path.read_bytes()
    except OSError as error:
        raise problem(f"cannot read the file ({error.strerror or error})", str(path)) from None


def decode(data: bytes, file: str) -> str:
    """UTF-8 text without a leading BOM; InputError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise problem(f"not UTF-8 text ({error.reason})", file, line) from None


def read_text(path: str | Path, max_bytes: int | None = None, cap: str = "limit", advice: str = "") -> str:
    return decode(read_bytes(path, max_bytes, cap, advice), str(path))
