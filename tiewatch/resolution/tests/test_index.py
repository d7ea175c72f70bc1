"""The registry-backed index: entities as engine Records, cached until the registry changes."""

from __future__ import annotations

from typing import Any

import pytest

from tiewatch.registry.audit import entity_snapshot, record_change
from tiewatch.registry.models import Entity
from tiewatch.resolution.engine import Query
from tiewatch.resolution.index import current_index, record_for, registry_version


@pytest.mark.django_db
def test_record_for_reads_state_from_jurisdiction_and_id(seeded: Any) -> None:
    atlanta = record_for(Entity.objects.get(pk="us-ga-atlanta-police-department"))
    assert (atlanta.state, atlanta.country, atlanta.kind) == ("GA", "US", "police_agency")
    assert atlanta.jurisdiction == "ocd-division/country:us/state:ga/place:atlanta"
    border = record_for(Entity.objects.get(pk="il-israel-border-police"))
    assert (border.state, border.parent_id, border.aliases) == ("", "il-israel-police", ("Magav", "Border Guard"))
    Entity.objects.create(id="us-nh-durham-police-department", name="Durham Police Department", kind="police_agency", country="US")
    assert record_for(Entity.objects.get(pk="us-nh-durham-police-department")).state == "NH"
    assert record_for(Entity.objects.get(pk="us-federal-bureau-of-investigation")).state == ""


@pytest.mark.django_db
def test_index_matches_the_seeded_registry(seeded: Any) -> None:
    index = current_index()
    assert len(index) == Entity.objects.count()
    found = index.match(Query("ATLANTA POLICE DEPT", state="GA"))
    assert (found[0].record.id, found[0].band) == ("us-ga-atlanta-police-department", "auto")
    sheriff = index.match(Query("SAN BERNARDINO CTY SHERIFF", state="CA"), limit=5)
    assert sheriff[0].record.id == "us-ca-san-bernardino-county-sheriffs-department"
    city = [c for c in sheriff if c.record.id == "us-ca-san-bernardino-police-department"]
    assert all(c.band == "weak" for c in city)


@pytest.mark.django_db
def test_index_is_cached_until_the_registry_changes(seeded: Any) -> None:
    first = current_index()
    assert current_index() is first
    Entity.objects.create(id="us-nh-durham-police-department", name="Durham Police Department", kind="police_agency", country="US")
    second = current_index()
    assert second is not first and len(second) == len(first) + 1
    assert current_index() is second


@pytest.mark.django_db
def test_a_write_without_signals_is_seen_through_the_audit_trail(seeded: Any) -> None:
    """Another process renames an entity (no signal reaches this one); its ChangeRecord does."""
    first = current_index()
    entity = Entity.objects.get(pk="us-nc-durham-police-department")
    before = entity_snapshot(entity)
    Entity.objects.filter(pk=entity.pk).update(name="Durham City Police")
    version = registry_version()
    record_change("entity", entity.pk, "update", before, entity_snapshot(Entity.objects.get(pk=entity.pk)), actor="tests")
    assert registry_version() != version
    second = current_index()
    assert second is not first
    assert any(c.record.name == "Durham City Police" for c in second.match(Query("DURHAM CITY POLICE", state="NC")))


@pytest.mark.django_db
def test_bulk_insert_without_signals_changes_the_version(seeded: Any) -> None:
    first = current_index()
    Entity.objects.bulk_create([Entity(id="us-nc-zebulon-police-department", name="Zebulon Police Department", kind="police_agency", country="US")])
    second = current_index()
    assert second is not first
    assert second.match(Query("ZEBULON PD", state="NC"))[0].record.id == "us-nc-zebulon-police-department"
