"""Containers that remember where in a file they (and each of their items) were written."""

from __future__ import annotations

from typing import Any


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers its line and the line of each key (0 when unknown)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict[Any, int] = {}


class LineList(list):  # type: ignore[type-arg]
    """A sequence that remembers its line and the line of each item (0 when unknown)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line = 0
        self.item_lines: list[int] = []


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of `container[key]` when known, else the container's own line, else None."""
    if key is not None:
        if isinstance(container, LineDict) and key in container.key_lines:
            return container.key_lines[key] or None
        if isinstance(container, LineList) and isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key] or None
    return getattr(container, "line", None) or None
