from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def mail_dir(settings: Any, tmp_path: Any) -> Any:
    path = tmp_path / "outbox"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(path)
    return path


@pytest.fixture
def campaign(db: Any) -> Any:
    from tiewatch.campaigns.models import Campaign

    return Campaign.objects.create(slug="test-campaign", name="Test campaign", target_body="Test Council",
                                   jurisdiction="ocd-division/country:us/state:nc/place:durham")


@pytest.fixture
def petition(campaign: Any) -> Any:
    from tiewatch.campaigns.models import Petition

    return Petition.objects.create(
        campaign=campaign, slug="test-petition", title="Test petition", text="Please do the thing.",
        target="Test Council", jurisdiction=campaign.jurisdiction, status="open", thresholds=[2, 10],
        verification="postal_codes", verification_config={"postal_codes_file": "us-nc-durham-zip.txt"})


def signer(n: int = 1, **extra: Any) -> dict[str, Any]:
    data = {"name": f"Signer Number{n}", "email": f"signer{n}@example.org", "postal_code": "27701",
            "address": f"{n} Main Street", "resident": True, "comment": "", "consent": True}
    data.update(extra)
    return data


@pytest.fixture(autouse=True)
def _fresh_petition_cache() -> Any:
    """Each test has its own database rows: never reuse a petition cached by an earlier test."""
    from tiewatch.campaigns.services import petition_cache

    petition_cache._petition_cache.clear()
    yield
    petition_cache._petition_cache.clear()
