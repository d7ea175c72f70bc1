"""`tiewatch` subcommands of the campaigns app:

    tiewatch worker [--once]                 send queued emails (confirmation links) from the outbox
    tiewatch purge                           delete IPs past retention, old rate counters and sent mail,
                                             expired unconfirmed signatures
    tiewatch campaigns load-demo [--file F]  load the Durham story and the `example` petition (idempotent)
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _worker(args: argparse.Namespace) -> int:
    from tiewatch.campaigns import conf
    from tiewatch.campaigns.services.outbox import run_worker

    interval = float(args.interval or conf.get("TIEWATCH_CAMPAIGNS_WORKER_INTERVAL"))
    return run_worker(interval, once=args.once, report=lambda line: print(line, flush=True))


def _purge(args: argparse.Namespace) -> int:
    from tiewatch.campaigns.services.purge import purge

    result = purge()
    print(f"deleted {result['ips']} IP address(es), {result['rate_counters']} rate counter(s), "
          f"{result['sent_messages']} sent message(s), {result['unconfirmed']} expired unconfirmed signature(s)")
    return 0


def _load_demo(args: argparse.Namespace) -> int:
    from tiewatch.campaigns import demo_loader

    loaded = demo_loader.load(Path(args.file) if args.file else demo_loader.DEMO_FILE)
    print(", ".join(f"{k}: {v}" for k, v in loaded.stats.items()))
    if loaded.kept:
        print(f"kept (edited since the demo loaded them): {', '.join(loaded.kept)}")
    if loaded.stats["missing_ties"]:
        print("note: some evidence ties are not in the registry yet; load the registry demo first, then re-run")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this app's subcommands."""
    worker = sub.add_parser("worker", help="Send queued emails from the outbox (confirmation links)")
    worker.add_argument("--once", action="store_true", help="send what is queued, then exit")
    worker.add_argument("--interval", type=float, default=None, help="seconds between polls")
    worker.set_defaults(func=_worker, needs_django=True)

    purge = sub.add_parser("purge", help="Delete signers' IP addresses past the retention period")
    purge.set_defaults(func=_purge, needs_django=True)

    campaigns = sub.add_parser("campaigns", help="Campaign data (petitions, hearings, votes, letters)")
    campaigns_sub = campaigns.add_subparsers(dest="campaigns_command", metavar="SUBCOMMAND")
    campaigns_sub.required = True
    load = campaigns_sub.add_parser("load-demo", help="Load the Durham campaign and the example petition")
    load.add_argument("--file", default=None, help="YAML file (default: the bundled demo/durham.yaml)")
    load.set_defaults(func=_load_demo, needs_django=True)
