"""`tiewatch arms ...` subcommands: SIPRI arms-transfer analytics (no database needed)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from tiewatch.core.errors import Problem, ValidationFailed

ROLE_CHOICES = ("exporter", "importer")


def default_data() -> list[str]:
    """settings.TIEWATCH_ARMS_DATA when Django settings are loaded, else env TIEWATCH_ARMS_DATA (comma-separated)."""
    try:
        from django.conf import settings

        if settings.configured and getattr(settings, "TIEWATCH_ARMS_DATA", None):
            return list(settings.TIEWATCH_ARMS_DATA)
    except ImportError:  # pragma: no cover - Django is always installed with tiewatch
        pass
    return [p.strip() for p in os.environ.get("TIEWATCH_ARMS_DATA", "").split(",") if p.strip()]


def default_cache() -> str | None:
    try:
        from django.conf import settings

        if settings.configured:
            return str(settings.TIEWATCH_ARMS_CACHE)
    except ImportError:  # pragma: no cover
        pass
    # The same defaults as config/settings.py, without loading Django.
    var_dir = os.environ.get("TIEWATCH_VAR_DIR") or str(Path(__file__).resolve().parents[2] / "var")
    return os.environ.get("TIEWATCH_ARMS_CACHE") or str(Path(var_dir) / "arms-cache")


def open_store(args: argparse.Namespace, progress: bool = False):
    from .engine.datasets import Store

    paths = list(getattr(args, "paths", None) or []) + list(args.data or []) or default_data()
    if not paths:
        raise ValidationFailed("no data configured", [Problem(
            "give --data PATH (a SIPRI file or folder) or set TIEWATCH_ARMS_DATA", field="data")])
    if progress and not args.json:
        return _open_with_progress(Store, paths, args.cache or default_cache())
    return Store.open(paths, args.cache or default_cache())


def _open_with_progress(store_cls: Any, paths: list[str], cache: str | None) -> Any:
    from rich.progress import Progress

    with Progress(transient=False) as bar:
        task = bar.add_task("loading", total=None)

        def tick(path: str, done: int, total: int) -> None:
            bar.update(task, total=total, completed=done, description=f"loading {Path(path).name}" if path else "done")

        return store_cls.open(paths, cache, progress=tick)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", action="append", metavar="PATH",
                   help="SIPRI file or folder (repeatable; default: TIEWATCH_ARMS_DATA)")
    p.add_argument("--cache", metavar="DIR", help="Parquet cache folder (default: TIEWATCH_ARMS_CACHE)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--release", help="SIPRI release to use, e.g. 2022 or 2022-03 (default: latest TIV tables)")
    p.add_argument("--source", choices=("tables", "register", "tidy"), help="source family to use")
    p.set_defaults(needs_django=False)


def _emit(args: argparse.Namespace, result: dict[str, Any], text: str) -> int:
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else text)
    return 0


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def _release_line(r: dict[str, Any]) -> str:
    return f"[{r['source']}, release {r['release']}, generated {r['generated']}; {r['convention']}]"


def cmd_top(args: argparse.Namespace) -> int:
    from .engine import queries as q

    r = q.top(open_store(args), args.role, args.period, args.limit, args.release, args.source)
    lines = [f"Top {args.role}s {r['period']} (world total {r['world_tiv']:,.0f} TIV m)"]
    lines += [f"{row['rank']:>3}. {row['country']:<28} {row['tiv']:>10,.0f} {_pct(row['share']):>7}" for row in r["rows"]]
    return _emit(args, r, "\n".join([*lines, _release_line(r)]))


def cmd_change(args: argparse.Namespace) -> int:
    from .engine import queries as q

    r = q.change(open_store(args), args.country, args.role, args.period_from, args.period_to, args.partner,
                 args.release, args.source)
    pct = "n/a (no transfers in the first period)" if r["change_pct"] is None else f"{r['change_pct']:+.1f}%"
    what = f"{r['country']} {'exports' if r['role'] == 'exporter' else 'imports'}"
    if r["partner"]:
        what += f" {'to' if r['role'] == 'exporter' else 'from'} {r['partner']}"
    text = f"{what}: {r['from']} {r['tiv_from']:,.0f} -> {r['to']} {r['tiv_to']:,.0f} TIV m ({pct})"
    return _emit(args, r, f"{text}\n{_release_line(r)}")


def cmd_partners(args: argparse.Namespace) -> int:
    from .engine import queries as q

    r = q.partners(open_store(args), args.country, args.role, args.period, args.limit, args.release, args.source)
    head = "recipients of exports from" if args.role == "exporter" else "suppliers of imports to"
    lines = [f"{head.capitalize()} {r['country']}, {r['period']} (total {r['total_tiv']:,.0f} TIV m)"]
    lines += [f"{row['rank'] or '-':>3}. {row['partner']:<32} {row['tiv']:>9,.0f} {_pct(row['share']):>7}"
              for row in r["rows"]]
    return _emit(args, r, "\n".join([*lines, _release_line(r)]))


def cmd_rank(args: argparse.Namespace) -> int:
    from .engine import queries as q

    r = q.rank(open_store(args), args.supplier, args.recipient, args.period, args.among, args.release, args.source)
    if args.among == "suppliers":
        text = f"{r['supplier']} is supplier no. {r['rank'] or '-'} of {r['of']} to {r['recipient']}"
    else:
        text = f"{r['recipient']} is recipient no. {r['rank'] or '-'} of {r['of']} of {r['supplier']}'s exports"
    text += f", {r['period']}: {r['tiv']:,.0f} TIV m ({_pct(r['share'])})"
    return _emit(args, r, f"{text}\n{_release_line(r)}")


def cmd_series(args: argparse.Namespace) -> int:
    from .engine import queries as q

    r = q.series(open_store(args), args.country, args.role, args.period, args.partner, args.release, args.source)
    lines = [f"{p['year']}  {p['tiv']:>9,.0f}" for p in r["points"]]
    return _emit(args, r, "\n".join([*lines, _release_line(r)]))


def cmd_categories(args: argparse.Namespace) -> int:
    from .engine import queries as q

    r = q.categories(open_store(args), args.country, args.role, args.period, args.release)
    lines = [f"{row['category']:<40} {row['tiv']:>9,.0f} {_pct(row['share']):>7}" for row in r["rows"]]
    return _emit(args, r, "\n".join([*lines, _release_line(r)]))


def cmd_check(args: argparse.Namespace) -> int:
    from .engine.claims import check_file

    r = check_file(open_store(args), args.claims)
    lines = []
    for res in r["results"]:
        label = res.get("id") or res.get("text") or res["metric"]
        if res["status"] == "holds":
            lines.append(f"HOLDS     {label}: stated {res['stated']:g}, computed {res['computed']:g}")
        elif res["status"] == "differs":
            lines.append(f"DIFFERS   {label}: stated {res['stated']:g}, computed {res['computed']:g} "
                         f"(by {res['difference']:+g}, tolerance {res['tolerance']:g})")
        else:
            lines.append(f"CANNOT    {label}: {res['reason']}")
        if res.get("query"):
            lines.append(f"          {res['query']}  [release {res['release']}]")
    c = r["counts"]
    lines.append(f"{c['holds']} hold, {c['differs']} differ, {c['cannot_check']} cannot be checked")
    _emit(args, r, "\n".join(lines))
    return 0 if c["differs"] == 0 and c["cannot_check"] == 0 else 1 if args.strict else 0


def cmd_factsheet(args: argparse.Namespace) -> int:
    from .engine import factsheet

    sheet = factsheet.build(open_store(args), args.country, args.period, args.compare, args.release, args.source)
    out = Path(args.out) if args.out else None
    if out:
        try:
            out.write_text(factsheet.to_html(sheet), encoding="utf-8")
            out.with_suffix(".md").write_text(factsheet.to_markdown(sheet), encoding="utf-8")
        except OSError as error:  # no such folder, no permission
            raise ValidationFailed(f"cannot write {out}", [Problem(f"cannot write: {error.strerror or error}",
                                                                    field="out", file=str(out))]) from error
    result = {k: v for k, v in sheet.items() if k != "charts"}
    text = factsheet.to_markdown(sheet) + (f"\nwritten: {out} and {out.with_suffix('.md')}" if out else "")
    return _emit(args, {**result, "out": str(out) if out else None}, text)


def cmd_load(args: argparse.Namespace) -> int:
    from .engine import queries as q

    r = q.releases(open_store(args, progress=True))
    return _emit(args, r, _releases_text(r))


def cmd_releases(args: argparse.Namespace) -> int:
    from .engine import queries as q

    r = q.releases(open_store(args))
    return _emit(args, r, _releases_text(r))


def _releases_text(r: dict[str, Any]) -> str:
    lines = []
    for d in r["datasets"]:
        flag = " (default)" if d["default"] else ""
        pairs = "supplier x recipient" if d["has_pairs"] else "totals only"
        lines.append(f"{d['dataset']}{flag}: {d['source']}, generated {d['generated']}, years "
                     f"{d['years'][0]}-{d['years'][1]}, {pairs}, {len(d['files'])} file(s)")
        for f in d["files"][:5]:
            extra = f", {f['split_records_rejoined']} split record(s) re-joined" if f["split_records_rejoined"] else ""
            lines.append(f"    {Path(f['file']).name} [{f['format']}; {f['release_basis']}{extra}]")
        if len(d["files"]) > 5:
            lines.append(f"    ... and {len(d['files']) - 5} more")
    return "\n".join(lines)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `tiewatch arms ...`."""
    arms = sub.add_parser("arms", help="SIPRI arms-transfer analytics")
    arms.set_defaults(needs_django=False, func=lambda a: (arms.print_help(), 2)[1])
    cmds = arms.add_subparsers(dest="arms_command", metavar="ARMS_COMMAND")
    _add_queries(cmds)
    _add_files(cmds)


