"""Roles: only holders of campaigns.export_signatures / campaigns.moderate_signatures (admins and the
petition_manager group) export or moderate; every export is logged."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tiewatch.campaigns.models import ExportLog, ModerationLog, OutboxMessage, Petition, Signature
from tiewatch.campaigns.services import signing
from tiewatch.campaigns.services.counts import counts as petition_counts
from tiewatch.campaigns.tests.conftest import signer

pytestmark = pytest.mark.django_db


def sign_and_confirm(client: Client, petition: Petition, n: int, **extra: Any) -> Signature:
    r = client.post(f"/api/petitions/{petition.slug}/signatures", json.dumps(signer(n, **extra)),
                    content_type="application/json")
    assert r.status_code == 202
    message = OutboxMessage.objects.order_by("-id").first()
    assert message is not None
    token = message.body.split("/confirm/")[1].split("/")[0]
    return signing.confirm(token)


def logged_in(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


URLS = ["/petitions/{}/export.csv", "/petitions/{}/export.pdf", "/petitions/{}/moderate/"]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_login(client: Client, petition: Petition, url: str) -> None:
    r = client.get(url.format(petition.slug))
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_editor_and_viewer_are_refused(users: dict, petition: Petition, url: str, who: str) -> None:
    assert logged_in(users[who]).get(url.format(petition.slug)).status_code == 403
    assert ExportLog.objects.count() == 0


def test_admin_exports_csv_and_it_is_logged(users: dict, petition: Petition, client: Client) -> None:
    sign_and_confirm(client, petition, 1, comment="=HYPERLINK(\"http://evil\")")
    client.post(f"/api/petitions/{petition.slug}/signatures", json.dumps(signer(2)), content_type="application/json")
    r = logged_in(users["alice"]).get(f"/petitions/{petition.slug}/export.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert [row["email"] for row in rows] == ["signer1@example.org"]  # confirmed only
    assert rows[0]["comment"].startswith("'=")  # no spreadsheet formula injection
    every = list(csv.DictReader(io.StringIO(
        logged_in(users["alice"]).get(f"/petitions/{petition.slug}/export.csv?all=1").content.decode())))
    assert {row["status"] for row in every} == {"confirmed", "pending"}
    logs = list(ExportLog.objects.order_by("id"))
    assert [(log.username, log.format, log.rows) for log in logs] == [("alice", "csv", 1), ("alice", "csv", 2)]


def test_petition_manager_group_exports_pdf(petition: Petition, client: Client) -> None:
    manager = User.objects.create_user("dora", "dora@example.org", "password", is_staff=True)
    manager.groups.add(Group.objects.get(name="petition_manager"))
    sign_and_confirm(client, petition, 1)
    r = logged_in(manager).get(f"/petitions/{petition.slug}/export.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert ExportLog.objects.get().format == "pdf"


def test_bulk_invalidation_with_reason(users: dict, petition: Petition, client: Client) -> None:
    a = sign_and_confirm(client, petition, 1)
    b = sign_and_confirm(client, petition, 2)
    sign_and_confirm(client, petition, 3)
    assert petition_counts(petition)["confirmed"] == 3
    admin = logged_in(users["alice"])
    page = admin.get(f"/petitions/{petition.slug}/moderate/")
    assert page.status_code == 200 and b"signer1@example.org" in page.content
    missing = admin.post(f"/petitions/{petition.slug}/moderate/", {"action": "invalidate", "ids": [a.pk]})
    assert missing.status_code == 200 and Signature.objects.filter(invalidated_at__isnull=False).count() == 0
    r = admin.post(f"/petitions/{petition.slug}/moderate/",
                   {"action": "invalidate", "ids": [a.pk, b.pk], "reason": "same household bot run"})
    assert r.status_code == 302
    assert petition_counts(petition)["confirmed"] == 1
    assert set(Signature.objects.filter(invalidated_at__isnull=False).values_list("invalidation_reason", flat=True)) \
        == {"same household bot run"}
    log = ModerationLog.objects.get()
    assert (log.username, log.count) == ("alice", 2)
    # Editors cannot.
    assert logged_in(users["bob"]).post(f"/petitions/{petition.slug}/moderate/",
                                        {"action": "invalidate", "ids": [3], "reason": "x"}).status_code == 403


def test_offline_batch_entry(users: dict, petition: Petition, client: Client) -> None:
    admin = logged_in(users["alice"])
    r = admin.post(f"/petitions/{petition.slug}/moderate/",
                   {"action": "offline", "count": "120", "source": "paper sheets, farmers market",
                    "collected_on": "2026-05-01", "verified_residents": "100"})
    assert r.status_code == 302
    bad = admin.post(f"/petitions/{petition.slug}/moderate/",
                     {"action": "offline", "count": "5", "source": "x", "verified_residents": "9"})
    assert bad.status_code == 200 and b"Cannot exceed" in bad.content
    counts = client.get(f"/api/petitions/{petition.slug}").json()["counts"]
    assert counts["offline"] == 120 and counts["confirmed"] == 0 and counts["total"] == 120
    assert b'id="offline-count">120<' in client.get(f"/petitions/{petition.slug}/").content


def test_admin_pages_work_and_hide_signatures(users: dict, petition: Petition) -> None:
    admin_client = logged_in(users["alice"])
    for url in ("/admin/campaigns/campaign/", "/admin/campaigns/petition/",
                f"/admin/campaigns/petition/{petition.pk}/change/",
                "/admin/campaigns/hearing/add/", "/admin/campaigns/vote/add/", "/admin/campaigns/letter/add/",
                "/admin/campaigns/exportlog/"):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/admin/campaigns/signature/").status_code == 404
