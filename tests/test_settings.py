"""Safe to run in production: no start without a secret key, and the documented production settings
pass Django's deployment checks.

Each test starts Django in a subprocess with a clean environment (every setting the code reads
removed first), so neither the test settings nor the caller's shell leak in.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from functools import cache
from pathlib import Path

from tests.test_docs import settings_read

REPO = Path(__file__).resolve().parent.parent
DEMO_SECRET_KEY = "tiewatch-demo-only-not-secret"


def documented_production_settings() -> dict[str, str]:
    """The `NAME=value` lines of the sh block under "## Production" in docs/settings.md, with a fresh
    key in place of the SECRET_KEY placeholder."""
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    found = re.search(r"^## Production\n.*?^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert found, "docs/settings.md has no ## Production section with an sh block"
    settings = dict(line.split("=", 1) for line in found.group(1).splitlines() if line.strip())
    assert settings["SECRET_KEY"].startswith("<"), "the documented SECRET_KEY should be a placeholder"
    settings["SECRET_KEY"] = secrets.token_urlsafe(50)
    return settings


@cache
def setting_names() -> frozenset[str]:
    return frozenset(settings_read())


def run_django(args: list[str], settings: dict[str, str], module: str = "config.settings",
               command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by conftest.py for the browser tests, never in a deployment.
    env = {name: value for name, value in os.environ.items()
           if name not in setting_names() and name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(settings, DJANGO_SETTINGS_MODULE=module, PYTHONPATH=str(REPO), PYTHONWARNINGS="default")
    env["TIEWATCH_VAR_DIR"] = settings.get("TIEWATCH_VAR_DIR", str(REPO / "var"))
    return subprocess.run(command or [sys.executable, str(REPO / "manage.py"), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_documented_production_settings_pass_the_deploy_check() -> None:
    settings = documented_production_settings()
    assert settings["DEBUG"] == "false" and settings["SECURE_SSL_REDIRECT"] == "true"
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], settings)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output and "?: (security." not in output, output


def test_the_deploy_check_warns_without_them() -> None:
    # Guards the test above: the same check does warn when the HTTPS settings are left out.
    settings = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "tiewatch.example.org"}
    result = run_django(["check", "--deploy"], settings)
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stdout + result.stderr, check


def test_startup_refuses_without_secret_key_when_debug_is_off() -> None:
    for settings in ({"DEBUG": "false"}, {}, {"DEBUG": "false", "SECRET_KEY": DEMO_SECRET_KEY}):
        result = run_django(["check"], settings)
        assert result.returncode != 0, settings
        assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr, result.stderr


def test_the_tiewatch_command_refuses_in_one_line_naming_the_setting(tmp_path: Path) -> None:
    # `serve` must refuse before gunicorn starts, not leave workers failing to boot; `policies list`
    # reads the settings lazily and must not fall back to the shipped packs unannounced.
    for args in (["migrate"], ["serve", "--no-worker", "--port", "1"], ["policies", "list"]):
        command = [sys.executable, "-c", "import sys; from tiewatch.cli import main; sys.exit(main())", *args]
        result = run_django([], {"DEBUG": "false", "TIEWATCH_VAR_DIR": str(tmp_path)}, command=command)
        assert result.returncode == 1, args
        assert result.stderr.startswith("SECRET_KEY is not set") and "Traceback" not in result.stderr
        assert result.stdout == "" and not (tmp_path / "tiewatch.sqlite3").exists()


def test_debug_without_secret_key_uses_the_demo_key() -> None:
    command = [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
               "print(settings.SECRET_KEY)"]
    result = run_django([], {"DEBUG": "true"}, command=command)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DEMO_SECRET_KEY


def test_proxy_ssl_header_is_header_and_value() -> None:
    command = [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
               "print(settings.SECURE_PROXY_SSL_HEADER)"]
    good = run_django([], {"DEBUG": "true", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"},
                      command=command)
    assert good.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", good.stderr
    bad = run_django(["check"], {"DEBUG": "true", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"})
    assert bad.returncode != 0 and "SECURE_PROXY_SSL_HEADER must be 'HEADER,value'" in bad.stderr
