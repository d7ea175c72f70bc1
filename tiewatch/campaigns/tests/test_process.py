"""Hearings (testimonies, summaries), votes (roll call, policy link), letters (signatories,
endorsements) on their pages and in the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import (
    Endorsement,
    Hearing,
    Letter,
    LetterSignatory,
    Organisation,
    RollCallEntry,
    Vote,
)
from tiewatch.campaigns.models import (
    Testimony as HearingTestimony,
)

pytestmark = pytest.mark.django_db


def test_hearing_summary_from_testimonies(client: Client, campaign: Any) -> None:
    hearing = Hearing.objects.create(campaign=campaign, slug="h1", body="Test Council", date=dt.date(2026, 5, 4),
                                     start_time=dt.time(19, 0), end_time=dt.time(22, 30), agenda_item="Item 7",
                                     video_url="https://video.example/h1")
    for i, (stance, resident, seconds) in enumerate([("for", True, 120), ("for", True, 115), ("against", False, 120),
                                                     ("neutral", None, 90)]):
        HearingTestimony.objects.create(hearing=hearing, speaker=f"Speaker {i}", affiliation="Org", stance=stance,
                                 resident=resident, start_time=dt.time(19, i), duration_seconds=seconds)
    summary = hearing.summary()
    assert summary["testimonies"] == 4
    assert summary["by_stance"] == {"for": 2, "against": 1, "neutral": 1}
    assert summary["residents"] == 2 and summary["total_duration_seconds"] == 445
    data = client.get("/api/hearings/h1").json()
    assert data["summary"]["total_duration_seconds"] == 445 and len(data["testimonies"]) == 4
    assert data["video_url"] == "https://video.example/h1" and data["end_time"] == "22:30:00"
    html = client.get("/hearings/h1/").content.decode()
    assert "4 testimonies: 2 for, 1 against, 1 neutral" in html and "Item 7" in html


def test_vote_roll_call_and_policy_link(client: Client, campaign: Any) -> None:
    vote = Vote.objects.create(campaign=campaign, slug="v1", body="Test Council", motion="Adopt it",
                               date=dt.date(2026, 5, 4), outcome="passed", effect="adopted", seats=7,
                               policy_id="us-xx-test-2026-policy")
    for member, position in [("A", "yes"), ("B", "yes"), ("C", "yes"), ("D", "no"), ("E", "abstain"),
                             ("F", "absent"), ("G", "recused")]:
        RollCallEntry.objects.create(vote=vote, member=member, position=position)
    tally = vote.tally()
    assert (tally["yes"], tally["no"], tally["abstain"], tally["absent"], tally["recused"]) == (3, 1, 1, 1, 1)
    assert tally["unaccounted"] == 0 and tally["source"] == "roll call"
    data = client.get("/api/votes/v1").json()
    assert data["policy_url"] == "/policies/us-xx-test-2026-policy/" and len(data["roll_call"]) == 7
    html = client.get("/votes/v1/").content.decode()
    assert 'href="/policies/us-xx-test-2026-policy/"' in html and "Recused" in html
    # The campaign timeline shows the vote and the policy it adopted.
    kinds = [i["kind"] for i in client.get(f"/api/campaigns/{campaign.slug}").json()["timeline"]]
    assert kinds == ["vote", "policy"]


def test_letter_signatories_and_endorsements(client: Client, campaign: Any) -> None:
    letter = Letter.objects.create(campaign=campaign, slug="l1", title="Clergy letter", text="We support it.",
                                   date=dt.date(2026, 4, 1), stance="for")
    LetterSignatory.objects.create(letter=letter, name="Rev. A", role="pastor", organisation="First Church")
    LetterSignatory.objects.create(letter=letter, name="Imam B", role="imam", organisation="Mosque")
    Endorsement.objects.create(letter=letter, organisation=Organisation.objects.create(slug="o", name="Org O"))
    data = client.get("/api/letters/l1").json()
    assert [s["role"] for s in data["signatories"]] == ["pastor", "imam"] and data["endorsements"] == ["Org O"]
    html = client.get("/letters/l1/").content.decode()
    assert "First Church" in html and "Org O" in html and "We support it." in html
