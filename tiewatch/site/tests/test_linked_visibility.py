"""The cross-page sections keep each app's visibility rule: an unpublished campaign (and its vote) about
Durham, and a verdict on a draft tie, show on none of the entity, place, tie or policy pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tiewatch.campaigns.models import Campaign, Vote
from tiewatch.cli import main
from tiewatch.policies.models import Finding, ScreeningRun
from tiewatch.registry.models import Tie

pytestmark = pytest.mark.django_db

DURHAM_PD = "us-nc-durham-police-department"
POLICY = "us-nc-durham-2018-international-police-exchanges"
PLACE = "ocd-division/country:us/state:nc/place:durham"


def test_hidden_campaigns_and_draft_verdicts_stay_hidden(client: Client, capsys: Any, users: Any) -> None:
    assert main(["demo", "load"]) == 0
    capsys.readouterr()
    tie = Tie.objects.filter(subject_id=DURHAM_PD, published=True).first()
    assert tie is not None
    hidden = Campaign.objects.create(slug="canary-campaign", name="Wombatcanary Campaign", published=False,
                                     target_body="Council", jurisdiction=PLACE, policy_id=POLICY,
                                     coalition_entity_id=DURHAM_PD)
    hidden.evidence.add(tie)
    Vote.objects.create(campaign=hidden, slug="canary-vote", body="Wombatcanary Council", motion="Wombatcanary",
                        date=dt.date(2024, 1, 1), outcome="passed")
    Tie.objects.filter(pk=tie.pk).update(published=False, note="Wombatcanary draft")
    run = ScreeningRun.objects.first()
    assert run is not None
    Finding.objects.create(tie_id=tie.pk, subject_id=DURHAM_PD, policy_id=POLICY, rule_id="literal",
                           effect="prohibit", reasons=["Wombatcanary reason"], first_run=run, last_run=run,
                           appeared_at=timezone.now())
    pages = [f"/entities/{DURHAM_PD}/", "/jurisdictions/country:us/state:nc/place:durham/", f"/policies/{POLICY}/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "wombatcanary" not in response.content.decode().lower(), url
    # Staff who may see drafts see the verdict on the draft tie; the campaign stays out (campaigns' own rule).
    client.force_login(users["charlie"])
    staff = client.get(f"/entities/{DURHAM_PD}/").content.decode()
    assert "Wombatcanary reason" in staff and "Wombatcanary Campaign" not in staff
