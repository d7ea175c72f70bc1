"""Registry commands: migrate, import, export, serve, demo load, users."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tiewatch.core.errors import ValidationFailed

DEMO_SEED = Path(__file__).resolve().parent / "demo" / "seed.yaml"
ROLES = ("admin", "editor", "viewer")


def add_commands(sub: argparse._SubParsersAction) -> None:
    migrate = sub.add_parser("migrate", help="create or upgrade the database named by DATABASE_URL")
    migrate.set_defaults(func=cmd_migrate, needs_django=True)

    imp = sub.add_parser("import", help="import entities, ties and sources (YAML, JSON, JSON lines or CSV)")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="bundle files or folders")
    imp.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    imp.add_argument("--actor", default="", help="name recorded in the audit trail (default: import)")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=cmd_import, needs_django=True)

    exp = sub.add_parser("export", help="export the registry as CSV, JSON or FollowTheMoney JSON lines")
    exp.add_argument("--format", choices=("csv", "json", "ftm"), default="json")
    exp.add_argument("--out", type=Path, help="file (json, ftm) or folder (csv); default: standard output")
    exp.add_argument("--table", choices=("ties", "entities", "sources"), default="ties",
                     help="with --format csv and no --out: which table to print")
    exp.add_argument("--include-drafts", action="store_true", help="include unpublished records")
    exp.set_defaults(func=cmd_export, needs_django=True)

    serve = sub.add_parser("serve", help="serve the site and API (gunicorn) on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--no-worker", action="store_true", help="do not start the outbox worker beside the site")
    serve.set_defaults(func=cmd_serve, needs_django=False)

    demo = sub.add_parser("demo", help="demo data")
    demo_sub = demo.add_subparsers(dest="demo_command", metavar="ACTION")
    demo_sub.required = True
    load = demo_sub.add_parser("load", help="load the demo data (idempotent) and create the demo staff users")
    load.set_defaults(func=cmd_demo_load, needs_django=True)

    user = sub.add_parser("user", help="create or update a staff user with a role")
    user.add_argument("username")
    user.add_argument("--role", choices=ROLES, required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--email", default="")
    user.set_defaults(func=cmd_user, needs_django=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    db = settings.DATABASES["default"]
    print(f"database ready: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tiewatch.registry.importers import import_bundle

    with _progress(enabled=not args.quiet and sys.stderr.isatty()) as report:
        result = import_bundle(args.paths, actor=args.actor or "import", dry_run=args.dry_run, progress=report)
    for notice in result.notices:
        print(f"note: {notice}", file=sys.stderr)
    if result.dry_run:
        print(f"valid: {len(result.files)} file(s); nothing written (--dry-run)")
        return 0
    for table, counts in result.counts.items():
        print(f"{table}: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged")
    return 0


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
        "entities": (exporters.ENTITY_COLUMNS, bundle["entities"], False),
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


def cmd_serve(args: argparse.Namespace) -> int:
    """gunicorn in the foreground, and (unless --no-worker) the outbox worker beside it, so emails
    such as petition confirmations are sent while the site runs; both stop together."""
    import signal
    import subprocess

    bin_dir = Path(sys.executable).parent
    root = Path(__file__).resolve().parents[2]
    command = [str(bin_dir / "gunicorn"), "config.wsgi", "--bind", f"{args.host}:{args.port}", "--workers",
               str(args.workers), "--threads", "4", "--access-logfile", "-"]
    worker = None
    if not args.no_worker:
        worker = subprocess.Popen([str(bin_dir / "tiewatch"), "worker"], cwd=root)
    print(f"tiewatch is being served at http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    # A TERM to `tiewatch serve` must stop its children too, not orphan them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = subprocess.Popen(command, cwd=root)
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for child in (server, worker):
            if child is not None and child.poll() is None:
                child.terminate()
                child.wait(timeout=10)


DEMO_USERS = {"demo-admin": "admin", "demo-editor": "editor", "demo-viewer": "viewer"}


def cmd_demo_load(args: argparse.Namespace) -> int:
    from tiewatch.registry.importers import import_bundle

    result = import_bundle([DEMO_SEED], actor="demo")
    changed = result.changed
    print(f"registry: {changed} record(s) created or updated" if changed else "registry: demo data already loaded")
    for username, role in DEMO_USERS.items():
        set_user(username, role, password=username, email="")
    print("staff logins (demo only): " + ", ".join(f"{u} / {u} ({r})" for u, r in DEMO_USERS.items()))
    _load_campaigns_demo()
    _screen_demo_once()
    return 0


def _load_campaigns_demo() -> None:
    from tiewatch.campaigns import demo_loader

    stats = demo_loader.load()
    print("campaigns: " + ", ".join(f"{k}: {v}" for k, v in stats.items()))


def _screen_demo_once() -> None:
    """Screen the demo registry against the shipped law packs once, so the findings pages have a run.
    A second `demo load` does not add another run (re-screen with `tiewatch screen`)."""
    from tiewatch.policies.models import ScreeningRun
    from tiewatch.policies.services import run_screening

    if ScreeningRun.objects.exists():
        print("policies: already screened (run `tiewatch screen` to screen again)")
        return
    run, findings = run_screening()
    print(f"policies: screened {run.ties_screened} ties, {len(findings)} finding(s)")


def cmd_user(args: argparse.Namespace) -> int:
    set_user(args.username, args.role, args.password, args.email)
    print(f"user {args.username!r} is now {args.role}")
    return 0


def set_user(username: str, role: str, password: str, email: str) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    if len(password) < 8 and not username.startswith("demo-"):
        raise ValidationFailed("password too short", [])
    with transaction.atomic():
        user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
        user.is_staff = True
        user.is_superuser = role == "admin"
        user.set_password(password)
        user.save()
        user.groups.set([] if role == "admin" else [Group.objects.get(name=role)])
