"""Follow the story from any page: on the demo, the Durham police page and the Durham place page show
the Durham policy, its campaign and verdicts; the policy page links its place and its campaign; tie
pages show their verdicts and the campaigns citing them; records show their public history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tiewatch.cli import main
from tiewatch.policies import services
from tiewatch.policies.models import Finding
from tiewatch.registry.importers import import_bundle

pytestmark = pytest.mark.django_db

DURHAM_PD = "us-nc-durham-police-department"
DURHAM_POLICY = "us-nc-durham-2018-international-police-exchanges"
DURHAM_PLACE = "/jurisdictions/country:us/state:nc/place:durham/"
LATER_TIE = """\
ties:
- id: test-durham-exchange-2019
  subject: us-nc-durham-police-department
  counterparts: [il-israel-police]
  kind: exchange
  years: [2019]
  status: reported
  sources:
  - url: https://example.org/test-only
"""


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


def test_tie_and_agency_pages_show_a_stored_verdict(demo: None, client: Client, tmp_path: Path) -> None:
    """A (test-only) 2019 exchange of Durham police with the Israel Police, screened: the tie's page and
    the agency's page show the verdict, named by the policy's title and linked to its rule."""
    bundle = tmp_path / "later.yaml"
    bundle.write_text(LATER_TIE)
    import_bundle([bundle], actor="tests")
    services.run_screening()
    finding = Finding.objects.filter(tie_id="test-durham-exchange-2019", disappeared_run__isnull=True).first()
    assert finding is not None
    html = client.get(f"/ties/{finding.tie_id}/").content.decode()
    assert "Verdicts" in html and f'href="/policies/{DURHAM_POLICY}/#rule-{finding.rule_id}"' in html
    assert "Statement by the Durham City Council on International Police Exchanges" in html
    subject_page = client.get(f"/entities/{finding.subject_id}/").content.decode()
    assert "Current verdicts on its ties" in subject_page and f'href="/ties/{finding.tie_id}/"' in subject_page


def test_campaign_and_vote_pages_name_the_policy_by_title(demo: None, client: Client) -> None:
    from tiewatch.campaigns.models import Campaign, Vote

    campaign = Campaign.objects.get(policy_id=DURHAM_POLICY)
    vote = Vote.objects.filter(policy_id=DURHAM_POLICY).first()
    assert vote is not None
    for url in (f"/campaigns/{campaign.slug}/", f"/votes/{vote.slug}/"):
        html = client.get(url).content.decode()
        assert f'<a href="/policies/{DURHAM_POLICY}/">Statement by the Durham City Council' in html, url
        assert f">{DURHAM_POLICY}<" not in html, url
        assert f'href="{DURHAM_PLACE}"' in html, url
