"""`tiewatch datasets list` and `tiewatch datasets import NAME --path DIR`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_commands(sub: argparse._SubParsersAction) -> None:
    datasets = sub.add_parser("datasets", help="external datasets (the 1033 program files ...): list, import")
    commands = datasets.add_subparsers(dest="datasets_command", metavar="SUBCOMMAND")
    commands.required = True

    listing = commands.add_parser("list", help="the dataset folders and their metadata")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_list, needs_django=False)

    imp = commands.add_parser("import", help="read every file of a dataset under DIR and write it as ties")
    imp.add_argument("name", metavar="NAME", help="the dataset (see `tiewatch datasets list`)")
    imp.add_argument("--path", type=Path, required=True, metavar="DIR", help="folder holding the dataset's files")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    imp.add_argument("--allow-errors", type=int, default=0, metavar="N",
                     help="import the good rows when at most N rows are refused (default 0)")
    imp.add_argument("--dry-run", action="store_true", help="read, check and count; write nothing")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.add_argument("--actor", default="", help="name recorded in the audit trail (default: datasets)")
    imp.set_defaults(func=cmd_import, needs_django=True)


def cmd_list(args: argparse.Namespace) -> int:
    from tiewatch.datasets.spec import discover

    folders = [folder.as_dict() for folder in discover().values()]
    if args.json:
        print(json.dumps(folders, indent=1, ensure_ascii=False))
        return 0
    for item in folders:
        coverage = f"{item['coverage']['from']} – {item['coverage']['to'] or 'now'}"
        print(f"{item['name']}: {item['title']} ({item['publisher']}; {coverage}; {item['update_frequency']})")
        print(f"  {item['source_url']}  licence: {item['licence']}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tiewatch.datasets.importer import import_dataset

    if args.allow_errors < 0:
        print("--allow-errors must be 0 or more", file=sys.stderr)
        return 2
    with _Bar(enabled=not args.quiet and not args.json and sys.stderr.isatty()) as progress:
        report = import_dataset(args.name, args.path, allow_errors=args.allow_errors, actor=args.actor or "datasets",
                                progress=progress, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(report.as_dict(), indent=1, ensure_ascii=False))
    else:
        for notice in report.notices:
            print(f"note: {notice}", file=sys.stderr)
        print("\n".join(report.summary_lines()))
        if args.dry_run:
            print("nothing written (--dry-run)")
    return 0


class _Bar:
    """A rich progress bar per stage (reading, writing), fed by the importer."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                            TimeRemainingColumn(), console=Console(stderr=True), transient=False)
        self.bar.start()
        return self.report

    def report(self, stage: str, advance: int, total: int | None) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task({"read": "checking", "write": "writing"}.get(stage, stage),
                                                  total=total)
        self.bar.update(self.tasks[stage], advance=advance, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.bar.stop()
