"""Vocabulary values as words for people: "state law", not "state_law". THE rule for labels the pages,
the map tooltips and the facet counts show (the `words` template filter uses it), so a value reads the
same in a list, a facet and a map."""

from __future__ import annotations


def words(value: object) -> str:
    """A snake_case vocabulary value ("executive_order", "equipment_transfer") as words; None as ""."""
    return str(value if value is not None else "").replace("_", " ")
