"""`tiewatch` subcommands of list screening:

    tiewatch screen-list FILE.csv [--format csv|json|html] [--out PATH] [--name-column name] [--limit N]
                                  [--drafts]
    tiewatch screen-list-purge
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tiewatch.core.inputs import read_bytes
from tiewatch.policies.listscreen import conf


def add_commands(sub: argparse._SubParsersAction) -> None:
    screen = sub.add_parser("screen-list", help="screen a CSV list of names: best matches, ties, policy findings")
    screen.add_argument("file", help="CSV with a name column and optional state, country, kind, jurisdiction, "
                                     "aliases, id, note columns")
    screen.add_argument("--format", choices=conf.FORMATS, default="csv", help="output format (default csv)")
    screen.add_argument("--out", help="file to write (default: stdout)")
    screen.add_argument("--name-column", default="name", help="the column holding the names (default: name)")
    screen.add_argument("--limit", type=int, default=3, help="candidates per row, 1 to 10 (default 3)")
    screen.add_argument("--drafts", action="store_true",
                        help="match against draft entities and show draft ties too (staff use; not for publishing)")
    screen.set_defaults(func=cmd_screen_list, needs_django=True)

    purge = sub.add_parser("screen-list-purge", help="delete uploaded lists whose retention period has run out")
    purge.set_defaults(func=cmd_purge, needs_django=True)


def cmd_screen_list(args: argparse.Namespace) -> int:
    from tiewatch.core.errors import Problem, ValidationFailed
    from tiewatch.policies.listscreen import report
    from tiewatch.policies.listscreen.reader import read_list
    from tiewatch.policies.listscreen.screen import screen_rows

    if not 1 <= args.limit <= 10:
        raise ValidationFailed("bad --limit", [Problem("must be 1 to 10", field="--limit")])
    # The cap is checked on the file's size before reading it, so a 100 MB file is never loaded.
    data = read_bytes(args.file, conf.max_bytes(), "limit", "(setting TIEWATCH_SCREEN_LIST_MAX_BYTES); split the list")
    rows = read_list(data, args.file, args.name_column)
    text = report.render(screen_rows(rows, limit=args.limit, drafts=args.drafts, source=Path(args.file).name),
                         args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{len(rows)} rows screened; {args.format} written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from tiewatch.policies.listscreen.store import purge_expired

    print(f"{purge_expired()} expired list(s) deleted")
    return 0
