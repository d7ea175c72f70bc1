"""`tiewatch` subcommands of the policies app:

    tiewatch check --subject ID --counterpart ID --kind KIND --date YYYY-MM-DD [--program ID]
                   [--attr key=value ...] [--policies DIR] [--json]
    tiewatch screen [--policies DIR] [--json] [--no-store] [--summary] [--subjects N]
                    [--as-of DATE ...] [--rules-of DATE]
    tiewatch policies validate DIR [--entities FILE]
    tiewatch policies list [--policies DIR] [--json]
    tiewatch findings export [--format csv|json] [--all] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tiewatch.core.errors import Problem, ValidationFailed


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this app's subcommands."""
    check = sub.add_parser("check", help="screen one proposed tie against all loaded policies")
    check.add_argument("--subject", required=True, help="entity id (or exact name) of the local agency")
    check.add_argument("--counterpart", required=True, action="append",
                       help="entity id (or exact name) of the counterpart; repeat for several")
    check.add_argument("--kind", required=True, help="tie kind, e.g. exchange, training, delegation")
    check.add_argument("--date", required=True, help="YYYY-MM-DD (or YYYY-MM, YYYY)")
    check.add_argument("--program", help="program or intermediary entity id")
    check.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE", help="tie attribute")
    check.add_argument("--policies", help="law pack directory (default: settings.TIEWATCH_POLICY_DIRS)")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(func=cmd_check, needs_django=True)

    screen = sub.add_parser("screen", help="screen every tie in the registry and store the findings")
    screen.add_argument("--policies", help="law pack directory (default: settings.TIEWATCH_POLICY_DIRS)")
    screen.add_argument("--json", action="store_true", help="print the findings as JSON")
    screen.add_argument("--no-store", action="store_true", help="do not record a screening run")
    screen.add_argument("--as-of", action="append", default=[], metavar="DATE",
                        help="screen the registry as it stood on DATE (YYYY-MM-DD) under the rules in force "
                             "that day; repeat for several dates; nothing is stored")
    screen.add_argument("--rules-of", metavar="DATE",
                        help="with --as-of: apply the rules in force on DATE instead, as if they applied then")
    screen.add_argument("--summary", action="store_true",
                        help="print, per rule, how many ties and which subjects it caught")
    screen.add_argument("--subjects", type=int, default=10, metavar="N",
                        help="subjects listed per rule in a summary, most ties first (0: all; default 10)")
    screen.set_defaults(func=cmd_screen, needs_django=True)

    policies = sub.add_parser("policies", help="law packs: validate, list")
    psub = policies.add_subparsers(dest="policies_command", metavar="ACTION")
    psub.required = True
    validate = psub.add_parser("validate", help="validate law pack files (no database needed)")
    validate.add_argument("dir", help="a law pack directory or file")
    validate.add_argument("--entities", help="a registry bundle (YAML with `entities:`) to check entity ids against")
    validate.set_defaults(func=cmd_validate, needs_django=False)
    plist = psub.add_parser("list", help="list the loaded instruments and their rules")
    plist.add_argument("--policies", help="law pack directory (default: settings.TIEWATCH_POLICY_DIRS)")
    plist.add_argument("--json", action="store_true")
    plist.set_defaults(func=cmd_list, needs_django=False)

    findings = sub.add_parser("findings", help="stored screening findings")
    fsub = findings.add_subparsers(dest="findings_command", metavar="ACTION")
    fsub.required = True
    export = fsub.add_parser("export", help="export findings as CSV or JSON")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--all", action="store_true", help="include findings that have disappeared")
    export.add_argument("--output", help="file to write (default: stdout)")
    export.set_defaults(func=cmd_findings_export, needs_django=True)


