"""Each outbox row is sent under one Message-ID, on every attempt and from every worker, so that a
message sent again after a lost database connection can be recognised as the same message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tiewatch.campaigns.models import OutboxMessage, Petition
from tiewatch.campaigns.services.outbox import send_outbox
from tiewatch.campaigns.tests.conftest import signer

pytestmark = pytest.mark.django_db


def test_message_id_is_fixed_by_the_outbox_row(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_SITE_URL = "https://petitions.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: the first attempt fails
    assert client.post(f"/api/petitions/{petition.slug}/signatures", json.dumps(signer(1)),
                       content_type="application/json").status_code == 202
    assert send_outbox() == (0, 0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_outbox() == (1, 0)
    row = OutboxMessage.objects.get()
    assert row.attempts == 2
    sent = mail.outbox[0].message()
    assert sent["Message-ID"] == f"<outbox.{row.pk}.{row.created_at:%Y%m%d%H%M%S}@petitions.example.org>"
