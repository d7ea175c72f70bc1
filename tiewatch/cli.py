"""The `tiewatch` command.

Each app contributes its subcommands through `tiewatch/<app>/cli.py`, which defines
`add_commands(subparsers)`; every subcommand sets `func(args) -> int`. Expected failures are
`TiewatchError`s: printed one problem per line on stderr, exit status 1 (2 for usage errors).
Django is set up only for commands that declare `needs_django=True` on their parser defaults,
so the pure cores (arms, policies) run without a database.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from tiewatch.core.errors import TiewatchError

APP_CLI_MODULES = (
    "tiewatch.site.cli",
    "tiewatch.policies.cli",
    "tiewatch.arms.cli",
    "tiewatch.campaigns.cli",
    "tiewatch.resolution.cli",
    "tiewatch.resolution.match_cli",
    "tiewatch.policies.listscreen.cli",
    "tiewatch.datasets.cli",
    "tiewatch.registry.archive.cli",
    "tiewatch.registry.tallies_cli",
    "tiewatch.desk.cli",
    "tiewatch.desk.cli_requests",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tiewatch",
        description="Sourced records of police ties with foreign forces, screened against local policies.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module_name in APP_CLI_MODULES:
        module = importlib.import_module(module_name)
        module.add_commands(sub)
    return parser


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _refused_settings(error: Exception) -> bool:
    """Whether Django refused its settings (no SECRET_KEY, say), at setup or when a command read them
    lazily: a deployment mistake, told in one line naming the setting rather than a traceback.
    Checked without importing Django, which commands that never touch settings do not load."""
    exceptions = sys.modules.get("django.core.exceptions")
    return exceptions is not None and isinstance(error, exceptions.ImproperlyConfigured)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "needs_django", False):
            setup_django()
        return int(args.func(args) or 0)
    except TiewatchError as error:
        for line in error.lines():
            print(line, file=sys.stderr)
        if error.problems:
            print(f"error: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if not _refused_settings(error):
            raise
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
