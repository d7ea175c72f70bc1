"""The policies' CSV exports (findings, policies, screening runs) share the spreadsheet-safe writer."""

from __future__ import annotations

import csv
import io

from tiewatch.policies.services import to_csv


def test_findings_csv_cells_never_start_a_formula() -> None:
    text = to_csv(["tie", "reason", "count"], [{"tie": "=cmd()", "reason": "@evil", "count": -2}])
    assert list(csv.DictReader(io.StringIO(text))) == [{"tie": "'=cmd()", "reason": "'@evil", "count": "-2"}]
