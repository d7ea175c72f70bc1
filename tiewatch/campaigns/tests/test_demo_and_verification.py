from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns import verification
from tiewatch.campaigns.models import (
    Campaign,
    CampaignEvent,
    Hearing,
    Letter,
    OfflineSignatureBatch,
    Petition,
    Vote,
)
from tiewatch.cli import main

DURHAM_POLICY = "us-nc-durham-2018-international-police-exchanges"


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_tells_durham(seeded: Any, capsys: Any, client: Client) -> None:
    assert main(["campaigns", "load-demo"]) == 0
    counts = [m.objects.count() for m in (Campaign, Petition, CampaignEvent, Letter, Hearing, Vote,
                                          OfflineSignatureBatch)]
    assert main(["campaigns", "load-demo"]) == 0
    assert [m.objects.count() for m in (Campaign, Petition, CampaignEvent, Letter, Hearing, Vote,
                                        OfflineSignatureBatch)] == counts
    assert "missing_ties: 0" in capsys.readouterr().out
    campaign = Campaign.objects.get(slug="durham-2018-police-exchanges")
    assert campaign.policy_id == DURHAM_POLICY and campaign.evidence.count() == 3
    batch = OfflineSignatureBatch.objects.get(petition__slug="durham2palestine")
    assert batch.count == 1394 and "palestinechronicle" in batch.source
    hearing = Hearing.objects.get()
    assert (hearing.reported_testimonies, hearing.reported_duration_minutes) == (50, 210)
    assert "two hours" in hearing.note and hearing.testimonies.count() == 0
    vote = Vote.objects.get()
    assert vote.policy_id == DURHAM_POLICY and vote.roll_call.count() == 0
    assert vote.tally()["yes"] == 6 and vote.tally()["no"] == 0 and vote.tally()["unaccounted"] == 1
    assert CampaignEvent.objects.filter(kind="legal", text__contains="1:19-cv-00309").exists()
    example = Petition.objects.get(slug="example")
    assert example.accepting()
    # The campaign page tells the whole story and links the policy.
    html = client.get("/campaigns/durham-2018-police-exchanges/").content.decode()
    for text in ("1,394", "6-0", f"/policies/{DURHAM_POLICY}/", "/hearings/durham-city-council-2018-04-16/",
                 "/letters/interfaith-clergy-letter-2018-04/", "1:19-cv-00309", "/ties/"):
        assert text in html, text
    data = client.get("/api/campaigns/durham-2018-police-exchanges").json()
    kinds = [item["kind"] for item in data["timeline"]]
    assert "vote" in kinds and "policy" in kinds and "legal" in kinds
    assert client.get(f"/api/votes/{vote.slug}").json()["policy_url"] == f"/policies/{DURHAM_POLICY}/"
    assert client.get("/api/petitions/durham2palestine").json()["counts"]["offline"] == 1394
    for url in ("/campaigns/", "/petitions/", "/petitions/example/", f"/votes/{vote.slug}/",
                f"/hearings/{hearing.slug}/", "/letters/triangle-rabbis-2018-04-03/"):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_bad_demo_file_writes_nothing(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisations: []\ncampaigns:\n- slug: x\n  name: X\n  target_body: T\n  jurisdiction: j\n"
                   "  events:\n  - {date: '2018-13', text: nope}\n")
    assert main(["campaigns", "load-demo", "--file", str(bad)]) == 1
    assert "campaigns[0].events[0].date" in capsys.readouterr().err
    assert Campaign.objects.count() == 0


def test_postal_code_verification_ships_durham() -> None:
    cfg = {"postal_codes_file": "us-nc-durham-zip.txt"}
    assert verification.verify("postal_codes", cfg, address="", postal_code="27701-1234").verified
    assert not verification.verify("postal_codes", cfg, address="", postal_code="10001").verified
    assert verification.verify("postal_codes", {"postal_codes": ["SW1A 1AA"]}, address="",
                               postal_code="sw1a1aa").verified


def test_census_verification(tmp_path: Path) -> None:
    census = tmp_path / "census.csv"
    census.write_text("address,postal_code\n101 City Hall Plaza,27701\n")
    cfg = {"census_file": str(census)}
    assert verification.verify("census", cfg, address="101 city hall plaza.", postal_code="27701").verified
    assert not verification.verify("census", cfg, address="102 City Hall Plaza", postal_code="27701").verified


def test_boundary_verification_with_geocoder(tmp_path: Path, settings: Any) -> None:
    square = {"type": "Polygon", "coordinates": [[[-79.0, 35.9], [-78.8, 35.9], [-78.8, 36.1], [-79.0, 36.1],
                                                  [-79.0, 35.9]]]}
    boundary = tmp_path / "boundary.geojson"
    boundary.write_text(json.dumps({"type": "FeatureCollection",
                                    "features": [{"type": "Feature", "geometry": square, "properties": {}}]}))
    table = tmp_path / "geo.csv"
    table.write_text("address,postal_code,lon,lat\n101 City Hall Plaza,27701,-78.8986,35.9940\n"
                     "1 Fayetteville St,27601,-78.6382,35.7796\n")
    settings.TIEWATCH_CAMPAIGNS_GEOCODER = "table"
    settings.TIEWATCH_CAMPAIGNS_GEOCODER_TABLE = str(table)
    cfg = {"boundary_file": str(boundary)}
    inside = verification.verify("boundary", cfg, address="101 City Hall Plaza", postal_code="27701")
    assert inside.verified and inside.detail == "inside boundary"
    outside = verification.verify("boundary", cfg, address="1 Fayetteville Street", postal_code="27601")
    assert not outside.verified and outside.detail == "outside boundary"
    unknown = verification.verify("boundary", {"boundary": square}, address="nowhere", postal_code="")
    assert not unknown.verified and unknown.detail == "address not geocoded"
    settings.TIEWATCH_CAMPAIGNS_GEOCODER = "none"
    assert not verification.verify("boundary", cfg, address="101 City Hall Plaza", postal_code="27701").verified
