"""docs/arms.md documents every `tiewatch arms` subcommand and every /api/arms/ path."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.urls import get_resolver

from tiewatch.arms.cli import add_commands

DOC = Path(__file__).resolve().parents[3] / "docs" / "arms.md"


def test_every_subcommand_is_documented() -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers())
    arms = next(a for a in parser._subparsers._group_actions[0].choices.values())  # type: ignore[union-attr]
    names = next(a for a in arms._actions if isinstance(a, argparse._SubParsersAction)).choices
    text = DOC.read_text()
    missing = [n for n in names if f"tiewatch arms {n}" not in text]
    assert not missing and len(names) >= 10


def test_every_api_path_is_documented() -> None:
    from tiewatch.arms.api import router

    text = DOC.read_text()
    paths = [f"/api/arms{p}" for p in router.path_operations]
    assert paths and not [p for p in paths if p not in text]
    assert get_resolver() is not None
