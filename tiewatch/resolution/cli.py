"""`tiewatch resolve` subcommands (docs/resolution.md#reviewing-candidate-pairs-and-merges):

    tiewatch resolve run [--dry-run] [--json]       find same-body pairs in the registry: merge or queue
    tiewatch resolve review [--decide L R J --note] review the queue in the terminal (or decide one pair)
    tiewatch resolve decisions [--json] [--all]     list decisions
    tiewatch resolve undo DECISION_ID               reverse a decision (a match is unmerged)
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_commands(sub: argparse._SubParsersAction) -> None:
    resolve = sub.add_parser("resolve", help="entity resolution: candidate pairs, decisions, merges (group)")
    resolve_sub = resolve.add_subparsers(dest="resolve_command", metavar="SUBCOMMAND")
    resolve_sub.required = True

    run = resolve_sub.add_parser("run", help="find same-body pairs in the registry: merge the certain, "
                                             "queue the doubtful")
    run.add_argument("--dry-run", action="store_true", help="say what would be merged and queued; write nothing")
    run.add_argument("--json", action="store_true", help="print the counts as JSON")
    run.set_defaults(func=_run, needs_django=True)

    review = resolve_sub.add_parser("review", help="review queued pairs interactively (or decide one pair)")
    review.add_argument("--decide", nargs=3, metavar=("LEFT", "RIGHT", "JUDGEMENT"),
                        help="decide one pair without asking: JUDGEMENT is match, no_match or unsure")
    review.add_argument("--note", default="", help="why (with --decide)")
    review.add_argument("--actor", default="", help="name recorded with the decisions (default: resolve review)")
    review.set_defaults(func=_review, needs_django=True)

    decisions = resolve_sub.add_parser("decisions", help="list decisions, newest first")
    decisions.add_argument("--json", action="store_true", help="JSON instead of a table")
    decisions.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    decisions.set_defaults(func=_decisions, needs_django=True)

    undo = resolve_sub.add_parser("undo", help="reverse a decision (a match's merge is taken apart exactly)")
    undo.add_argument("decision_id", type=int, metavar="DECISION_ID")
    undo.add_argument("--actor", default="", help="name recorded with the reversal (default: resolve undo)")
    undo.set_defaults(func=_undo, needs_django=True)


def _run(args: argparse.Namespace) -> int:
    from tiewatch.resolution.run import run

    counts = run(dry_run=args.dry_run, report=None if args.json else print)
    if args.json:
        print(json.dumps({**counts.as_dict(), "dry_run": args.dry_run}))
    else:
        print(f"{counts.compared} entities compared: {counts.merged} merged, {counts.queued} queued for review, "
              f"{counts.left_alone} pairs left alone (decided or queued before)"
              + (" (dry run: nothing written)" if args.dry_run else ""))
    return 0


def _review(args: argparse.Namespace) -> int:
    from tiewatch.resolution.decisions import decide

    actor = args.actor or "resolve review"
    if args.decide:
        left, right, judgement = args.decide
        decision = decide(left, right, judgement, args.note, actor=actor)
        print(f"decision {decision.pk}: {decision.judgement} {left} ~ {right}"
              + (f" (merged {decision.merge.merged_id} into {decision.merge.canonical_id})" if decision.merge else ""))
        return 0
    return review_loop(actor, input, print)


def review_loop(actor: str, ask: Any, say: Any) -> int:
    """Show each pending pair and ask m(atch) / n(o match) / u(nsure) / s(kip) / q(uit)."""
    from tiewatch.core.errors import TiewatchError
    from tiewatch.resolution.decisions import decide
    from tiewatch.resolution.queue import JUDGEMENT_KEYS, pending_pairs, print_pair

    done = 0
    for pair in pending_pairs():
        print_pair(pair, say)
        while True:
            key = ask("[m]atch, [n]o match, [u]nsure, [s]kip, [q]uit? ").strip().lower()[:1]
            if key in ("s", "q") or key in JUDGEMENT_KEYS:
                break
        if key == "q":
            break
        if key == "s":
            continue
        note = ask("note (why): ").strip()
        try:
            decision = decide(pair.left_id, pair.right_id, JUDGEMENT_KEYS[key], note, actor=actor)
        except TiewatchError as error:
            say("\n".join(error.lines()))
            continue
        say(f"decision {decision.pk}: {decision.judgement}")
        done += 1
    say(f"{done} decision(s) recorded")
    return 0


def _decisions(args: argparse.Namespace) -> int:
    from tiewatch.resolution.models import Decision
    from tiewatch.resolution.queue import decision_dict

    rows = [decision_dict(d) for d in Decision.objects.select_related("merge")[: max(args.limit, 1)]]
    if args.json:
        print(json.dumps({"decisions": rows}, indent=1, ensure_ascii=False))
        return 0
    for row in rows:
        state = f"undone {row['reversed_at'][:16]} by {row['reversed_by']}" if row["reversed_at"] else ""
        print(f"{row['id']:>5}  {row['at'][:16]}  {row['judgement']:<8}  {row['left']} ~ {row['right']}  "
              f"by {row['actor']}{' (automatic)' if row['automatic'] else ''}  {state}  {row['note']}".rstrip())
    if not rows:
        print("no decisions yet")
    return 0


def _undo(args: argparse.Namespace) -> int:
    from tiewatch.resolution.decisions import undo

    decision = undo(args.decision_id, actor=args.actor or "resolve undo")
    print(f"decision {decision.pk} undone ({decision.judgement} {decision.left_id} ~ {decision.right_id})"
          + ("; the merge was taken apart" if decision.merge else ""))
    return 0
