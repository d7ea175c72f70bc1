"""Registry commands: import, export. (The site's own commands live in tiewatch/site/cli.py.)"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_commands(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import entities, ties and sources (YAML, JSON, JSON lines or CSV)")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="bundle files or folders")
    imp.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    imp.add_argument("--actor", default="", help="name recorded in the audit trail (default: import)")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.add_argument("--no-resolve", action="store_true",
                     help="create every new entity as it is, without resolving it against the registry "
                          "(TIEWATCH_IMPORT_RESOLVER)")
    imp.set_defaults(func=cmd_import, needs_django=True)

    exp = sub.add_parser("export", help="export the registry as CSV, JSON or FollowTheMoney JSON lines")
    exp.add_argument("--format", choices=("csv", "json", "ftm"), default="json")
    exp.add_argument("--out", type=Path, help="file (json, ftm) or folder (csv); default: standard output")
    exp.add_argument("--table", choices=("ties", "entities", "sources"), default="ties",
                     help="with --format csv and no --out: which table to print")
    exp.add_argument("--include-drafts", action="store_true", help="include unpublished records")
    exp.set_defaults(func=cmd_export, needs_django=True)


def cmd_import(args: argparse.Namespace) -> int:
    from tiewatch.registry.importers import import_bundle

    with _progress(enabled=not args.quiet and sys.stderr.isatty()) as report:
        result = import_bundle(args.paths, actor=args.actor or "import", dry_run=args.dry_run, progress=report,
                               resolver=None if args.no_resolve else _resolver())
    for notice in result.notices:
        print(f"note: {notice}", file=sys.stderr)
    if result.dry_run:
        print(f"valid: {len(result.files)} file(s); nothing written (--dry-run)")
        return 0
    for table, counts in result.counts.items():
        print(f"{table}: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged")
    found = result.resolution
    if found.linked or found.queued:
        print(f"new entities resolved: {found.linked} linked to existing, {found.created} created, "
              f"{found.queued} queued for review")
    return 0


def _resolver() -> Any:
    """The resolver the setting names (a higher layer's, so found by name at run time), or None."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = getattr(settings, "TIEWATCH_IMPORT_RESOLVER", "")
    return import_string(path) if path else None


class _progress:
    """A rich progress bar fed by the importer's stage callbacks (or nothing, when not a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.progress import Progress

        self.bar = Progress(transient=False)
        self.bar.start()
        return self.report

    def report(self, stage: str, count: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=None)
        self.bar.advance(self.tasks[stage], count)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.bar.stop()


def cmd_export(args: argparse.Namespace) -> int:
    from tiewatch.registry import exporters

    entities, ties, sources = exporters.export_querysets(args.include_drafts)
    if args.format == "ftm":
        with _open_out(args.out) as out:
            count = exporters.write_json_lines(out, exporters.ftm_entities(entities, ties, sources))
        print(f"{count} FollowTheMoney entities written", file=sys.stderr)
    elif args.format == "json":
        with _open_out(args.out) as out:
            json.dump(exporters.bundle_dict(entities, ties, sources), out, indent=1, ensure_ascii=False)
            out.write("\n")
    else:
        tables = _csv_tables(entities, ties, sources)
        if args.out is None:
            columns, rows, attrs = tables[args.table]
            exporters.write_csv(sys.stdout, columns, rows, attributes=attrs)
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            for name, (columns, rows, attrs) in tables.items():
                with (args.out / f"{name}.csv").open("w", newline="", encoding="utf-8") as out:
                    exporters.write_csv(out, columns, rows, attributes=attrs)
            print(f"wrote {', '.join(f'{n}.csv' for n in tables)} to {args.out}", file=sys.stderr)
    return 0


def _csv_tables(entities: Any, ties: Any, sources: Any) -> dict[str, tuple[list[str], Any, bool]]:
    from tiewatch.registry import exporters

    bundle = exporters.bundle_dict(entities, ties, sources)
    return {
        "sources": (exporters.SOURCE_COLUMNS, bundle["sources"], False),
        "entities": (exporters.entity_columns(bundle["entities"]), bundle["entities"], False),
        "ties": (exporters.TIE_COLUMNS, bundle["ties"], True),
    }


class _open_out:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    def __enter__(self) -> Any:
        self.handle = self.path.open("w", encoding="utf-8") if self.path else sys.stdout
        return self.handle

    def __exit__(self, *exc: object) -> None:
        if self.path:
            self.handle.close()
