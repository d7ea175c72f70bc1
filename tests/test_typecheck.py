"""The application code type-checks with mypy and django-stubs (configuration in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

from mypy import api

REPO = Path(__file__).resolve().parent.parent


def test_application_code_type_checks() -> None:
    stdout, stderr, status = api.run(["--config-file", str(REPO / "pyproject.toml"),
                                      str(REPO / "tiewatch"), str(REPO / "config")])
    assert status == 0, stdout + stderr
    assert "Success" in stdout
