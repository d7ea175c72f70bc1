"""The audit trail helpers: canonical snapshots, change records, histories."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tiewatch.registry.audit import (
    actor_name,
    entity_snapshot,
    history,
    jurisdiction_snapshot,
    record_change,
    snapshot,
    source_snapshot,
    tie_snapshot,
)
from tiewatch.registry.importers.readers import RawRecord
from tiewatch.registry.importers.validate import validate_records
from tiewatch.registry.importers.writer import entity_row_snapshot, tie_row_snapshot
from tiewatch.registry.models import ChangeRecord, Entity, Jurisdiction, Source, Tie, TieCounterpart

pytestmark = pytest.mark.django_db


@pytest.fixture
def tie(db: Any) -> Tie:
    Source.objects.create(id="s1", url="https://example.org/1")
    subject = Entity.objects.create(id="a", name="A", kind="sheriff", country="US")
    Entity.objects.create(id="b", name="B", kind="foreign_police", country="IL")
    Entity.objects.create(id="c", name="C", kind="military", country="IL")
    tie = Tie.objects.create(id="t", subject=subject, kind="training", start_date=dt.date(2018, 4, 1),
                             start_precision="month", end_date=dt.date(2018, 4, 1), end_precision="month")
    TieCounterpart.objects.create(tie=tie, entity_id="c", position=1)
    TieCounterpart.objects.create(tie=tie, entity_id="b", position=0)
    tie.sources.add("s1")
    return tie


def test_tie_snapshot_is_canonical(tie: Tie) -> None:
    assert tie_snapshot(tie) == {
        "subject": "a", "counterparts": ["b", "c"], "program": None, "kind": "training", "start": "2018-04",
        "end": "2018-04", "years": [], "status": "reported", "attributes": {}, "note": "", "uncertain": False,
        "published": True, "sources": ["s1"],
    }
    assert snapshot(tie) == tie_snapshot(tie)


def test_import_rows_snapshot_like_the_database(tie: Tie) -> None:
    """The importer compares snapshots of bundle rows with snapshots of stored records."""
    bundle = validate_records([
        RawRecord("ties", {"id": "t", "subject": "a", "counterparts": ["b", "c"], "kind": "training",
                           "date": "2018-04", "sources": ["s1"]}, "x.yaml", 1),
        RawRecord("entities", {"id": "a", "name": "A", "kind": "sheriff", "country": "us"}, "x.yaml", 2),
    ])
    assert bundle.problems == []
    assert tie_row_snapshot(bundle.ties["t"]) == tie_snapshot(tie)
    assert entity_row_snapshot(bundle.entities["a"]) == entity_snapshot(Entity.objects.get(pk="a"))


def test_other_snapshots(tie: Tie) -> None:
    assert source_snapshot(Source.objects.get()) == {
        "url": "https://example.org/1", "title": "", "publisher": "", "published_on": None, "accessed_on": None,
        "excerpt": "", "published": True}
    assert entity_snapshot(Entity.objects.get(pk="a"))["sources"] == []
    division = Jurisdiction.objects.create(id="ocd-division/country:us", name="United States")
    assert jurisdiction_snapshot(division) == {"name": "United States", "parent": None}
    with pytest.raises(TypeError):
        snapshot(ChangeRecord())


def test_record_change_skips_no_ops_and_names_the_actor(users: Any) -> None:
    assert record_change("entity", "a", "update", {"name": "A"}, {"name": "A"}, user=users["bob"]) is None
    record = record_change("entity", "a", "update", {"name": "A", "note": ""}, {"name": "B", "note": ""},
                           user=users["bob"])
    assert record is not None and record.user == users["bob"] and record.actor == "bob"
    assert record.changed_fields() == [("name", "A", "B")]
    anonymous = record_change("entity", "a", "delete", {"name": "B"}, None, actor="script")
    assert anonymous is not None and anonymous.user is None and anonymous.actor == "script"
    assert anonymous.changed_fields() == [("name", "B", None)]
    assert [r.action for r in history("entity", "a")] == ["delete", "update"]
    assert history("entity", "zzz") == []


def test_actor_name(users: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert actor_name(users["alice"]) == "alice"
    assert actor_name(AnonymousUser(), "fallback") == "fallback"
    assert actor_name(None) == ""
