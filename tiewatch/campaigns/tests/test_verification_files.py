"""Issue 9 item 8: resident-verification lookup files go through the core input layer, so a broken one
is reported as file:line (logged, and kept as the signature's verification detail), never a crash."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tiewatch.campaigns import verification


def check(method: str, config: dict[str, Any], caplog: Any, address: str = "1 Main St") -> str:
    with caplog.at_level(logging.ERROR, logger="tiewatch.campaigns.verification"):
        result = verification.verify(method, config, address=address, postal_code="27701")
    assert not result.verified
    assert result.detail.startswith("verification file unreadable: ")
    where = result.detail.removeprefix("verification file unreadable: ")
    assert any(where in record.getMessage() for record in caplog.records)
    return where


def test_a_postal_codes_file_that_is_not_utf8(tmp_path: Path, caplog: Any) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_bytes(b"27701\n27702 # Dur\xe9ham\n")
    assert check("postal_codes", {"postal_codes_file": str(codes)}, caplog) == \
        f"{codes}:2: not UTF-8 text (invalid continuation byte)"


def test_a_census_file_without_an_address_column_or_with_a_bad_record(tmp_path: Path, caplog: Any) -> None:
    census = tmp_path / "census.csv"
    census.write_text("street,postal_code\n1 Main St,27701\n")
    assert check("census", {"census_file": str(census)}, caplog) == \
        f"{census}:1: address: missing column 'address' (columns: street, postal_code)"
    huge = tmp_path / "huge.csv"
    huge.write_text("address,postal_code\n1 Main St,27701\n2 Main St,27701\n\"" + "x" * 200_000 + "\",27701\n")
    before = csv.field_size_limit(131_072)  # process-wide: importing followthemoney (registry tests) raises it
    try:
        assert check("census", {"census_file": str(huge)}, caplog) == \
            f"{huge}:4: invalid CSV: field larger than field limit (131072)"
    finally:
        csv.field_size_limit(before)
    assert check("census", {"census_file": str(tmp_path / "missing.csv")}, caplog).startswith(
        f"{tmp_path / 'missing.csv'}: cannot read the file")


def test_a_boundary_file_with_bad_json_or_no_polygon(tmp_path: Path, caplog: Any) -> None:
    boundary = tmp_path / "city.geojson"
    boundary.write_text('{\n  "type": "Polygon",\n  "type": "Feature"\n}\n')
    assert check("boundary", {"boundary_file": str(boundary)}, caplog) == f"{boundary}:3: type: duplicate key 'type'"
    boundary.write_text(json.dumps({"type": "Feature", "properties": {}}, indent=1))
    assert check("boundary", {"boundary_file": str(boundary)}, caplog).startswith(
        f"{boundary}:1: not a GeoJSON polygon, feature or feature collection")


def test_a_geocoder_table_with_a_bad_coordinate(tmp_path: Path, caplog: Any, settings: Any) -> None:
    square = {"type": "Polygon", "coordinates": [[[-79.0, 35.9], [-78.8, 35.9], [-78.8, 36.1], [-79.0, 35.9]]]}
    table = tmp_path / "geo.csv"
    table.write_text("address,postal_code,lon,lat\n1 Main St,27701,-78.9,35.99\n2 Main St,27701,west,35.99\n")
    settings.TIEWATCH_CAMPAIGNS_GEOCODER = "table"
    settings.TIEWATCH_CAMPAIGNS_GEOCODER_TABLE = str(table)
    assert check("boundary", {"boundary": square}, caplog) == f"{table}:3: lon: not a number: 'west'"


@pytest.mark.django_db
def test_a_signature_is_recorded_unverified_when_the_census_is_broken(petition: Any, tmp_path: Path,
                                                                     caplog: Any) -> None:
    from tiewatch.campaigns.models import Signature
    from tiewatch.campaigns.services.signing import sign
    from tiewatch.campaigns.tests.conftest import signer

    census = tmp_path / "census.csv"
    census.write_text("name\nx\n")
    petition.verification, petition.verification_config = "census", {"census_file": str(census)}
    petition.save()
    with caplog.at_level(logging.ERROR):
        signed = sign(petition, signer(), "203.0.113.9")
    saved = Signature.objects.get(pk=signed.signature_id)
    assert not saved.verified_resident
    problem = f"{census}:1: address: missing column 'address' (columns: name)"
    assert saved.verification_detail == f"verification file unreadable: {problem}"[:200]
