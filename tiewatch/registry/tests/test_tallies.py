"""The tie tallies (tiewatch/registry/tallies.py) equal a fresh count after every way the registry's ties
change: ORM saves and deletes, queryset updates, bulk inserts, raw SQL, entity publication and place,
bundle imports (and a refused one), and many small writes (the log is folded). On PostgreSQL these
check the triggers of migration 0011; on SQLite the counts are made afresh, so they hold trivially.
Pages read the tallies: the first reader after a change sees it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tiewatch.core.errors import TiewatchError
from tiewatch.registry import tallies
from tiewatch.registry.audit import record_change, tie_snapshot
from tiewatch.registry.importers import import_bundle
from tiewatch.registry.models import Entity, Jurisdiction, Tie, TieCounterpart
from tiewatch.registry.tests.tally_checks import agree, current

DURHAM = "us-nc-durham-police-department"
RALEIGH = "us-nc-raleigh-police-department"




def new_tie(tie_id: str, subject: str = DURHAM, **fields: Any) -> Tie:
    tie = Tie(id=tie_id, subject_id=subject, kind=fields.pop("kind", "training"),
              start_date=fields.pop("start_date", dt.date(2019, 5, 1)), end_date=fields.pop("end_date", None),
              **fields)
    tie.refresh_denormalised()
    tie.save()
    return tie


def test_seeded_registry_is_tallied(seeded: Any) -> None:
    agree()
    assert current(True, ("total",))["total"][""] == Tie.objects.count()


def test_orm_save_update_and_delete(seeded: Any) -> None:
    tie = new_tie("tally-one", end_date=dt.date(2022, 1, 1), counterpart_countries="IL,PS")
    agree()
    assert current(False, ("year",))["year"]["2021"] >= 1
    tie.kind, tie.status, tie.dataset = "exchange", "alleged", "leso"
    tie.save()
    agree()
    tie.published = False
    tie.save()
    agree()
    tie.delete()
    agree()


def test_queryset_update_bulk_create_and_raw_sql(seeded: Any) -> None:
    Tie.objects.filter(subject_id=DURHAM).update(status="disputed", year_to=2030)
    agree()
    Tie.objects.bulk_create([Tie(id=f"tally-bulk-{i}", subject_id=RALEIGH, kind="delegation", year_from=2000 + i,
                                 year_to=2001 + i, counterpart_countries="IL", dataset="leso") for i in range(30)])
    agree()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_tie SET kind = 'exchange' WHERE id LIKE 'tally-bulk-%%'")
        cursor.execute("DELETE FROM registry_tie WHERE id = 'tally-bulk-3'")
    agree()
    Tie.objects.filter(pk__startswith="tally-bulk-").delete()
    agree()


def test_entity_publication_and_place_move_their_ties(seeded: Any) -> None:
    public_before = current(False, ("total",))["total"][""]
    durham_ties = Tie.objects.filter(subject_id=DURHAM, published=True).count()
    Entity.objects.filter(pk=DURHAM).update(published=False)
    agree()
    assert current(False, ("total",))["total"][""] == public_before - durham_ties
    Entity.objects.filter(pk=DURHAM).update(published=True)
    wake = Jurisdiction.objects.create(id="ocd-division/country:us/state:nc/county:wake", name="Wake County",
                                       parent_id="ocd-division/country:us/state:nc")
    entity = Entity.objects.get(pk=DURHAM)
    entity.jurisdiction = wake
    entity.save()
    agree()
    assert current(False, ("place",))["place"][f"|{wake.id}"] == durham_ties


def test_bundle_import_and_a_refused_one(seeded: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "more.yaml"
    bundle.write_text(
        "ties:\n"
        "  - id: tally-imported\n    subject: us-nc-durham-police-department\n    kind: delegation\n"
        "    counterparts: [il-israel-police]\n    years: [2016]\n    sources: [{url: 'https://example.org/tally'}]\n", "utf-8")
    import_bundle([bundle], actor="tests")
    agree()
    before = {drafts: current(drafts) for drafts in (False, True)}
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "ties:\n"
        "  - id: tally-refused\n    subject: us-nc-durham-police-department\n    kind: delegation\n    years: [2017]\n"
        "    sources: [{url: 'https://example.org/tally'}]\n"
        "  - id: tally-refused-2\n    subject: no-such-entity\n    kind: delegation\n    years: [2017]\n", "utf-8")
    with pytest.raises(TiewatchError):
        import_bundle([broken], actor="tests")
    assert {drafts: current(drafts) for drafts in (False, True)} == before
    agree()


def test_many_small_writes_fold_the_log(seeded: Any) -> None:
    for i in range(120):
        new_tie(f"tally-many-{i}", subject=RALEIGH if i % 2 else DURHAM, start_date=dt.date(1990 + i % 30, 1, 1),
                end_date=dt.date(1995 + i % 30, 1, 1), counterpart_countries="IL" if i % 3 else "")
    Tie.objects.filter(pk__startswith="tally-many-").delete()
    agree()
    if tallies.kept():
        # Folded: far fewer rows than the ~2,500 appended, no count of zero left.
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE n = 0) FROM registry_tietally")
            rows, zeros = cursor.fetchone()
        assert zeros == 0 and rows < 2000


def test_rebuild_repairs_a_damaged_tally(seeded: Any) -> None:
    if tallies.kept():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE registry_tietally SET n = n + 5 WHERE dimension = 'kind'")
        assert tallies.differences()
    tallies.rebuild()
    agree()


def test_entity_version_follows_its_own_ties_only(seeded: Any) -> None:
    durham, raleigh = tallies.entity_version(DURHAM), tallies.entity_version(RALEIGH)
    new_tie("tally-stamp", subject=RALEIGH)
    if tallies.kept():
        assert tallies.entity_version(DURHAM) == durham
        assert tallies.entity_version(RALEIGH) != raleigh
        counterpart = tallies.entity_version("il-israel-police")
        TieCounterpart.objects.create(tie_id="tally-stamp", entity_id="il-israel-police")
        assert tallies.entity_version("il-israel-police") != counterpart
        assert tallies.entity_version(DURHAM) == durham
    else:
        assert durham is None and raleigh is None


def test_first_reader_after_a_change_sees_it(client: Any, seeded: Any) -> None:
    home = client.get("/").content.decode()
    ties_page = client.get("/ties/").content.decode()
    tie = new_tie("tally-reader", kind="exchange", start_date=dt.date(1961, 3, 1), counterpart_countries="ZW")
    record_change("tie", tie.pk, "create", None, tie_snapshot(tie), None, "tests")
    total = Tie.objects.filter(published=True, subject__published=True).count()
    assert f'<span class="big">{total}</span><br>ties' in client.get("/").content.decode()
    assert home != client.get("/").content.decode()
    listed = client.get("/ties/").content.decode()
    assert "?country=ZW" in listed and "?country=ZW" not in ties_page
    assert "1961" in client.get("/").content.decode()  # the chart's new year


def test_a_large_dataset_roles_few_hand_entered_ties_are_counted_once(client: Any, db: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The Defense Logistics Agency is the counterpart of every LESO tie: its summaries are cached, and
    so must be the count of its few hand-entered ties, found among all of those (~300 ms at 10,000)."""
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    from tiewatch.registry import queries

    cache.clear()
    monkeypatch.setattr(queries, "CACHED_COUNTS_FROM", 3)
    Entity.objects.create(id="agency", name="Agency", kind="police_agency", country="US")
    dla = Entity.objects.create(id="dla", name="Defense Logistics Agency", kind="federal_agency", country="US")
    for i, dataset in enumerate(["leso", "leso", "leso", ""]):
        tie = new_tie(f"dla-{i}", subject="agency", dataset=dataset)
        TieCounterpart.objects.create(tie=tie, entity=dla)
    record_change("tie", "dla-3", "create", None, {"id": "dla-3"}, None, "tests")

    def grouped() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/entities/dla/").status_code == 200
        return [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"] and "tiecounterpart" in q["sql"]]

    assert grouped()
    assert grouped() == []
    cache.clear()


def test_the_list_of_tally_triggers_is_the_databases(db: Any) -> None:
    """`tallies.ALL_TRIGGERS` (switched off for bulk loads) names every trigger migration 0011 made."""
    if not tallies.kept():
        assert connection.vendor == "sqlite"  # no triggers: the counts are made afresh
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal "
                       "AND tgname LIKE 'registry_%%'")
        assert set(cursor.fetchall()) == set(tallies.ALL_TRIGGERS)


def test_a_bulk_bundle_load_is_counted_once_at_its_end(tmp_path: Path, db: Any) -> None:
    """60,000 ties into empty tables: a bulk load (writer.is_bulk_load) counts the tallies once when
    it is done, with every trigger off meanwhile; the triggers count the writes after it."""
    from tiewatch.registry.tests.test_import_stream import bundle

    result = import_bundle([bundle(tmp_path, 60_000)], actor="tests")
    assert result.counts["ties"].created == 60_000
    agree()
    assert current(False, ("total",))["total"][""] == 60_000
    Tie.objects.filter(pk="t0000007").update(kind="training")
    Tie.objects.filter(pk="t0000008").delete()
    agree()
