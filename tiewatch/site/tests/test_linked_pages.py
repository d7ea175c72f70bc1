"""Follow the story from any page: on the demo, the Durham police page and the Durham place page show
the Durham policy, its campaign and verdicts; the policy page links its place and its campaign; tie
pages show their verdicts and the campaigns citing them; records show their public history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tiewatch.cli import main
from tiewatch.policies.models import Finding

pytestmark = pytest.mark.django_db

DURHAM_PD = "us-nc-durham-police-department"
DURHAM_POLICY = "us-nc-durham-2018-international-police-exchanges"
DURHAM_PLACE = "/jurisdictions/country:us/state:nc/place:durham/"


@pytest.fixture
def demo(capsys: Any) -> None:
    assert main(["demo", "load"]) == 0
    capsys.readouterr()


def test_durham_police_page_shows_policy_campaign_and_verdicts(demo: None, client: Client) -> None:
    html = client.get(f"/entities/{DURHAM_PD}/").content.decode()
    assert "Policies that bind it" in html
    assert f'href="/policies/{DURHAM_POLICY}/"' in html
    assert "Campaigns and votes about it" in html and 'href="/campaigns/' in html and 'href="/votes/' in html
    # Its ties predate the 2018 statement: the demo's screening run finds none under it, and says so.
    assert not Finding.objects.filter(subject_id=DURHAM_PD, policy_id=DURHAM_POLICY).exists()
    assert "Verdict: none of its ties falls under this policy" in html


def test_durham_place_page_shows_its_laws_campaigns_and_votes(demo: None, client: Client) -> None:
    response = client.get(DURHAM_PLACE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/policies/{DURHAM_POLICY}/"' in html and "Adopted here" in html
    assert "Campaigns and votes here" in html and 'href="/votes/' in html
    assert f'href="/entities/{DURHAM_PD}/"' in html


def test_policy_page_links_its_place_and_campaign_and_explains_verdicts(demo: None, client: Client) -> None:
    html = client.get(f"/policies/{DURHAM_POLICY}/").content.decode()
    assert f'href="{DURHAM_PLACE}"' in html and ">Durham<" in html
    assert "The campaign and votes behind it" in html and 'href="/campaigns/' in html
    assert "tiewatch screen" not in html and "ocd-division/" not in html
    assert 'href="/check/"' in html


def test_tie_page_shows_its_verdict_and_the_campaign_citing_it(demo: None, client: Client) -> None:
    finding = Finding.objects.filter(disappeared_run__isnull=True).first()
    assert finding is not None
    html = client.get(f"/ties/{finding.tie_id}/").content.decode()
    assert "Verdicts" in html and f'href="/policies/{finding.policy_id}/#rule-{finding.rule_id}"' in html
    subject_page = client.get(f"/entities/{finding.subject_id}/").content.decode()
    assert "Current verdicts on its ties" in subject_page and f'href="/ties/{finding.tie_id}/"' in subject_page
