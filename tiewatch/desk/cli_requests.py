"""`tiewatch desk requests` (list, `--overdue`) and `tiewatch desk digests --frequency daily|weekly`."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from tiewatch.core.csvsafe import escape_cell


def desk_group(sub: Any) -> Any:
    """The `desk` command's subcommands, shared with the desk's other CLI modules: whichever module
    registers first creates the group."""
    parser = sub.choices.get("desk")
    if parser is None:
        parser = sub.add_parser("desk", help="The research desk: records requests, follows and digests")
        group = parser.add_subparsers(dest="desk_command", metavar="DESK_COMMAND")
        group.required = True
        return group
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("the desk command has no subcommands")


def add_commands(sub: Any) -> None:
    group = desk_group(sub)
    p = group.add_parser("requests", help="List public-records requests (CSV, JSON or a table)")
    p.add_argument("--overdue", action="store_true", help="Only requests past their legal deadline, still open")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--public", action="store_true", help="Only what the public sees (published requests)")
    p.set_defaults(func=cmd_requests, needs_django=True)
    d = group.add_parser("digests", help="Queue and send the follow digests due this period (idempotent)")
    d.add_argument("--frequency", choices=("daily", "weekly"), required=True)
    d.add_argument("--no-send", action="store_true", help="Queue in the outbox only; the worker sends them")
    d.set_defaults(func=cmd_digests, needs_django=True)


def cmd_requests(args: argparse.Namespace) -> int:
    from tiewatch.desk import requests_service as svc

    qs = svc.visible_requests(drafts=not args.public)
    if args.overdue:
        qs = svc.overdue(qs)
    rows = [svc.export_row(r) for r in qs]
    if args.format == "json":
        print(json.dumps(rows, indent=1))
    elif args.format == "csv":
        from tiewatch.desk.views_requests import EXPORT_COLUMNS

        writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows({k: escape_cell(v) for k, v in row.items()} for row in rows)
    else:
        for row in rows:
            flag = " OVERDUE" if row["overdue"] else ""
            print(f"{row['id']}\t{row['agency']}\t{row['status']}\tdeadline {row['deadline'] or '-'}{flag}\t{row['title']}")
        print(f"{len(rows)} request(s)", file=sys.stderr)
    return 0


def cmd_digests(args: argparse.Namespace) -> int:
    from tiewatch.campaigns.services.outbox import send_outbox
    from tiewatch.desk.follows_service import send_digests

    run = send_digests(args.frequency)
    print(f"{args.frequency} digests for {run.period}: {run.due} due, {run.sent} queued, {run.empty} with nothing new")
    if not args.no_send:
        sent, failed = send_outbox()
        print(f"outbox: sent {sent}, failed {failed}")
    return 0
