"""`tiewatch desk` subcommands:

    tiewatch desk questions                            the declared research questions (checks questions.yaml)
    tiewatch desk coverage [--question Q] [--format F]  export public coverage records (CSV or JSON lines)
    tiewatch desk progress                             each task list's open / claimed / submitted / accepted
"""

from __future__ import annotations

import argparse
import json
import sys


def _questions(args: argparse.Namespace) -> int:
    from tiewatch.desk.questions import questions

    for q in questions():
        print(f"{q.slug}\t{q.title}")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from tiewatch.core.errors import NotFound
    from tiewatch.desk import coverage, questions
    from tiewatch.registry.exporters import write_csv

    if args.question and questions.question(args.question) is None:
        raise NotFound(f"No question {args.question!r}; see `tiewatch desk questions`.")
    rows = coverage.export_records(args.question or None)
    if args.format == "json":
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    else:
        write_csv(sys.stdout, coverage.EXPORT_COLUMNS, rows)
    return 0


def _progress(args: argparse.Namespace) -> int:
    from tiewatch.desk.models import TaskList
    from tiewatch.desk.workflow import progress

    for task_list in TaskList.objects.order_by("slug"):
        counts = progress(task_list)
        print(f"{task_list.slug}\t" + "\t".join(f"{state} {n}" for state, n in counts.items()))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    desk = sub.add_parser("desk", help="the research desk: coverage and research tasks")
    desk_sub = desk.add_subparsers(dest="desk_command", metavar="SUBCOMMAND")
    desk_sub.required = True
    p = desk_sub.add_parser("questions", help="list the declared research questions")
    p.set_defaults(func=_questions, needs_django=False)
    p = desk_sub.add_parser("coverage", help="export public coverage records")
    p.add_argument("--question", default="", help="one question's slug (default: all)")
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="csv (default) or json lines")
    p.set_defaults(func=_coverage, needs_django=True)
    p = desk_sub.add_parser("progress", help="progress of each task list")
    p.set_defaults(func=_progress, needs_django=True)
