"""Claims files: validation problems name claim and field; each status and its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiewatch.arms.engine.claims import check_claim, load_claims
from tiewatch.arms.engine.datasets import Store
from tiewatch.core.errors import ValidationFailed


def test_invalid_claims_name_position_and_field(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("claims:\n  - {metric: guess, stated: 1}\n  - {metric: rank, country: Israel, stated: x}\n")
    with pytest.raises(ValidationFailed) as info:
        load_claims(f)
    fields = {p.field for p in info.value.problems}
    assert {"claims[1].metric", "claims[2].role", "claims[2].period", "claims[2].stated"} <= fields


def test_top_level_defaults_apply(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("release: 2018\nrole: exporter\nclaims:\n  - {metric: rank, country: Israel, period: 2013-17, stated: 3}\n")
    _, claims = load_claims(f)
    assert claims[0]["release"] == 2018 and claims[0]["role"] == "exporter"


@pytest.mark.parametrize(("claim", "status", "reason"), [
    ({"metric": "rank", "country": "Russia", "role": "exporter", "period": "2013-2017", "stated": "1st"}, "holds", ""),
    ({"metric": "world_share", "country": "Russia", "role": "exporter", "period": "2013-2017", "stated": 10},
     "differs", ""),
    ({"metric": "partner_share", "country": "Israel", "role": "exporter", "partner": "India", "period": "2013-2017",
      "stated": 49, "release": "2018"}, "cannot_check", "totals only"),
    ({"metric": "change", "country": "Azerbaijan", "role": "importer", "partner": "Israel", "from": "2008-2010",
      "to": "2013-2017", "stated": 10}, "cannot_check", "base period has no transfers"),
    ({"metric": "recipient_rank", "supplier": "Israel", "recipient": "Azerbaijan", "period": "2013-2017",
      "stated": 2}, "holds", ""),
    ({"metric": "tiv", "country": "Israel", "role": "exporter", "period": "2013-2017", "stated": 1990}, "holds", ""),
    ({"metric": "rank", "country": "Israel", "role": "exporter", "period": "1990-1995", "stated": 1},
     "cannot_check", "outside"),
])
def test_statuses(fixture_store: Store, claim: dict, status: str, reason: str) -> None:
    result = check_claim(fixture_store, claim)
    assert result["status"] == status, result
    assert reason in result.get("reason", "")
    if status != "cannot_check":
        assert result["release"] and result["query"].startswith("tiewatch arms ")


def test_claims_file_goes_through_the_line_aware_loader(tmp_path: Path) -> None:
    """Issue 9 item 8: every problem names its line (a default's own line when the claim inherits it);
    duplicate keys and YAML aliases are refused where they are written."""
    f = tmp_path / "c.yaml"
    f.write_text("role: [exporter]\nclaims:\n  - metric: rank\n    country: Israel\n    stated: 3\n"
                 "  - {metric: rank, country: Israel, period: 2013-2017, stated: x, role: exporter}\n")
    with pytest.raises(ValidationFailed) as info:
        load_claims(f)
    assert info.value.lines() == [
        f"{f}:3: claims[1].period: missing period",
        f"{f}:1: claims[1].role: expected a name or a number, found list",
        f"{f}:6: claims[2].stated: stated must be a number"]
    f.write_text("claims:\n  - metric: rank\n    metric: tiv\n")
    with pytest.raises(ValidationFailed) as info:
        load_claims(f)
    assert info.value.lines() == [f"{f}:3: metric: duplicate key 'metric'"]
    f.write_text("claims:\n  - &a {metric: rank}\n  - *a\n")
    with pytest.raises(ValidationFailed) as info:
        load_claims(f)
    assert info.value.lines() == [f"{f}:3: aliases (*name) are not allowed; write the value out"]
