"""`tiewatch sources capture|check|report`: archive cited sources, watch their live links for rot,
and list the dead ones nobody archived (docs/registry.md#archived-sources)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tiewatch.core.errors import Problem, ValidationFailed


def add_commands(sub: argparse._SubParsersAction) -> None:
    sources = sub.add_parser("sources", help="archive cited sources and check their links")
    actions = sources.add_subparsers(dest="sources_command", metavar="ACTION")
    actions.required = True
    cap = actions.add_parser("capture", help="fetch each source once and store an archived copy (WARC + text)")
    _selection(cap)
    cap.add_argument("--again", action="store_true", help="also capture sources that already have a copy")
    cap.set_defaults(func=cmd_capture, needs_django=True)
    chk = actions.add_parser("check", help="check the live links: status, redirects, dead since")
    _selection(chk)
    chk.set_defaults(func=cmd_check, needs_django=True)
    rep = actions.add_parser("report", help="list dead sources without an archived copy")
    rep.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    rep.set_defaults(func=cmd_report, needs_django=True)


def _selection(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every source")
    which.add_argument("--ids", nargs="+", metavar="ID", help="these source ids")
    parser.add_argument("--concurrency", type=int, default=8, help="sources fetched at once (default 8, at most 64)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _pairs(args: argparse.Namespace, again: bool) -> list[tuple[str, str]]:
    from tiewatch.registry.archive.services import select

    if not 1 <= args.concurrency <= 64:
        raise ValidationFailed("bad option", [Problem("must be between 1 and 64", field="--concurrency")])
    qs, missing = select(args.ids, args.all, again)
    if missing:
        raise ValidationFailed("unknown source ids; nothing was fetched",
                               [Problem(f"unknown source id {sid!r}", field="--ids") for sid in missing])
    return list(qs.values_list("id", "url"))


@contextmanager
def _bar(label: str, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        yield update


def _finish(kind: str, report: Any) -> int:
    print(f"{kind}: {report.done} ok, {len(report.failed)} failed")
    for sid, url, why in sorted(report.failed):
        print(f"  {sid}: {why} ({url})")
    return 0


def cmd_capture(args: argparse.Namespace) -> int:
    from tiewatch.registry.archive.services import capture

    todo = _pairs(args, again=args.again or bool(args.ids))
    with _bar("capturing", not args.quiet and sys.stderr.isatty()) as progress:
        report = capture(todo, args.concurrency, progress)
    return _finish("captured", report)


def cmd_check(args: argparse.Namespace) -> int:
    from tiewatch.registry.archive.services import check

    todo = _pairs(args, again=True)
    with _bar("checking", not args.quiet and sys.stderr.isatty()) as progress:
        report = check(todo, args.concurrency, progress)
    return _finish("checked", report)


def cmd_report(args: argparse.Namespace) -> int:
    from tiewatch.registry.archive.services import dead_without_capture

    rows = [{"source": link.source_id, "url": link.source.url, "status": link.status, "error": link.error,
             "dead_since": link.dead_since.isoformat() if link.dead_since else None,
             "last_checked": link.last_checked.isoformat()} for link in dead_without_capture()]
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    print(f"{len(rows)} dead source(s) without an archived copy")
    for row in rows:
        print(f"  {row['source']}  dead since {str(row['dead_since'])[:10]}  {row['status'] or row['error']}  {row['url']}")
    return 0
