"""docs/policies.md documents every rule field, condition operator, policies CLI command and API path."""

from __future__ import annotations

import re
from pathlib import Path

from tiewatch.policies.engine import loader
from tiewatch.policies.engine import schema as s

DOC = Path(__file__).resolve().parents[3] / "docs" / "policies.md"


def text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_operator_documented():
    doc = text()
    missing = [op for op in s.OPERATORS if f"`{op}`" not in doc]
    assert not missing, f"operators missing from docs/policies.md: {missing}"


def test_every_field_documented():
    doc = text()
    fields = set(loader.INSTRUMENT_FIELDS + loader.RULE_FIELDS + loader.BINDS_FIELDS + loader.WINDOW_FIELDS
                 + loader.VOTE_FIELDS + loader.CONDITION_FIELDS)
    missing = sorted(f for f in fields if f"`{f}`" not in doc)
    assert not missing, f"fields missing from docs/policies.md: {missing}"


def test_effects_types_documented():
    doc = text()
    for name in s.EFFECTS + s.INSTRUMENT_TYPES + s.VERDICTS + s.WINDOW_MATCHES:
        assert f"`{name}`" in doc, name


def test_cli_and_api_documented():
    from config.api import api
    from tiewatch.cli import build_parser

    doc = text()
    for cmd in ("tiewatch check", "tiewatch screen", "tiewatch policies validate", "tiewatch policies list",
                "tiewatch findings export"):
        assert cmd in doc, cmd
    # subcommands registered by this app
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in ("check", "screen", "policies", "findings"):
        assert name in sub.choices
    paths = [p for p in api.get_openapi_schema()["paths"]
             if p.startswith(("/api/policies", "/api/check", "/api/findings", "/api/screening-runs"))]
    assert len(paths) >= 6
    for p in paths:
        assert re.search(re.escape(p) + r"(?![\w/{}-])", doc), p
