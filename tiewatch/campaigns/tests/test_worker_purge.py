from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tiewatch.campaigns.models import OutboxMessage, Petition, RateCounter, Signature
from tiewatch.campaigns.services import outbox, signing
from tiewatch.campaigns.tests.conftest import signer
from tiewatch.cli import main

pytestmark = pytest.mark.django_db


def sign(client: Client, petition: Petition, n: int) -> None:
    r = client.post(f"/api/petitions/{petition.slug}/signatures", json.dumps(signer(n)),
                    content_type="application/json")
    assert r.status_code == 202


def test_worker_sends_outbox_to_files(client: Client, petition: Petition, mail_dir: Any, capsys: Any) -> None:
    sign(client, petition, 1)
    sign(client, petition, 2)
    assert main(["worker", "--once"]) == 0
    assert "sent 2" in capsys.readouterr().out
    files = list(mail_dir.iterdir())
    text = "".join(f.read_text() for f in files)
    assert "signer1@example.org" in text and "/confirm/" in text
    sent = OutboxMessage.objects.all()
    assert all(m.sent_at for m in sent) and all(m.body == "" for m in sent)  # link erased once sent
    assert main(["worker", "--once"]) == 0
    assert "sent 0" in capsys.readouterr().out


def test_worker_retries_then_gives_up(client: Client, petition: Petition, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    settings.TIEWATCH_CAMPAIGNS_WORKER_MAX_ATTEMPTS = 2
    sign(client, petition, 1)
    assert outbox.send_outbox() == (0, 0)
    m = OutboxMessage.objects.get()
    assert m.attempts == 1 and not m.failed and m.last_error
    assert outbox.send_outbox() == (0, 1)
    assert OutboxMessage.objects.get().failed


def test_signing_does_not_send_mail(client: Client, petition: Petition, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sign(client, petition, 1)
    assert len(mail.outbox) == 0  # only the worker sends
    outbox.send_outbox()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["signer1@example.org"]


def test_purge_deletes_old_ips(client: Client, petition: Petition, settings: Any, capsys: Any,
                               mail_dir: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_IP_RETENTION_DAYS = 30
    sign(client, petition, 1)
    sign(client, petition, 2)
    old = Signature.objects.get(email="signer1@example.org")
    Signature.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31),
                                               confirmed_at=timezone.now() - dt.timedelta(days=30))
    RateCounter.objects.update(expires=0)
    assert main(["purge"]) == 0
    assert "deleted 1 IP address(es)" in capsys.readouterr().out
    assert Signature.objects.get(pk=old.pk).ip is None
    assert Signature.objects.get(email="signer2@example.org").ip == "127.0.0.1"
    assert RateCounter.objects.count() == 0


def test_purge_deletes_expired_unconfirmed_signatures(client: Client, petition: Petition, settings: Any,
                                                      capsys: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_CONFIRM_MAX_AGE = 3600
    sign(client, petition, 1)
    sign(client, petition, 2)
    signing.confirm(OutboxMessage.objects.get(signature__email="signer2@example.org").body
                     .split("/confirm/")[1].split("/")[0])
    Signature.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert main(["purge"]) == 0
    assert "1 expired unconfirmed signature(s)" in capsys.readouterr().out
    assert list(Signature.objects.values_list("email", flat=True)) == ["signer2@example.org"]
    assert not OutboxMessage.objects.filter(signature__isnull=True, sent_at__isnull=True).exists()
    # The email may sign again.
    sign(client, petition, 1)
