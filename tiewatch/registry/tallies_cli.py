"""`tiewatch tallies check|rebuild`: the registry's tie tallies (tiewatch/registry/tallies.py)."""

from __future__ import annotations

import argparse
import sys


def add_commands(sub: argparse._SubParsersAction) -> None:
    tallies = sub.add_parser("tallies", help="the tie counts kept for the site's facets, chart and maps")
    actions = tallies.add_subparsers(dest="tallies_command", metavar="ACTION")
    actions.required = True
    check = actions.add_parser("check", help="compare the kept counts with a fresh count; exit 1 on a difference")
    check.set_defaults(func=cmd_check, needs_django=True)
    rebuild = actions.add_parser("rebuild", help="recount the kept counts from the ties")
    rebuild.set_defaults(func=cmd_rebuild, needs_django=True)


def cmd_check(args: argparse.Namespace) -> int:
    from tiewatch.registry import tallies

    if not tallies.kept():
        print("this database keeps no tallies (SQLite counts afresh): nothing to check")
        return 0
    found = tallies.differences()
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"{len(found)} count(s) differ: run `tiewatch tallies rebuild`", file=sys.stderr)
        return 1
    print("tallies agree with a fresh count")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from tiewatch.registry import tallies

    if not tallies.kept():
        print("this database keeps no tallies (SQLite counts afresh): nothing to rebuild")
        return 0
    print(f"tallies rebuilt: {tallies.rebuild()} row(s)")
    return 0
