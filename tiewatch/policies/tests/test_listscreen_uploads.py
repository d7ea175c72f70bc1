"""Uploaded lists: screened whole before anything is stored, visible only to the uploader and staff,
downloadable as CSV, JSON and HTML, and deleted when their retention runs out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tiewatch.cli import main
from tiewatch.policies import services
from tiewatch.policies.listscreen import store
from tiewatch.policies.models import ScreenedList
from tiewatch.registry.importers import import_bundle

DEMO = Path(__file__).resolve().parent.parent / "listscreen" / "demo"
VENDORS = (DEMO / "vendors-invented.csv").read_bytes()
URL = "/policies/screen-list/"


@pytest.fixture
def people(db: Any, users: Any) -> dict[str, Any]:
    import_bundle([DEMO / "registry-invented.yaml"], actor="tests")
    services.run_screening()
    users["dana"] = User.objects.create_user("dana", "dana@example.org", "password")
    users["eve"] = User.objects.create_user("eve", "eve@example.org", "password")
    return users


def upload(client: Any, data: bytes = VENDORS, name: str = "vendors.csv", **fields: str) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **fields})


@pytest.mark.django_db
def test_upload_needs_a_signed_in_user(client: Any, people: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert upload(client).status_code == 302 and not ScreenedList.objects.exists()


@pytest.mark.django_db
def test_upload_screens_and_keeps_the_list_for_its_owner(client: Any, people: Any) -> None:
    client.force_login(people["dana"])
    response = upload(client)
    assert response.status_code == 302
    saved = ScreenedList.objects.get()
    assert saved.owner == people["dana"] and saved.rows == 5 and bytes(saved.content) == VENDORS
    assert dt.timedelta(days=6, hours=23) < saved.expires_at - saved.uploaded_at <= dt.timedelta(days=7)
    page = client.get(response["Location"]).content.decode()
    assert "Northgate Surveillance Systems Ltd" in page and "review-contracts" in page
    csv_text = client.get(f"{URL}{saved.pk}/download.csv").content.decode()
    assert csv_text.startswith("line,id,name") and "invented-northgate-surveillance-systems" in csv_text
    report = json.loads(client.get(f"{URL}{saved.pk}/download.json").content)
    assert report["rows"] == 5 and report["list"] == "vendors.csv"
    html = client.get(f"{URL}{saved.pk}/download.html")
    assert html["Content-Disposition"].startswith("attachment;") and b"<!doctype html>" in html.content
    assert "vendors.csv" in client.get(URL).content.decode()


@pytest.mark.django_db
def test_another_user_cannot_see_the_list(client: Any, people: Any) -> None:
    client.force_login(people["dana"])
    upload(client)
    saved = ScreenedList.objects.get()
    client.force_login(people["eve"])
    for path in (f"{URL}{saved.pk}/", f"{URL}{saved.pk}/download.csv", f"{URL}{saved.pk}/download.html"):
        assert client.get(path).status_code == 404, path
    assert "vendors.csv" not in client.get(URL).content.decode()
    assert client.post(f"{URL}{saved.pk}/delete/").status_code == 404 and ScreenedList.objects.exists()
    assert client.get(f"/api/screen-lists/{saved.pk}").status_code == 404
    assert client.get("/api/screen-lists").json() == []
    client.force_login(people["charlie"])  # staff (a viewer) see every list
    assert client.get(f"{URL}{saved.pk}/").status_code == 200
    assert [item["id"] for item in client.get("/api/screen-lists").json()] == [saved.pk]


@pytest.mark.django_db
def test_a_bad_list_stores_nothing(client: Any, people: Any) -> None:
    client.force_login(people["dana"])
    response = upload(client, b"name,state\nAcme,NC\nBeta,ZZ\n=cmd|' /C calc'!A0,NC\n")
    assert response.status_code == 400
    page = response.content.decode()
    assert "vendors.csv:3: state: not a US postal code" in page and "vendors.csv:4: name: starts with" in page
    assert upload(client, b"name\nCaf\xe9\n").status_code == 400
    assert not ScreenedList.objects.exists()


@pytest.mark.django_db
def test_upload_size_limit(client: Any, people: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("TIEWATCH_SCREEN_LIST_MAX_BYTES", "100")
    client.force_login(people["dana"])
    response = upload(client, b"name\n" + b"Acme Corporation\n" * 20)
    assert response.status_code == 400 and "over the limit of 100" in response.content.decode()
    huge = upload(client, b"name\n" + b"A" * (200 * 1024))
    assert huge.status_code == 400 and "over the limit of 100 bytes" in huge.content.decode()
    api = client.post("/api/screen-lists", {"file": SimpleUploadedFile("big.csv", b"name\n" + b"A\n" * 100)})
    assert api.status_code == 422 and "file" in api.json()["error"]["fields"]
    assert not ScreenedList.objects.exists()


@pytest.mark.django_db
def test_retention_purge_on_access_and_by_command(client: Any, people: Any, monkeypatch: Any,
                                                  capsys: Any) -> None:
    client.force_login(people["dana"])
    upload(client)
    upload(client, name="second.csv")
    old, recent = ScreenedList.objects.order_by("id")
    ScreenedList.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"{URL}{old.pk}/").status_code == 404  # purged on access
    assert list(ScreenedList.objects.values_list("pk", flat=True)) == [recent.pk]
    ScreenedList.objects.filter(pk=recent.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert main(["screen-list-purge"]) == 0
    assert "1 expired list(s) deleted" in capsys.readouterr().out
    assert not ScreenedList.objects.exists()
    monkeypatch.setenv("TIEWATCH_SCREEN_LIST_RETENTION_DAYS", "1")
    saved = store.screen_upload(people["dana"], VENDORS, "x.csv")
    assert saved.expires_at - saved.uploaded_at == dt.timedelta(days=1)


@pytest.mark.django_db
def test_api_upload_list_download_delete(client: Any, people: Any) -> None:
    anonymous = client.post("/api/screen-lists", {"file": SimpleUploadedFile("v.csv", VENDORS)})
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    client.force_login(people["dana"])
    created = client.post("/api/screen-lists", {"file": SimpleUploadedFile("v.csv", VENDORS), "limit": "2"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["rows"] == 5 and body["filename"] == "v.csv" and sum(body["summary"].values()) == 5
    one = client.get(f"/api/screen-lists/{body['id']}").json()
    assert all(len(r["candidates"]) <= 2 for r in one["report"]["results"])
    assert client.get(f"/api/screen-lists/{body['id']}", {"format": "csv"})["Content-Type"].startswith("text/csv")
    bad = client.post("/api/screen-lists", {"file": SimpleUploadedFile("v.csv", b"vendor\nAcme\n")})
    assert bad.status_code == 422 and "name" in bad.json()["error"]["fields"]
    assert client.delete(f"/api/screen-lists/{body['id']}").status_code == 204
    assert not ScreenedList.objects.exists()
