"""Public-records requests: deadlines from the YAML table, the editor's flow, documents (PDF text
extracted; malformed, encrypted and oversized refused with nothing stored), citing a document as a
Source, overdue flags, the public's view, API and exports."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from tiewatch.cli import main
from tiewatch.core.errors import ValidationFailed
from tiewatch.desk.deadlines import laws, parse_table
from tiewatch.desk.models import RecordsRequest, RequestDocument
from tiewatch.desk.tests.helpers import pdf_with_text
from tiewatch.registry.models import ChangeRecord, Source

DURHAM = "us-nc-durham-police-department"
REQUIRED_LAWS = {"federal", "NC", "CA", "NY", "TX", "GA", "FL", "IL", "MA", "WA"}


def test_the_table_has_every_required_law_with_its_citation() -> None:
    table = laws()
    assert set(table) >= REQUIRED_LAWS
    assert all(law.citation and law.name for law in table.values())


def test_business_days_skip_weekends_and_calendar_days_do_not() -> None:
    friday = dt.date(2026, 11, 27)
    assert laws()["GA"].deadline(friday) == dt.date(2026, 12, 2)  # 3 business days: Mon, Tue, Wed
    assert laws()["CA"].deadline(friday) == dt.date(2026, 12, 7)  # 10 calendar days
    assert laws()["federal"].deadline(friday) == dt.date(2026, 12, 25)
    assert laws()["NC"].deadline(friday) is None  # "as promptly as possible": no fixed day


def test_a_bad_table_row_names_file_line_and_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_table("XX:\n  name: X law\n  citation: X § 1\n  days: -3\n  count: business\n  verified: true\n",
                    "t.yaml")
    assert [str(p) for p in caught.value.problems] == ["t.yaml:4: XX.days: bad or missing days"]


@pytest.fixture
def editor(client: Any, users: Any, seeded: Any) -> Any:
    client.force_login(users["bob"])
    return client


def create(client: Any, **extra: Any) -> RecordsRequest:
    data = {"agency": DURHAM, "title": "Training records 2018", "text": "All records of the 2018 exchange.",
            "sent_on": "2026-11-02", "requester": "Jo Reporter", "published": "on", **extra}
    data = {key: value for key, value in data.items() if value is not None}  # None: the box left unticked
    response = client.post("/requests/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return RecordsRequest.objects.get(pk=int(response["Location"].strip("/").rsplit("/", 1)[-1]))


def test_an_editor_creates_a_request_under_the_agencys_state_law(editor: Any) -> None:
    req = create(editor)
    assert req.law == "NC" and req.deadline is None and req.status == "sent"
    texas = create(editor, law="TX", sent_on="2026-11-02")
    assert texas.deadline == dt.date(2026, 11, 16)
    assert ChangeRecord.objects.filter(model="records_request", object_id=str(req.pk), action="create").exists()


def test_a_bad_request_names_its_fields_and_stores_nothing(editor: Any) -> None:
    response = editor.post("/requests/new/", {"agency": "nobody", "title": "", "text": "x", "sent_on": "2026-13-01",
                                              "law": "ZZ"})
    assert response.status_code == 422
    page = response.content.decode()
    for field in ("agency", "title", "sent_on", "law"):
        assert f"{field}:" in page
    assert not RecordsRequest.objects.exists()


def test_status_changes_are_dated_audited_and_extensions_move_the_deadline(editor: Any) -> None:
    req = create(editor, law="TX")
    assert editor.post(f"/requests/{req.pk}/status/", {"status": "acknowledged", "on": "2026-11-05"}).status_code == 302
    refused = editor.post(f"/requests/{req.pk}/status/", {"status": "extended", "on": "2026-11-10"})
    assert refused.status_code == 422 and "new_deadline" in refused.content.decode()
    editor.post(f"/requests/{req.pk}/status/", {"status": "extended", "on": "2026-11-10", "new_deadline": "2026-12-20"})
    req.refresh_from_db()
    assert req.status == "extended" and req.deadline == dt.date(2026, 12, 20)
    assert [(h.status, h.on.isoformat()) for h in req.history.all()] == [
        ("sent", "2026-11-02"), ("acknowledged", "2026-11-05"), ("extended", "2026-11-10")]
    assert ChangeRecord.objects.filter(model="records_request", object_id=str(req.pk), action="update").count() == 2


def upload(client: Any, req: RecordsRequest, name: str, content: bytes) -> Any:
    return client.post(f"/requests/{req.pk}/documents/new/", {
        "document": SimpleUploadedFile(name, content), "received_on": "2026-11-20", "note": "first batch"})


def test_a_pdf_response_has_its_text_extracted_and_can_be_cited_as_a_source(editor: Any, client: Any) -> None:
    req = create(editor)
    assert upload(editor, req, "memo.pdf", pdf_with_text("Chief memo on the 2018 seminar")).status_code == 302
    doc = RequestDocument.objects.get(request=req)
    assert doc.content_type == "application/pdf" and "Chief memo on the 2018 seminar" in doc.text
    assert editor.post(f"/requests/{req.pk}/documents/{doc.pk}/cite/").status_code == 302
    source = Source.objects.get(pk=f"src-request-{req.pk}-{doc.pk}")
    assert source.url.endswith(f"/requests/{req.pk}/documents/{doc.pk}/") and "Chief memo" in source.excerpt
    assert ChangeRecord.objects.filter(model="source", object_id=source.pk, action="create").exists()
    client.logout()
    served = client.get(f"/requests/{req.pk}/documents/{doc.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["Content-Security-Policy"] == "sandbox"


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.pdf", b"%PDF-1.4\nthis is not a pdf at all", "is not a readable PDF"),
    ("locked.pdf", None, "encrypted PDF"),
    ("huge.txt", b"x" * 2048, "the limit is 1,024"),
    ("sheet.xlsx", b"PK\x03\x04", "only PDF, HTML and text"),
    ("latin.txt", "caf\xe9".encode("latin-1"), "not UTF-8"),
])
def test_bad_documents_are_refused_and_nothing_is_stored(editor: Any, settings: Any, name: str,
                                                          content: bytes | None, message: str) -> None:
    settings.TIEWATCH_DESK_UPLOAD_MAX_BYTES = 1024 if name == "huge.txt" else 10_000_000
    req = create(editor)
    response = upload(editor, req, name, encrypted_pdf() if content is None else content)
    assert response.status_code == 422 and message in response.content.decode()
    assert not RequestDocument.objects.exists()
    assert not ChangeRecord.objects.filter(model="records_request", action="update").exists()


def test_the_public_sees_published_requests_without_the_requester(editor: Any, client: Any) -> None:
    shown = create(editor, title="Public one")
    named = create(editor, title="Named one", show_requester="on")
    draft = create(editor, title="Zqdraft request", published=None)
    client.logout()
    listing = client.get("/requests/").content.decode()
    assert "Public one" in listing and "Named one" in listing and "Zqdraft" not in listing
    assert client.get(f"/requests/{draft.pk}/").status_code == 404
    assert "Jo Reporter" not in client.get(f"/requests/{shown.pk}/").content.decode()
    assert "Jo Reporter" in client.get(f"/requests/{named.pk}/").content.decode()
    rows = json.loads(client.get("/requests/?format=json").content)
    assert {r["title"] for r in rows} == {"Public one", "Named one"}
    assert {r["requester"] for r in rows} == {None, "Jo Reporter"}
    csv_text = client.get("/requests/?format=csv").content.decode()
    assert csv_text.startswith("id,agency,agency_name,title") and "Zqdraft" not in csv_text


def test_overdue_requests_are_flagged_on_the_page_and_by_the_command(editor: Any, client: Any, capsys: Any) -> None:
    late = create(editor, law="GA", sent_on="2020-01-06", title="Late one")
    done = create(editor, law="GA", sent_on="2020-01-06", title="Answered one")
    editor.post(f"/requests/{done.pk}/status/", {"status": "fulfilled", "on": "2020-01-08"})
    create(editor, law="GA", sent_on=dt.date.today().isoformat(), title="Fresh one")
    page = client.get("/requests/?overdue=1").content.decode()
    assert "Late one" in page and "Answered one" not in page and "Fresh one" not in page
    assert "Overdue" in client.get(f"/requests/{late.pk}/").content.decode()
    assert main(["desk", "requests", "--overdue", "--format", "json"]) == 0
    assert [r["title"] for r in json.loads(capsys.readouterr().out)] == ["Late one"]
    assert main(["desk", "requests"]) == 0
    out = capsys.readouterr().out
    assert "Late one" in out and "OVERDUE" in out and "Fresh one" in out


def test_the_api_lists_creates_and_updates_with_roles(client: Any, users: Any, seeded: Any) -> None:
    body = {"agency": DURHAM, "title": "API request", "text": "Records", "sent_on": "2026-11-02", "published": True}
    assert client.post("/api/requests", body, content_type="application/json").status_code == 401
    client.force_login(users["charlie"])  # a viewer reads but does not write
    refused = client.post("/api/requests", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    client.force_login(users["bob"])
    created = client.post("/api/requests", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = client.post(f"/api/requests/{pk}/status", {"status": "lost", "on": "2026-11-03"},
                      content_type="application/json")
    assert bad.status_code == 422 and "status" in bad.json()["error"]["fields"]
    ok = client.post(f"/api/requests/{pk}/status", {"status": "denied", "on": "2026-11-03"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "denied"
    client.logout()
    assert [r["id"] for r in client.get("/api/requests").json()] == [pk]
    assert client.get(f"/api/requests/{pk}").json()["history"][-1]["status"] == "denied"
    assert client.get("/api/requests/999999").json()["error"]["code"] == "not_found"
