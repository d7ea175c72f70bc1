"""Every `tiewatch` command imports this app's cli module to build its parser, so the module must
not import what only one handler needs (YAML, Django, the engine): they load in the handler."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_building_the_parser_imports_no_handler_dependencies() -> None:
    code = ("import sys, argparse; import tiewatch.policies.cli as c; "
            "c.add_commands(argparse.ArgumentParser().add_subparsers()); "
            "print(sorted(m for m in ('yaml', 'django', 'tiewatch.policies.engine') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert out.stdout.strip() == "[]"


def test_a_check_sets_up_django_without_the_admin_and_import_modules() -> None:
    """`tiewatch check` pays for django.setup(): the admin modules (and through them the importers,
    pydantic schemas and forms) load with the URLconf, never in a command that serves no page."""
    code = ("import sys, django; django.setup(); import tiewatch.policies.services; "
            "print(sorted(m for m in sys.modules if m.startswith('tiewatch') and m.endswith('.admin') "
            "or m.startswith(('pydantic', 'ninja', 'tiewatch.registry.importers'))))")
    env = {"PYTHONPATH": str(ROOT), "PATH": "", "DJANGO_SETTINGS_MODULE": "config.settings",
           "SECRET_KEY": "a-key-for-this-test-only-" + "x" * 40}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.strip() == "[]"
