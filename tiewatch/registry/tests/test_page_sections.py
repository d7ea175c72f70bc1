"""The registry's page-section hook (sections.py) and the "what changed" section (history.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tiewatch.registry import sections
from tiewatch.registry.audit import record_change

DURHAM = "us-nc-durham-police-department"


def test_sections_render_in_order_and_reject_unknown_pages() -> None:
    saved = {page: dict(found) for page, found in sections._SECTIONS.items()}
    try:
        sections.register("source", "second", lambda request, record, drafts: f"<b>{record}</b>", order=2)
        sections.register("source", "first", lambda request, record, drafts: "drafts" if drafts else "public", order=1)
        assert sections.render_sections("source", None, "x", False) == "public<b>x</b>"
        sections.register("source", "first", lambda request, record, drafts: "", order=1)  # replaced by name
        assert sections.render_sections("source", None, "x", True) == "<b>x</b>"
        with pytest.raises(ValueError, match="unknown page"):
            sections.register("nowhere", "x", lambda request, record, drafts: "")
    finally:
        sections._SECTIONS.clear()
        sections._SECTIONS.update(saved)


def test_policies_and_campaigns_register_their_sections_at_ready() -> None:
    assert {s.name for s in sections.sections("entity")} >= {"policies", "campaigns"}
    assert {s.name for s in sections.sections("jurisdiction")} >= {"policies", "campaigns"}
    assert "campaigns" in {s.name for s in sections.sections("policy")}


@pytest.mark.django_db
def test_what_changed_shows_dates_and_fields_never_a_drafts_data(seeded: Any, client: Client) -> None:
    page = client.get(f"/entities/{DURHAM}/").content.decode()
    assert "What changed" in page and "imported" in page and "Last updated" in page
    record_change("entity", DURHAM, "update", {"note": "old", "published": True},
                  {"note": "Secret draft wording", "published": False}, actor="tests")
    record_change("entity", DURHAM, "update", {"note": "old", "aliases": [], "published": False},
                  {"note": "Public wording", "aliases": ["DPD"], "published": True}, actor="tests")
    section = client.get(f"/entities/{DURHAM}/").content.decode().split('id="what-changed"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert "changed — other names, note, publication" in section
    assert section.count("changed —") == 1, "the change that left the record a draft is not listed"
    assert "Secret draft wording" not in section and "Public wording" not in section
    assert "tests" not in section  # who made a change is for staff


@pytest.mark.django_db
def test_tie_and_source_pages_have_their_history(seeded: Any, client: Client) -> None:
    from tiewatch.registry.models import Source, Tie

    tie = Tie.objects.filter(published=True).first()
    source = Source.objects.filter(published=True).first()
    assert tie is not None and source is not None
    assert "What changed" in client.get(f"/ties/{tie.pk}/").content.decode()
    assert "What changed" in client.get(f"/sources/{source.pk}/").content.decode()
