"""Browsing datasets: an entity's dataset ties summarised (in SQL) with the rows one click away, the
tie list and API filtered by dataset and category, and the /datasets/ pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tiewatch.datasets.importer import import_dataset
from tiewatch.registry.models import Entity, Tie, TieCounterpart

FIXTURES = Path(__file__).parent / "fixtures" / "sipri"
AGENCY = "us-nc-durham-police-department"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _leso_ties() -> None:
    """Five LESO-shaped ties of one agency (attributes as the LESO mapping types them)."""
    Entity.objects.get_or_create(id="us-dla", defaults={"name": "Defense Logistics Agency", "kind": "federal_agency",
                                                        "country": "US"})
    rows = [("2014", ["wheeled_armored_vehicle"], 1, 658000.0), ("2014", ["specialized_firearm"], 10, 1380.0),
            ("2015", ["specialized_firearm", "night_vision"], 3, 300.5), ("2015", [], 2, 20.0),
            ("2016", ["drone"], 1, 15000.0)]
    for i, (year, categories, quantity, value) in enumerate(rows):
        tie = Tie(id=f"leso-test-{i}", subject_id=AGENCY, kind="equipment_transfer", status="confirmed",
                  start_date=dt.date(int(year), 5, 1), dataset="leso",
                  attributes={"item": f"ITEM {i}", "quantity": quantity, "acquisition_value": value,
                              "categories": categories})
        tie.refresh_denormalised()
        tie.save()
        TieCounterpart.objects.create(tie=tie, entity_id="us-dla")


def test_an_agencys_leso_ties_are_summarised_by_category_and_year(client: Any, seeded: Any) -> None:
    _leso_ties()
    page = client.get(f"/entities/{AGENCY}/").content.decode()
    text = _text(page)
    assert "DLA 1033 program (LESO), received: 5 ties" in text
    assert "Quantity: 17" in text and "Acquisition value (US$): 674,700" in text
    # A category row: its count per year and its totals; the row links to the filtered tie list.
    assert re.search(r"Specialized firearm 1 1 · 2 13 1,680", text), text
    assert "No category" in text
    link = f"/ties/?subject={AGENCY}&amp;dataset=leso&amp;category=specialized_firearm"
    assert link in page
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "leso-test-1" in listed and "leso-test-2" in listed and "leso-test-0" not in listed
    # The curated ties are still listed one by one, the dataset's are not.
    assert "/ties/leso-test-0/" not in page and "Most recent ties" in page


def test_the_tie_list_filters_by_dataset_and_category_in_the_page_the_exports_and_the_api(
        client: Any, seeded: Any) -> None:
    _leso_ties()
    page = client.get("/ties/?dataset=leso&category=drone").content.decode()
    assert 'name="dataset"' in page and 'name="category"' in page and "/ties/leso-test-4/" in page
    assert "/ties/leso-test-3/" not in page
    exported = list(csv.DictReader(io.StringIO(
        client.get("/ties/?dataset=leso&category=specialized_firearm&format=csv").content.decode())))
    assert sorted(r["id"] for r in exported) == ["leso-test-1", "leso-test-2"]
    body = client.get("/ties/?dataset=leso&format=json").json()
    assert len(body["ties"]) == 5
    api = client.get("/api/ties?dataset=leso&category=specialized_firearm").json()
    assert sorted(t["id"] for t in api["results"]) == ["leso-test-1", "leso-test-2"]
    curated = client.get("/api/ties?dataset=curated&page_size=500").json()
    assert curated["count"] == Tie.objects.filter(dataset="").count() > 0
    assert client.get("/api/ties?category=Drone%27").status_code == 422
    assert client.get("/ties/?category=not+a+slug").status_code == 400


@pytest.mark.django_db
def test_israels_page_shows_its_arms_ties_beside_its_police_ties(client: Any, seeded: Any) -> None:
    import_dataset("sipri_register", FIXTURES / "register-2024.csv", actor="tests")
    page = client.get("/entities/il-israel/").content.decode()
    text = _text(page)
    assert "SIPRI arms transfers, as supplier: 3 ties" in text and "as recipient: 3 ties" in text
    assert "TIV delivered (millions): 400" in text  # 300 + 100, the open order delivered nothing yet
    assert re.search(r"India .*?2 400", text)
    assert "With agencies of this country: 61 ties" in text  # the police exchanges with Israeli forces
    assert "National government yes" in text
    assert "/ties/?country=IL&amp;dataset=curated" in page
    rows = "/ties/?subject=il-israel&amp;dataset=sipri_register&amp;counterpart=in-india"
    assert rows in page
    listed = client.get(rows.replace("&amp;", "&")).content.decode()
    assert listed.count('href="/ties/sipri_register-') == 2


@pytest.mark.django_db
def test_the_datasets_pages_list_metadata_last_import_and_counts(client: Any, seeded: Any) -> None:
    import_dataset("sipri_register", FIXTURES / "register-2024.csv", actor="tests")
    listing = client.get("/datasets/").content.decode()
    assert "SIPRI Arms Transfers Database, Trade Registers" in listing
    assert 'href="/ties/?dataset=sipri_register">8<' in listing
    detail = client.get("/datasets/sipri_register/").content.decode()
    text = _text(detail)
    for words in ("Stockholm International Peace Research Institute", "may not be redistributed",
                  "yearly", "1 January 1950 to 31 December 2025", "Arms transfer", "Files imported"):
        assert words in text, words
    # (file names, which hold underscores, are the publisher's and shown as they are)
    assert not re.search(r"(?<![\w.-])[a-z]+_[a-z_]+(?![\w.-])", text), "a label in snake_case"
    assert client.get("/datasets/nothing-here/").status_code == 404
