"""Shared checks of the tie tallies (tiewatch/registry/tallies.py) for the registry's, the datasets'
and the resolution's tally tests: every write path must leave the kept counts equal to a fresh count."""

from __future__ import annotations

from tiewatch.registry import tallies


def agree() -> None:
    assert tallies.differences() == []
    if tallies.kept():
        for drafts in (False, True):
            assert tallies.stored(drafts) == tallies.fresh(drafts)


def current(drafts: bool, dimensions: tuple[str, ...] = tallies.DIMENSIONS) -> tallies.Tallies:
    """The kept counts (PostgreSQL), or a fresh count where the database keeps none (SQLite)."""
    if tallies.kept():
        return tallies.stored(drafts, dimensions)
    fresh = tallies.fresh(drafts)
    return {name: fresh[name] for name in dimensions}
