"""A petition's map of confirmed signatures: aggregated by ZIP code, county and state, cells under 10
suppressed, unconfirmed and invalidated signatures left out, and never a signer's name or address."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tiewatch.campaigns.models import Signature
from tiewatch.campaigns.services.signature_map import SUPPRESS_BELOW, signature_map


def _sign(petition: Any, n: int, postal_code: str, *, confirmed: bool = True, invalidated: bool = False,
          prefix: str = "") -> None:
    now = timezone.now()
    for i in range(n):
        Signature.objects.create(
            petition=petition, name=f"Zebulon Quixotic{prefix}{postal_code}{i}",
            email=f"s{prefix}{postal_code}-{i}@example.org", address=f"{i} Secretive Street",
            postal_code=postal_code, token_hash=hashlib.sha256(f"{prefix}{postal_code}-{i}".encode()).hexdigest(),
            confirmed_at=now if confirmed else None, invalidated_at=now if invalidated else None)


@pytest.mark.django_db
def test_signature_map_aggregates_and_suppresses(client: Client, petition: Any) -> None:
    _sign(petition, 12, "27701")
    _sign(petition, 3, "27713")          # also Durham County: the county shows 15, the ZIP code is hidden
    _sign(petition, 4, "90210")          # Los Angeles County: under 10, hidden everywhere
    _sign(petition, 2, "SW1A 1AA")       # not a US ZIP code
    _sign(petition, 30, "10001", confirmed=False, prefix="p")   # pending: not counted
    _sign(petition, 30, "10001", invalidated=True, prefix="i")  # invalidated: not counted
    result = signature_map(petition)
    assert result.total == 21 and result.unplaced == 2
    assert result.postal_codes == [("27701", 12)]
    assert result.suppressed == 3 + 4
    county, state = result.maps
    assert [(r.name, r.count) for r in county.rows] == [("Durham County", 15)]
    assert [(r.name, r.count) for r in state.rows] == [("North Carolina", 15)]
    assert SUPPRESS_BELOW == 10

    html = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "Where the signatures come from" in html
    assert '<th scope="row">27701</th><td>12</td>' in html
    for hidden in ("27713", "90210", "10001", "Los Angeles", "New York", "California", "Quixotic", "Secretive"):
        assert hidden not in html, hidden
    assert "7 signatures from postal areas with fewer than 10 each." in html
    assert "2 signatures without a known US postal code." in html


@pytest.mark.django_db
def test_no_map_without_signatures(client: Client, petition: Any) -> None:
    html = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "Where the signatures come from" not in html
