"""`tiewatch` subcommands of the resolution app:

    tiewatch match "NAME" [--state NC] [--country US] [--kind sheriff] [--jurisdiction OCD] [--alias X ...]
                          [--limit N] [--drafts] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys


def add_commands(sub: argparse._SubParsersAction) -> None:
    match = sub.add_parser("match", help="rank registry entities against a name, explaining every score")
    match.add_argument("name", help="the name to match, e.g. \"DURHAM POLICE DEPT\"")
    match.add_argument("--state", default="", help="US postal code hint, e.g. NC")
    match.add_argument("--country", default="", help="ISO 3166-1 alpha-2 country hint, e.g. US")
    match.add_argument("--kind", default="", help="entity kind hint: police_agency, sheriff, company ...")
    match.add_argument("--jurisdiction", default="", help="Open Civic Data division id hint")
    match.add_argument("--alias", action="append", default=[], help="another name of the same body; repeatable")
    match.add_argument("--limit", type=int, default=5, help="candidates to show, 1 to 50 (default 5)")
    match.add_argument("--drafts", action="store_true", help="include draft entities (staff use)")
    match.add_argument("--json", action="store_true", help="print JSON for machines")
    match.set_defaults(func=cmd_match, needs_django=True)


def cmd_match(args: argparse.Namespace) -> int:
    from tiewatch.resolution.matching import Hints, candidate_dict, check_limit, match, query_dict, query_of

    query = query_of(Hints(name=args.name, state=args.state, country=args.country, kind=args.kind,
                           jurisdiction=args.jurisdiction, aliases=tuple(args.alias)), prefix="--")
    candidates = match([query], limit=check_limit(args.limit, "--limit"), drafts=args.drafts)[0]
    if args.json:
        json.dump({"query": query_dict(query), "candidates": [candidate_dict(c) for c in candidates]},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not candidates:
        print(f"no candidate for {query.name!r}")
        return 0
    for rank, candidate in enumerate(candidates, 1):
        record = candidate.record
        place = ", ".join(x for x in (record.state, record.country) if x)
        print(f"{rank}. {record.name} [{record.id}] {record.kind}{f' ({place})' if place else ''}")
        print(f"   score {candidate.score:.3f}, band {candidate.band}")
        for feature in candidate.features:
            print(f"   {feature.weight:+.2f} {feature.name}: {feature.detail}")
    return 0
