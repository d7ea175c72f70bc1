"""An entity page's counts of a large role (the DLA is the counterpart of every LESO row) come from
the cache while the registry is unchanged, and are read again after any audited change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiewatch.registry import queries
from tiewatch.registry.audit import record_change
from tiewatch.registry.models import Entity, Tie, TieCounterpart

pytestmark = pytest.mark.django_db


@pytest.fixture
def counterpart(monkeypatch: pytest.MonkeyPatch) -> Iterator[Entity]:
    cache.clear()
    monkeypatch.setattr(queries, "CACHED_COUNTS_FROM", 3)
    agency = Entity.objects.create(id="agency", name="Agency", kind="police", country="US")
    dla = Entity.objects.create(id="dla", name="Defense Logistics Agency", kind="agency", country="US")
    for i in range(3):
        add_tie(agency, dla, i)
    yield dla
    cache.clear()


def add_tie(subject: Entity, counterpart: Entity, i: int) -> None:
    tie = Tie.objects.create(id=f"t{i}", subject=subject, kind="equipment_transfer", start_date=dt.date(2015, 1, 1),
                             start_precision="day", year_from=2015, year_to=2015)
    TieCounterpart.objects.create(tie=tie, entity=counterpart, position=0)
    record_change("tie", tie.id, "create", None, {"id": tie.id})


def counted(client: Any, entity: Entity) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/entities/{entity.id}/")
    assert response.status_code == 200
    totals = {role["role"]: role["counts"]["total"] for role in response.context["roles"]}
    return totals["counterpart"], [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"] and "tiecounterpart" in q["sql"]]


def test_large_role_counts_come_from_the_cache(client: Any, counterpart: Entity) -> None:
    first, grouped_first = counted(client, counterpart)
    again, grouped_again = counted(client, counterpart)
    assert first == again == 3
    assert grouped_first and not grouped_again


def test_an_audited_change_reads_the_counts_again(client: Any, counterpart: Entity) -> None:
    assert counted(client, counterpart)[0] == 3
    add_tie(Entity.objects.get(pk="agency"), counterpart, 3)
    total, grouped = counted(client, counterpart)
    assert total == 4 and grouped


def test_small_roles_are_counted_every_time(client: Any, counterpart: Entity, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "CACHED_COUNTS_FROM", 4)
    counted(client, counterpart)
    assert counted(client, counterpart)[1]


def shown_order(entity: Entity) -> list[str]:
    return [view.id for view in queries.entity_ties(entity, drafts=False)["items"]]


def test_a_large_role_lists_its_ties_in_the_small_roles_order(counterpart: Entity,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    agency = Entity.objects.get(pk="agency")
    for i, year in ((3, None), (4, 2020), (5, 1999)):
        add_tie(agency, counterpart, i)
        Tie.objects.filter(pk=f"t{i}").update(start_date=dt.date(year, 1, 1) if year else None,
                                              year_from=year, year_to=year)
    large = shown_order(counterpart)
    monkeypatch.setattr(queries, "CACHED_COUNTS_FROM", 100)
    assert shown_order(counterpart) == large == ["t4", "t0", "t1", "t2", "t5", "t3"]