def _add_queries(cmds: argparse._SubParsersAction) -> None:
    """The queries: top, change, partners, rank, series, categories."""
    p = cmds.add_parser("top", help="largest exporters or importers of a period")
    p.add_argument("--role", required=True, choices=ROLE_CHOICES)
    p.add_argument("--period", required=True, help="e.g. 2013-2017")
    p.add_argument("--limit", type=int, default=10, help="rows to show (0 = all)")
    _common(p)
    p.set_defaults(func=cmd_top)

    p = cmds.add_parser("change", help="percent change between two periods")
    p.add_argument("--country", required=True)
    p.add_argument("--partner", help="only the flow between --country and this partner")
    p.add_argument("--role", required=True, choices=ROLE_CHOICES)
    p.add_argument("--from", dest="period_from", required=True)
    p.add_argument("--to", dest="period_to", required=True)
    _common(p)
    p.set_defaults(func=cmd_change)

    p = cmds.add_parser("partners", help="partner shares of a country's exports or imports")
    p.add_argument("--country", required=True)
    p.add_argument("--role", required=True, choices=ROLE_CHOICES)
    p.add_argument("--period", required=True)
    p.add_argument("--limit", type=int)
    _common(p)
    p.set_defaults(func=cmd_partners)

    p = cmds.add_parser("rank", help="rank of a supplier among a recipient's suppliers (or the reverse)")
    p.add_argument("--supplier", required=True)
    p.add_argument("--recipient", required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--among", choices=("suppliers", "recipients"), default="suppliers",
                   help="suppliers: rank the supplier among the recipient's suppliers (default); "
                        "recipients: rank the recipient among the supplier's recipients")
    _common(p)
    p.set_defaults(func=cmd_rank)

    p = cmds.add_parser("series", help="yearly TIV of a country or a pair")
    p.add_argument("--country", required=True)
    p.add_argument("--partner")
    p.add_argument("--role", required=True, choices=ROLE_CHOICES)
    p.add_argument("--period")
    _common(p)
    p.set_defaults(func=cmd_series)

    p = cmds.add_parser("categories", help="TIV by weapon category (Trade Register only)")
    p.add_argument("--country", required=True)
    p.add_argument("--role", required=True, choices=ROLE_CHOICES)
    p.add_argument("--period", required=True)
    _common(p)
    p.set_defaults(func=cmd_categories)


def _add_files(cmds: argparse._SubParsersAction) -> None:
    """The commands about files: check (a claims file), factsheet (writes one), load, releases."""
    p = cmds.add_parser("check", help="check a YAML file of numeric claims")
    p.add_argument("claims", metavar="CLAIMS.yaml")
    p.add_argument("--strict", action="store_true", help="exit 1 unless every claim holds")
    _common(p)
    p.set_defaults(func=cmd_check)

    p = cmds.add_parser("factsheet", help="HTML (and Markdown) fact sheet for a country and period")
    p.add_argument("--country", required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--compare", help="earlier period to compare with, e.g. 2008-2012")
    p.add_argument("--out", metavar="FILE.html", help="write HTML here and Markdown beside it (.md)")
    _common(p)
    p.set_defaults(func=cmd_factsheet)

    p = cmds.add_parser("load", help="validate and cache data files (progress bar)")
    p.add_argument("paths", nargs="*", metavar="PATH")
    _common(p)
    p.set_defaults(func=cmd_load)

    p = cmds.add_parser("releases", help="what is loaded: releases, sources, files")
    _common(p)
    p.set_defaults(func=cmd_releases)
