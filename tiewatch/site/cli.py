"""The site's own commands: migrate, serve, demo load, user.

`add_commands` also places the registry's commands (import, export) where they always stood in
`tiewatch --help`, so the listing reads as before the site had an app of its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import tiewatch.registry
from tiewatch.core.errors import ValidationFailed
from tiewatch.registry import cli as registry_cli

DEMO_SEED = Path(tiewatch.registry.__file__).resolve().parent / "demo" / "seed.yaml"
ROLES = ("admin", "editor", "viewer")


def add_commands(sub: argparse._SubParsersAction) -> None:
    migrate = sub.add_parser("migrate", help="create or upgrade the database named by DATABASE_URL")
    migrate.set_defaults(func=cmd_migrate, needs_django=True)

    registry_cli.add_commands(sub)

    serve = sub.add_parser("serve", help="serve the site and API (gunicorn) on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--no-worker", action="store_true", help="do not start the outbox worker beside the site")
    # Django is set up here only to refuse bad settings (no SECRET_KEY) in one line before gunicorn starts.
    serve.set_defaults(func=cmd_serve, needs_django=True)

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
    from tiewatch.site import demo

    # A record edited since the demo loaded it (in the admin, say) keeps the edit.
    result = import_bundle([DEMO_SEED], actor="demo", protect_edited=True)
    changed = result.changed
    print(f"registry: {changed} record(s) created or updated" if changed else "registry: demo data already loaded")
    for table, counts in result.counts.items():
        if counts.kept:
            print(f"registry: {table} kept (edited since the demo loaded them): {', '.join(counts.kept)}")
    for username, role in DEMO_USERS.items():
        set_user(username, role, password=username, email="")
    print("staff logins (demo only): " + ", ".join(f"{u} / {u} ({r})" for u, r in DEMO_USERS.items()))
    shared = demo.import_shared()
    _load_campaigns_demo()
    demo.screen(changed=bool(changed or shared))
    demo.arms_data()
    return 0


def _load_campaigns_demo() -> None:
    from tiewatch.campaigns import demo_loader

    loaded = demo_loader.load()
    print("campaigns: " + ", ".join(f"{k}: {v}" for k, v in loaded.stats.items()))
    if loaded.kept:
        print(f"campaigns: kept (edited since the demo loaded them): {', '.join(loaded.kept)}")


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
