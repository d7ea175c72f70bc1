"""The whole shared LESO release imported once (module scope, rolled back at the end): the report's
counts equal the files' own counts, per file, per workbook and sheet, and in the database."""

from __future__ import annotations

import csv
import functools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from tiewatch.datasets.importer import import_dataset
from tiewatch.datasets.models import ImportRun
from tiewatch.datasets.report import DatasetReport
from tiewatch.datasets.tests.helpers import LESO
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie, TieCounterpart

INVENTORY = "AllStatesAndTerritories_03312021.xlsx"
SHIPMENTS = "Shipments_Cancellations_01012021_03312021.xlsx"


@functools.cache
def counted_by_csv() -> tuple[Counter[str], Counter[tuple[str, str]], set[tuple[str, str]]]:
    """The files' own counts, read with the csv module alone (per file; per workbook and sheet; names)."""
    per_file: Counter[str] = Counter()
    per_sheet: Counter[tuple[str, str]] = Counter()
    names: set[tuple[str, str]] = set()
    for path in sorted(LESO.glob("*.tsv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                per_file[path.name] += 1
                per_sheet[(row["File"], row["Sheet"])] += 1
                names.add((row["StateAbbreviation"], row["RequestingAgency"]))
    return per_file, per_sheet, names


# The tables a large first load rebuilds around itself on PostgreSQL (indexes, foreign keys, unique keys).
TABLES = [m._meta.db_table for m in (Tie, TieCounterpart, Tie.sources.through, ChangeRecord)]
SCHEMA_BEFORE: dict[str, Any] = {}


def schema() -> dict[str, Any]:
    with connection.cursor() as cursor:
        return {table: {name: (c["columns"], c["unique"], c["primary_key"], c["foreign_key"], c["index"])
                        for name, c in connection.introspection.get_constraints(cursor, table).items()}
                for table in TABLES}


@pytest.fixture(scope="module")
def full(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DatasetReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        SCHEMA_BEFORE.update(schema())
        yield import_dataset("leso", LESO, actor="tests")
        transaction.set_rollback(True)


def test_the_report_counts_equal_the_files(full: DatasetReport, db: Any) -> None:
    per_file, per_sheet, names = counted_by_csv()
    assert full.rows == 140_500 == sum(per_file.values())
    assert {f.file.rsplit("/", 1)[-1]: f.rows for f in full.files} == dict(per_file)
    assert len(full.files) == 54 and not full.refused
    assert sum(full.releases[INVENTORY].values()) == 130_321
    assert full.releases[SHIPMENTS] == {"SHIPMENTS": 4_617, "CANCELLATIONS": 5_562}
    assert {(r, s): n for r, sheets in full.releases.items() for s, n in sheets.items()} == dict(per_sheet)
    assert full.names == 6_437 == len(names)
    # Names padded with trailing spaces in some files are one agency.
    assert full.proposed == len({(state, " ".join(name.split())) for state, name in names})
    assert full.ties.as_dict() == {"created": 140_500, "updated": 0, "unchanged": 0}
    assert not [n for n in full.notices if "expected by dataset.yaml" in n]


def test_the_database_holds_every_row_once(full: DatasetReport, db: Any) -> None:
    ties = Tie.objects.filter(dataset="leso")
    assert ties.count() == 140_500
    assert ties.filter(status="confirmed").count() == 130_321 + 4_617
    assert ties.filter(status="cancelled").count() == 5_562
    assert ties.filter(kind="equipment_transfer", program_id="us-dod-1033-program").count() == 140_500
    assert Tie.counterparts.through.objects.filter(tie__dataset="leso", entity_id="us-dla").count() == 140_500
    sources = Source.objects.filter(ties__dataset="leso").distinct()
    assert sorted(s.id for s in sources) == ["dla-leso-allstatesandterritories-03312021",
                                            "dla-leso-shipments-cancellations-01012021-03312021"]
    assert Entity.objects.filter(ties_as_subject__dataset="leso").distinct().count() == full.proposed
    run = ImportRun.objects.get(dataset="leso")
    assert (run.rows, run.refused, str(run.as_of)) == (140_500, 0, "2021-03-31")
    assert len(run.files) == 54 and all(len(f["sha256"]) == 64 for f in run.files)


def test_every_agency_has_its_state_as_jurisdiction(full: DatasetReport, db: Any) -> None:
    agencies = list(Entity.objects.filter(ties_as_subject__dataset="leso").distinct())
    wrong = [e.id for e in agencies
             if not (e.jurisdiction_id or "").startswith("ocd-division/country:us/")
             or (e.jurisdiction_id or "").split("/")[2].split(":")[1] != e.extra["state"].lower()]
    assert not wrong
    _, _, names = counted_by_csv()
    assert {e.extra["state"] for e in agencies} == {state for state, _ in names}


def test_every_index_and_key_is_back_after_the_load(full: DatasetReport, db: Any) -> None:
    """Dropped for the load (indexes, foreign keys, unique keys) and rebuilt, all of them, as they were."""
    assert schema() == SCHEMA_BEFORE
    assert any(unique and not primary for table in SCHEMA_BEFORE.values()
               for _, unique, primary, _, _ in table.values())
