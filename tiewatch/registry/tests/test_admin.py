"""The staff admin: roles, audited edits (before/after), sourced ties, the audit trail page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie

pytestmark = pytest.mark.django_db

TIE = "us-nc-test-police--il-police--2020"


def login(client: Client, user: Any) -> Client:
    assert client.login(username=user.username, password="password")
    return client


@pytest.fixture
def small(db: Any) -> dict[str, Any]:
    source = Source.objects.create(id="src-a", url="https://example.org/a", title="A report")
    Source.objects.create(id="src-b", url="https://example.org/b", title="B report")
    subject = Entity.objects.create(id="us-nc-test-police", name="Test Police", kind="police_agency", country="US")
    foreign = Entity.objects.create(id="il-police", name="Israel Police", kind="foreign_police", country="IL")
    draft = Entity.objects.create(id="draft-entity", name="Draft Entity", kind="organization", published=False)
    return {"source": source, "subject": subject, "foreign": foreign, "draft": draft}


def tie_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": TIE, "subject": "us-nc-test-police", "program": "", "kind": "exchange", "status": "reported",
        "published": "on", "start_date": "2020-03-01", "start_precision": "month", "end_date": "",
        "end_precision": "day", "years": "[]", "attributes": "{}", "note": "A test exchange.",
        "sources": ["src-a"],
        "counterpart_links-TOTAL_FORMS": "1", "counterpart_links-INITIAL_FORMS": "0",
        "counterpart_links-MIN_NUM_FORMS": "0", "counterpart_links-MAX_NUM_FORMS": "1000",
        "counterpart_links-0-entity": "il-police", "counterpart_links-0-position": "0",
        "_save": "Save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_anonymous_is_sent_to_login(small: Any) -> None:
    for url in ("/admin/", "/admin/registry/tie/", "/admin/registry/entity/draft-entity/change/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_editor_adds_a_tie_and_it_is_audited(users: Any, small: Any) -> None:
    client = login(Client(), users["bob"])
    response = client.post("/admin/registry/tie/add/", tie_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    tie = Tie.objects.get(pk=TIE)
    assert [link.entity_id for link in tie.counterpart_links.all()] == ["il-police"]
    assert tie.year_from == 2020 and tie.counterpart_countries == "IL"
    record = ChangeRecord.objects.get(model="tie", object_id=TIE)
    assert record.action == "create" and record.actor == "bob" and record.user == users["bob"]
    assert record.before is None
    # The snapshot after is taken once the inline and the source links are saved.
    assert record.after["counterparts"] == ["il-police"]
    assert record.after["sources"] == ["src-a"]
    assert record.after["start"] == "2020-03"


def test_editor_edits_an_entity_with_before_and_after(users: Any, small: Any) -> None:
    client = login(Client(), users["bob"])
    response = client.get("/admin/registry/entity/us-nc-test-police/change/")
    assert response.status_code == 200
    response = client.post("/admin/registry/entity/us-nc-test-police/change/", {
        "name": "Test Police Department", "kind": "police_agency", "country": "US", "jurisdiction": "",
        "parent": "", "aliases": '["TPD"]', "note": "", "extra": "{}", "sources": ["src-a", "src-b"],
        "published": "on", "_save": "Save",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    entity = Entity.objects.get(pk="us-nc-test-police")
    assert entity.name == "Test Police Department" and entity.search_text == "test police department | tpd"
    record = ChangeRecord.objects.get(model="entity", object_id="us-nc-test-police")
    assert record.action == "update" and record.actor == "bob"
    changed = {name: (before, after) for name, before, after in record.changed_fields()}
    assert changed == {
        "name": ("Test Police", "Test Police Department"),
        "aliases": ([], ["TPD"]),
        "sources": ([], ["src-a", "src-b"]),
    }


def test_saving_without_changes_records_nothing(users: Any, small: Any) -> None:
    client = login(Client(), users["alice"])
    client.post("/admin/registry/source/src-a/change/", {
        "url": "https://example.org/a", "title": "A report", "publisher": "", "published_on": "",
        "accessed_on": "", "excerpt": "", "published": "on", "_save": "Save",
    })
    assert not ChangeRecord.objects.filter(model="source").exists()


def test_a_tie_without_a_source_is_refused(users: Any, small: Any) -> None:
    client = login(Client(), users["bob"])
    before = ChangeRecord.objects.count()
    response = client.post("/admin/registry/tie/add/", tie_form(sources=None))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sources"] == ["A tie needs at least one source."]
    assert "A tie needs at least one source." in response.content.decode()
    assert not Tie.objects.filter(pk=TIE).exists()
    assert ChangeRecord.objects.count() == before


def test_removing_the_last_source_of_a_tie_is_refused(users: Any, small: Any) -> None:
    client = login(Client(), users["bob"])
    assert client.post("/admin/registry/tie/add/", tie_form()).status_code == 302
    link = Tie.objects.get(pk=TIE).counterpart_links.get()
    response = client.post(f"/admin/registry/tie/{TIE}/change/", tie_form(**{
        "sources": None, "counterpart_links-INITIAL_FORMS": "1", "counterpart_links-0-id": str(link.pk),
        "counterpart_links-0-tie": TIE,
    }))
    assert response.status_code == 200
    assert "A tie needs at least one source." in response.content.decode()
    assert list(Tie.objects.get(pk=TIE).sources.values_list("id", flat=True)) == ["src-a"]


def test_a_tie_needs_a_counterpart_or_a_counterpart_country(users: Any, small: Any) -> None:
    client = login(Client(), users["bob"])
    no_counterpart = {"counterpart_links-0-entity": ""}  # the blank extra row, as a browser sends it
    response = client.post("/admin/registry/tie/add/", tie_form(**no_counterpart))
    assert response.status_code == 200
    assert "at least one counterpart" in response.content.decode()
    assert not Tie.objects.exists()
    response = client.post("/admin/registry/tie/add/",
                           tie_form(attributes='{"counterpart_country": "IL"}', **no_counterpart))
    assert response.status_code == 302
    tie = Tie.objects.get(pk=TIE)
    assert tie.counterpart_countries == "IL" and not tie.counterpart_links.exists()


def test_editing_counterparts_inline_is_audited(users: Any, small: Any) -> None:
    client = login(Client(), users["alice"])
    assert client.post("/admin/registry/tie/add/", tie_form()).status_code == 302
    Entity.objects.create(id="il-idf", name="Israel Defense Forces", kind="military", country="IL")
    link = Tie.objects.get(pk=TIE).counterpart_links.get()
    response = client.post(f"/admin/registry/tie/{TIE}/change/", tie_form(**{
        "sources": ["src-a", "src-b"],
        "counterpart_links-TOTAL_FORMS": "2", "counterpart_links-INITIAL_FORMS": "1",
        "counterpart_links-0-id": str(link.pk), "counterpart_links-0-tie": TIE,
        "counterpart_links-1-entity": "il-idf", "counterpart_links-1-position": "1",
    }))
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ChangeRecord.objects.filter(model="tie", object_id=TIE, action="update").get()
    changed = {name: (before, after) for name, before, after in record.changed_fields()}
    assert changed == {
        "counterparts": (["il-police"], ["il-police", "il-idf"]),
        "sources": (["src-a"], ["src-a", "src-b"]),
    }
    # The audit trail page shows the change, before → after.
    page = client.get(f"/admin/registry/tie/{TIE}/history/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Audit trail" in text and "counterparts" in text
    assert "[&quot;il-police&quot;, &quot;il-idf&quot;]" in text
    # ... and the change page links to it.
    change_page = client.get(f"/admin/registry/tie/{TIE}/change/").content.decode()
    assert f'href="/admin/registry/tie/{TIE}/history/"' in change_page and "Audit trail" in change_page


def test_deleting_is_audited(users: Any, small: Any) -> None:
    client = login(Client(), users["bob"])
    response = client.post("/admin/registry/entity/draft-entity/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Entity.objects.filter(pk="draft-entity").exists()
    record = ChangeRecord.objects.get(model="entity", object_id="draft-entity")
    assert record.action == "delete" and record.after is None and record.before["name"] == "Draft Entity"
    # The trail outlives the record.
    page = client.get("/admin/registry/entity/draft-entity/history/")
    assert page.status_code == 200 and "Draft Entity" in page.content.decode()


def test_viewer_reads_drafts_but_cannot_change(users: Any, small: Any) -> None:
    client = login(Client(), users["charlie"])
    listing = client.get("/admin/registry/entity/")
    assert listing.status_code == 200 and "Draft Entity" in listing.content.decode()
    page = client.get("/admin/registry/entity/draft-entity/change/")
    assert page.status_code == 200 and "Draft Entity" in page.content.decode()
    assert not page.context["has_change_permission"]
    response = client.post("/admin/registry/entity/draft-entity/change/", {
        "name": "Renamed", "kind": "organization", "aliases": "[]", "extra": "{}", "_save": "Save",
    })
    assert response.status_code == 403
    assert Entity.objects.get(pk="draft-entity").name == "Draft Entity"
    assert client.get("/admin/registry/tie/add/").status_code == 403
    assert client.post("/admin/registry/entity/draft-entity/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/registry/entity/draft-entity/history/").status_code == 200
    assert not ChangeRecord.objects.exists()


def test_editors_cannot_see_users(users: Any) -> None:
    client = login(Client(), users["bob"])
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get(f"/admin/auth/user/{users['charlie'].pk}/change/").status_code == 403
    assert "auth/user" not in client.get("/admin/").content.decode()
    assert login(Client(), users["alice"]).get("/admin/auth/user/").status_code == 200


def test_change_records_are_read_only_for_everyone(users: Any, small: Any) -> None:
    client = login(Client(), users["alice"])
    client.post("/admin/registry/entity/draft-entity/delete/", {"post": "yes"})
    record = ChangeRecord.objects.get()
    assert client.get("/admin/registry/changerecord/").status_code == 200
    page = client.get(f"/admin/registry/changerecord/{record.pk}/change/")
    assert page.status_code == 200 and "Draft Entity" in page.content.decode()
    assert client.get("/admin/registry/changerecord/add/").status_code == 403
    assert client.post(f"/admin/registry/changerecord/{record.pk}/change/", {"actor": "x"}).status_code == 403
    assert client.post(f"/admin/registry/changerecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ChangeRecord.objects.get().actor == "alice"


def test_list_filters_and_search(users: Any, small: Any) -> None:
    client = login(Client(), users["alice"])
    assert client.post("/admin/registry/tie/add/", tie_form()).status_code == 302
    Entity.objects.filter(pk="il-police").update(aliases=["INP"], search_text="israel police | inp")
    found = client.get("/admin/registry/entity/", {"q": "inp"}).content.decode()
    assert "Israel Police" in found and "Draft Entity" not in found
    assert TIE in client.get("/admin/registry/tie/", {"year": "2020", "kind__exact": "exchange"}).content.decode()
    assert TIE not in client.get("/admin/registry/tie/", {"year": "2019"}).content.decode()


def test_changing_a_country_in_the_admin_updates_the_ties(users: Any, small: Any) -> None:
    client = login(Client(), users["bob"])
    assert client.post("/admin/registry/tie/add/", tie_form()).status_code == 302
    response = client.post("/admin/registry/entity/il-police/change/", {
        "name": "Israel Police", "kind": "foreign_police", "country": "PS", "jurisdiction": "", "parent": "",
        "aliases": "[]", "note": "", "extra": "{}", "published": "on", "_save": "Save",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Tie.objects.get(pk=TIE).counterpart_countries == "PS"


@pytest.mark.parametrize("value", ['{"a": 1}', '"<script>"', '["IL", 5]', '"ZZ"'])
def test_counterpart_country_must_be_a_country_code(users: Any, small: Any, value: str) -> None:
    client = login(Client(), users["bob"])
    response = client.post("/admin/registry/tie/add/", tie_form(
        attributes=f'{{"counterpart_country": {value}}}', **{"counterpart_links-0-entity": ""}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["attributes"]
    assert len(errors) == 1 and errors[0].startswith("counterpart_country: ")
    assert not Tie.objects.exists()
    response = client.post("/admin/registry/tie/add/", tie_form(attributes='{"counterpart_country": "il"}'))
    assert response.status_code == 302
    assert Tie.objects.get(pk=TIE).attributes == {"counterpart_country": "IL"}