def cmd_check(args: argparse.Namespace) -> int:
    from tiewatch.policies import services

    attrs = services.parse_attrs(args.attr)
    result = services.check_proposed(args.subject, args.counterpart, args.kind, args.date, args.program, attrs,
                                     args.policies)
    data = result.as_dict()
    if args.json:
        print(json.dumps({"verdict": data["verdict"], "findings": data["findings"]}, indent=2, ensure_ascii=False))
        return 0
    print(f"verdict: {result.verdict}")
    if not result.findings:
        print("No loaded policy applies to this tie.")
    for f in data["findings"]:
        print(f"\n{f['effect']}: {f['policy']} / {f['rule']}"
              + (f" (counterpart {f['counterpart']})" if f["counterpart"] else ""))
        print(f"  clause: {f['clause']}")
        print("  because:")
        for r in f["reasons"]:
            print(f"    - {r}")
        for e in f["evidence"]:
            print(f"  evidence: {e['tie']} ({e['status']}: {e['attribute']} = {e['value']!r}, in {e['country']})")
            for c in e.get("claims", ()):
                print(f"    claim: {c['claimant']} says {c['value']!r} ({c['confidence']}; {', '.join(c['sources'])})")
        for src in f["sources"]:
            print(f"  source: {src}")
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    from tiewatch.policies import services
    from tiewatch.policies.engine.bydate import summarize

    if args.as_of:
        return _screen_by_date(args)
    if args.rules_of:
        raise ValidationFailed("--rules-of needs --as-of", [Problem("--rules-of needs --as-of", field="rules_of")])
    run, findings = services.run_screening(args.policies, store=not args.no_store)
    verdicts = services.verdicts_by_tie(findings)
    if args.json:
        out: dict[str, Any] = {
            "run": None if run is None else {"id": run.pk, "ties_screened": run.ties_screened,
                                             "appeared": run.appeared, "disappeared": run.disappeared},
            "verdicts": verdicts,
            "findings": [f.as_dict() for f in findings],
        }
        if args.summary:
            out["summary"] = [r.as_dict(limit=args.subjects) for r in summarize(findings)]
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if run is not None:
        print(f"screening run {run.pk}: {run.ties_screened} ties, {len(findings)} findings "
              f"({run.appeared} appeared, {run.disappeared} disappeared) in {run.duration_ms:.0f} ms")
    if args.summary:
        _print_summary(summarize(findings), {}, args.subjects)
    else:
        for f in findings:
            print(f"{f.tie}: {f.effect} by {f.policy}/{f.rule}" + (f" (counterpart {f.counterpart})" if f.counterpart
                                                                  else ""))
    counts: dict[str, int] = {}
    for v in verdicts.values():
        counts[v] = counts.get(v, 0) + 1
    print("verdicts: " + (", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "every tie allowed"))
    return 0


def _screen_by_date(args: argparse.Namespace) -> int:
    from tiewatch.policies import services
    from tiewatch.policies.engine.bydate import summarize

    rules_of = services.parse_days([args.rules_of], "rules_of")[0] if args.rules_of else None
    names, results = services.screen_by_date(services.parse_days(args.as_of), args.policies, rules_of=rules_of)
    rules_day = f" under the rules in force on {rules_of}" if rules_of else ""
    if args.json:
        out = [{"date": day.isoformat(), "rules_of": (rules_of or day).isoformat(), "findings": len(findings),
                "rules": [r.as_dict(names, args.subjects) for r in summarize(findings)]}
               for day, findings in results]
        print(json.dumps({"as_of": out}, indent=2, ensure_ascii=False))
        return 0
    for day, findings in results:
        print(f"as of {day}{rules_day}: {len(findings)} findings")
        _print_summary(summarize(findings), names, args.subjects)
    return 0


def _print_summary(summaries: list[Any], names: dict[str, str], limit: int) -> None:
    if not summaries:
        print("  no rule in force caught any tie")
    for r in summaries:
        print(f"  {r.policy}/{r.rule} ({r.effect}{'' if r.binding else ', non-binding'}): "
              f"{r.ties} ties, {len(r.subjects)} subjects")
        for sid, n in r.subjects.most_common(limit or None):
            print(f"    {n:>6}  {sid}" + (f"  {names[sid]}" if names.get(sid) else ""))


def _bundle_entity_ids(path: str) -> set[str]:
    # Imported here, not at the top: every `tiewatch` command imports this module to build its parser.
    from tiewatch.core.inputs import load_yaml, read_text

    data = load_yaml(read_text(path), path)  # InputError (a ValidationFailed) names file and line
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise ValidationFailed(f"{path}: no `entities:` list", [Problem("no `entities:` list", file=path)])
    return {e["id"] for e in data["entities"] if isinstance(e, dict) and "id" in e}


def cmd_validate(args: argparse.Namespace) -> int:
    from tiewatch.policies.engine import load_policies

    known = _bundle_entity_ids(args.entities) if args.entities else None
    instruments = load_policies([args.dir], known)
    rules = sum(len(i.rules) for i in instruments)
    print(f"ok: {len(instruments)} instrument(s), {rules} rule(s) in {args.dir}")
    return 0


def _default_dirs() -> list[str]:
    from django.conf import settings

    try:
        return list(settings.TIEWATCH_POLICY_DIRS)
    except AttributeError:  # settings without the policy setting: the shipped packs
        return [str(Path(__file__).resolve().parent / "laws")]


def cmd_list(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from tiewatch.policies.engine import load_policies
    from tiewatch.policies.services import instrument_summary, rule_dict

    instruments = load_policies([args.policies] if args.policies else _default_dirs())
    if args.json:
        out = []
        for inst in instruments:
            d = instrument_summary(inst)
            d["rules"] = [rule_dict(inst, r) for r in inst.rules]
            out.append(d)
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    for inst in instruments:
        status = "example" if inst.example else ("rescinded " + str(inst.rescinded) if inst.rescinded else "in force")
        vote = f", vote {inst.vote.summary()}" if inst.vote else ""
        print(f"{inst.id}  [{inst.type}, {'binding' if inst.binding else 'non-binding'}, adopted {inst.adopted}"
              f"{vote}, {status}]")
        print(f"  {inst.title} — {inst.body} ({inst.jurisdiction})")
        for rule in inst.rules:
            print(f"  - {rule.id}: {rule.effect} {', '.join(sorted(rule.tie_kinds))}")
    return 0


def cmd_findings_export(args: argparse.Namespace) -> int:
    from tiewatch.policies.models import Finding
    from tiewatch.policies.services import FINDING_COLUMNS, to_csv

    qs = Finding.objects.all() if args.all else Finding.objects.filter(disappeared_run__isnull=True)
    rows = [f.as_dict() for f in qs]
    text = (json.dumps(rows, indent=2, ensure_ascii=False) + "\n") if args.format == "json" \
        else to_csv(FINDING_COLUMNS, rows)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {len(rows)} findings to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
