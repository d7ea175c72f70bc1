"""docs/campaigns.md names every campaigns CLI command, API path and setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiewatch.campaigns import conf

DOC = Path(__file__).resolve().parents[3] / "docs" / "campaigns.md"


def text() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(conf.READERS))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in text()


def test_every_api_path_is_documented() -> None:
    from config.api import api

    ours = [p for p in api.get_openapi_schema()["paths"]
            if p.startswith(("/api/petitions", "/api/signatures", "/api/campaigns", "/api/hearings",
                             "/api/votes", "/api/letters"))]
    assert len(ours) >= 9
    missing = [p for p in ours if f"`{p}`" not in text()]
    assert not missing


@pytest.mark.parametrize("command", ["tiewatch worker", "tiewatch purge", "tiewatch campaigns load-demo"])
def test_every_command_is_documented(command: str) -> None:
    assert command in text()


def test_settings_default_to_the_documented_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in conf.READERS:
        monkeypatch.delenv(name, raising=False)
    assert conf.rate("TIEWATCH_CAMPAIGNS_RATE_IP_SHORT") == conf.Rate(10, 60)
    assert conf.get("TIEWATCH_CAMPAIGNS_IP_RETENTION_DAYS") == 30
    monkeypatch.setenv("TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS", "a.example, b.example")
    assert conf.get("TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS") == ["a.example", "b.example"]
    monkeypatch.setenv("TIEWATCH_CAMPAIGNS_RATE_IP_SHORT", "0")
    assert not conf.rate("TIEWATCH_CAMPAIGNS_RATE_IP_SHORT").enabled
