"""Petition pages people share (issue 12): progress toward the next milestone, plain share links (no
third-party script), Open Graph / Twitter card tags on petition, campaign and entity pages, and a used
confirmation link that says "already confirmed" instead of offering the button again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import OutboxMessage, Petition
from tiewatch.campaigns.tests.test_pages import form_data, link_of

pytestmark = pytest.mark.django_db


def _sign_and_confirm(client: Client, petition: Petition, n: int) -> str:
    client.post(f"/petitions/{petition.slug}/", form_data(n))
    link = link_of(OutboxMessage.objects.order_by("-id").first())  # type: ignore[arg-type]
    assert client.post(link).status_code == 200
    return link


def test_progress_bar_toward_the_next_milestone(client: Client, petition: Petition) -> None:
    _sign_and_confirm(client, petition, 1)
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert '<progress id="milestone-progress" value="1" max="2">' in page
    assert "1 of 2 signatures toward the next milestone" in page
    _sign_and_confirm(client, petition, 2)
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert '<progress id="milestone-progress" value="2" max="10">' in page
    petition.thresholds = [1]
    petition.save()
    assert "Every milestone reached." in client.get(f"/petitions/{petition.slug}/").content.decode()


def test_share_links_and_social_tags(client: Client, petition: Petition) -> None:
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    url = f"http://testserver/petitions/{petition.slug}/"
    assert f'<meta property="og:title" content="{petition.title}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:description" content="Please do the thing.">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    share = page[page.index('<nav class="share"'):]
    share = share[: share.index("</nav>")]
    assert ("https://twitter.com/intent/tweet?text=Test%20petition&amp;url=http%3A%2F%2Ftestserver%2Fpetitions%2F"
            "test-petition%2F") in share
    assert "https://bsky.app/intent/compose?text=" in share and "https://www.facebook.com/sharer/" in share
    # plain links: no third-party script; the one script is the site's own live counts (test_live_counts.py)
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/campaigns/live_counts.js" defer>']
    campaign = client.get(f"/campaigns/{petition.campaign.slug}/").content.decode()
    assert f'<meta property="og:title" content="{petition.campaign.name}">' in campaign


def test_entity_pages_have_social_tags(client: Client, seeded: Any) -> None:
    page = client.get("/entities/us-nc-durham-police-department/").content.decode()
    assert '<meta property="og:title" content="Durham Police Department">' in page
    assert re.search(r'<meta property="og:description" content="Police agency in the tiewatch registry', page, re.I)


def test_a_used_confirmation_link_says_already_confirmed(client: Client, petition: Petition) -> None:
    link = _sign_and_confirm(client, petition, 1)
    again = client.get(link)
    body = again.content.decode()
    assert again.status_code == 200 and 'id="already-confirmed"' in body and "confirm-button" not in body
    assert "already confirmed" in body and "1 signature." in body
    second_post = client.post(link).content.decode()
    assert 'id="already-confirmed"' in second_post and "confirm-button" not in second_post
