"""The registry-backed index: entities as engine Records, cached until the registry changes."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tiewatch.registry.audit import entity_snapshot, record_change
from tiewatch.registry.models import Entity
from tiewatch.resolution.engine import Index, Query, Record
from tiewatch.resolution.engine.matcher import _keys
from tiewatch.resolution.engine.profiles import given_state, record_profile
from tiewatch.resolution.index import current_index, record_for, registry_version
from tiewatch.resolution.tests.evaluation.harness import load_pairs, load_records


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


def _answers(index: Index, queries: list[Query]) -> dict[Query, list[tuple[str, float, str, tuple[Any, ...]]]]:
    return {query: [(c.record.id, c.score, c.band, c.features) for c in index.match(query, limit=10)]
            for query in queries}


def test_profiles_made_on_demand_give_the_candidates_of_a_full_build() -> None:
    """The index profiles a state's records when a query first needs them: whatever order the
    queries come in, with or without states, the candidates are those of an index built whole."""
    records, queries = load_records(), list(dict.fromkeys(pair.query for pair in load_pairs()))
    assert any(q.state for q in queries) and any(not q.state for q in queries)
    whole = Index(records)
    whole.profile_all()
    expected = _answers(whole, queries)
    with_states = [q for q in queries if q.state]
    for order in (with_states + [q for q in queries if not q.state], list(reversed(queries)),
                  random.Random(11).sample(queries, len(queries))):
        lazy = Index(records)
        assert lazy._pending, "records carrying a state wait for a query"
        assert _answers(lazy, order) == expected


def test_a_query_profiles_only_its_states_records() -> None:
    records = load_records()
    index = Index(records)
    waiting = sum(map(len, index._pending.values()))
    index.match(Query("ATLANTA POLICE DEPT", state="GA"))
    assert "GA" not in index._pending
    assert sum(map(len, index._pending.values())) == waiting - sum(1 for r in records if given_state(r) == "GA")
    index.match(Query("Israel Police"))
    assert not index._pending


def test_blocking_lists_stay_in_record_order_whatever_is_profiled_first() -> None:
    """A record without a state of its own may get one from its name; profiled at once, it is
    added to that state's lists before the state's own records, which come first in the index."""
    records = [Record("us-ga-alpha-police", "Alpha Police Department", "police_agency", "US", "GA",
                      "ocd-division/country:us/state:ga", (), ""),
               Record("ga-alpha-state-police", "Georgia State Alpha Police", "police_agency", "US", "", "", (), ""),
               *load_records()]
    by_state: dict[tuple[str, str], list[int]] = {}
    by_key: dict[str, list[int]] = {}
    for position, profile in enumerate(map(record_profile, records)):  # one build, in record order
        for key in _keys(profile):
            by_state.setdefault((key, profile.state), []).append(position)
            by_key.setdefault(key, []).append(position)
    lazy = Index(records)
    lazy.match(Query("ALPHA POLICE DEPT", state="GA"))
    lazy.profile_all()
    assert record_profile(records[1]).state == "GA"
    assert dict(lazy._by_state) == by_state and dict(lazy._by_key) == by_key
