"""`tiewatch` subcommands of the arms app."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this app's subcommands."""
