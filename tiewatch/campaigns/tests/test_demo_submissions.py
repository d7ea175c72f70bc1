"""Issue 12 item 8: the Durham demo's sourced written submissions. Each letter, memo, petition and demand
the seed (../shared/data/registry/seed.yaml) records is a letter with its stance, its source and the
organisation that sent it, linked to that organisation's registry entity; nothing the seed does not say
is added: no individual speaker, signatory or roll-call name."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.test import Client

from conftest import SHARED_DATA
from tiewatch.campaigns.models import Hearing, Letter, Vote
from tiewatch.cli import main

pytestmark = pytest.mark.django_db

SEED = SHARED_DATA / "registry" / "seed.yaml"
# The seed's campaign events that are written submissions, and the letter that records each.
SUBMISSIONS = {
    "coalition-petition-2018-04-05": ("for", "us-demilitarize-durham2palestine-coalition", "2018-04-05"),
    "durham-police-chief-memo-2018-04": ("neutral", "us-nc-durham-police-department", "2018-04"),
    "adl-letter-2018-04-12": ("against", "us-anti-defamation-league", "2018-04-12"),
    "durham-fop-lodge-letter-2018-04": ("against", "us-fraternal-order-of-police-lodge", "2018-04"),
    "zoa-demand-2018-04-23": ("against", "us-zionist-organization-of-america", "2018-04-23"),
    "triangle-rabbis-2018-04-03": ("against", None, "2018-04-03"),
    "interfaith-clergy-letter-2018-04": ("for", None, "2018-04"),
}


@pytest.fixture
def seed() -> dict[str, Any]:
    assert SEED.is_file(), f"missing: {SEED}"  # real-data tests fail, not skip
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def demo(capsys: Any) -> None:
    assert main(["demo", "load"]) == 0
    capsys.readouterr()


def test_each_submission_has_stance_seed_source_and_its_sender(seed: dict[str, Any], demo: None) -> None:
    event_sources = {str(e["date"]): {s["url"] for s in e["sources"]} for e in seed["campaign_events"]}
    seed_sources = {s["url"] for p in seed["policies"] for s in p["sources"]}
    # The seed's entity records cite sources too (FOSNA's: the page hosting the clergy letter).
    seed_sources |= {s["url"] for e in seed["entities"] for s in e.get("sources", [])}
    entities = {e["id"] for e in seed["entities"]}
    for slug, (stance, entity_id, date) in SUBMISSIONS.items():
        letter = Letter.objects.get(slug=slug)
        assert (letter.stance, letter.when) == (stance, date), slug
        urls = {s["url"] for s in letter.sources}
        # Every source is one the seed gives for that date's event (or its policy or sender's record).
        assert urls and urls <= event_sources.get(date, set()) | seed_sources, slug
        senders = [e.organisation.entity_id for e in letter.endorsements.select_related("organisation")]
        assert senders == ([entity_id] if entity_id else []), slug
        assert all(s in entities for s in senders)
        assert not letter.signatories.exists(), "the seed names no signatory"


def test_hearing_keeps_its_reported_counts_and_lists_the_submissions(demo: None, client: Client) -> None:
    hearing = Hearing.objects.get(slug="durham-city-council-2018-04-16")
    assert not hearing.testimonies.exists() and hearing.reported_testimonies == 50
    html = client.get(f"/hearings/{hearing.slug}/").content.decode()
    assert "No individual testimonies recorded. Reported: about 50 testimonies" in html
    assert "Written submissions on record" in html
    assert '<a href="/entities/us-anti-defamation-league/">Anti-Defamation League (ADL)</a>' in html
    assert 'href="https://ru.scribd.com/document/376536904/ADL-Letter"' in html
    # ZOA's demand came after the hearing: on the campaign's list, not the hearing's.
    assert "ZOA demands" not in html
    assert "ZOA demands the statement be rescinded" in client.get(
        "/campaigns/durham-2018-police-exchanges/").content.decode()


def test_vote_has_counts_only_and_says_a_seat_is_unaccounted(demo: None, client: Client) -> None:
    vote = Vote.objects.get(slug="durham-city-council-2018-04-16-statement")
    assert (vote.reported_yes, vote.reported_no, vote.seats) == (6, 0, 7) and not vote.roll_call.exists()
    assert "the 6-0 count leaves one unaccounted for" in vote.note


def test_sender_entity_page_and_api_name_the_submission(demo: None, client: Client) -> None:
    html = client.get("/entities/us-zionist-organization-of-america/").content.decode()
    assert "Letters and submissions it sent or endorsed" in html
    assert 'href="/letters/zoa-demand-2018-04-23/"' in html and "(stance: against)" in html
    data = client.get("/api/letters/durham-fop-lodge-letter-2018-04").json()
    assert data["organisations"] == [{"name": "Fraternal Order of Police lodge (Durham)",
                                      "entity_id": "us-fraternal-order-of-police-lodge"}]
    assert data["uncertain"] is True and data["stance"] == "against" and data["sources"]
