"""A first load writes while it reads (firstload.py; PostgreSQL) and reads its files in a forked
child (forked.py): it must store exactly what the two-pass import stores, fall back to the two
passes when a later release supersedes rows it wrote, and leave the tallies exact. On SQLite both
imports take the two passes, and the comparison still holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from tiewatch.core.errors import ValidationFailed
from tiewatch.datasets.forked import SurveyFailed, can_fork, survey_forked
from tiewatch.datasets.importer import import_dataset
from tiewatch.datasets.leso.adapter import LesoAdapter
from tiewatch.datasets.sipri_register.adapter import ADAPTER as SIPRI
from tiewatch.datasets.survey import Survey, no_progress, survey_files
from tiewatch.datasets.tests.helpers import copy_states, read_rows, write_rows
from tiewatch.registry.models import ChangeRecord, Entity, Tie, TieCounterpart
from tiewatch.registry.tests.tally_checks import agree, current

TWO_PASS_STAGES = {"check", "resolve", "write"}


def _stored() -> dict[str, Any]:
    """What a LESO import leaves in the registry, without ids and times that differ run to run."""
    ties = Tie.objects.filter(dataset="leso").order_by("id")
    return {
        "ties": list(ties.values_list("id", "subject_id", "program_id", "kind", "start_date", "start_precision",
                                      "year_from", "year_to", "status", "attributes", "counterpart_countries",
                                      "published", "uncertain", "note")),
        "counterparts": list(TieCounterpart.objects.filter(tie__dataset="leso").order_by("tie_id", "position")
                             .values_list("tie_id", "entity_id", "position")),
        "cites": sorted(Tie.sources.through.objects.filter(tie__dataset="leso").values_list("tie_id", "source_id")),
        "entities": list(Entity.objects.filter(id__startswith="us-").order_by("id")
                         .values_list("id", "name", "kind", "country", "jurisdiction_id", "uncertain", "published",
                                      "extra")),
        "entity sources": sorted(Entity.sources.through.objects.filter(entity__id__startswith="us-")
                                 .values_list("entity_id", "source_id")),
        "audit": sorted(ChangeRecord.objects.filter(actor="tests").values_list("model", "object_id", "action",
                                                                                "before", "after")),
        "tallies": current(True),
    }


def _report(report: Any) -> dict[str, Any]:
    return {key: value for key, value in report.as_dict().items() if key not in ("stages", "seconds")}


def test_a_first_load_stores_what_the_two_passes_store(tmp_path: Path, db: Any) -> None:
    folder = copy_states(tmp_path / "leso")
    with transaction.atomic():
        streamed = import_dataset("leso", folder, actor="tests")
        agree()
        stored = _stored()
        transaction.set_rollback(True)
    assert Tie.objects.filter(dataset="leso").count() == 0
    two_pass = import_dataset("leso", folder, actor="tests", stream=False)
    agree()
    assert set(two_pass.stages) == TWO_PASS_STAGES
    assert ("check and write" in streamed.stages) == (connection.vendor == "postgresql")
    assert _report(streamed) == _report(two_pass)
    assert stored["ties"] and stored["audit"]
    assert _stored() == stored


def _two_releases(tmp_path: Path) -> tuple[Path, str]:
    """NH's file, and beside it (read after it) a later release of its held items with one quantity
    changed; returns the folder and the changed item's description."""
    folder = copy_states(tmp_path / "leso" / "a", ("NH",))
    later = tmp_path / "leso" / "b"
    later.mkdir()
    header, rows = read_rows(folder / "NH_leso.tsv")
    held = [r for r in rows if r["File"].startswith("AllStates")]
    for row in held:
        row["File"] = "AllStatesAndTerritories_06302021.xlsx"
    held[5]["Quantity"] = str(int(held[5]["Quantity"]) + 3)
    write_rows(later / "NH_leso.tsv", header, held)
    return tmp_path / "leso", held[5]["Quantity"]


def test_a_later_release_in_the_same_first_load_falls_back_to_two_passes(tmp_path: Path, db: Any) -> None:
    folder, quantity = _two_releases(tmp_path)
    report = import_dataset("leso", folder, actor="tests")
    assert report.superseded > 0
    assert set(report.stages) == TWO_PASS_STAGES
    agree()
    held = Tie.objects.filter(dataset="leso", attributes__quantity=int(quantity),
                              attributes__release="AllStatesAndTerritories_06302021.xlsx")
    assert held.exists()
    assert not Tie.objects.filter(dataset="leso", attributes__release="AllStatesAndTerritories_03312021.xlsx").exists()
    assert Tie.objects.filter(dataset="leso").count() == report.rows - report.superseded


def test_a_refused_first_load_writes_nothing_and_leaves_the_tallies_counting(tmp_path: Path, db: Any) -> None:
    folder = copy_states(tmp_path / "leso")
    header, rows = read_rows(folder / "DE_leso.tsv")
    rows[-1]["Quantity"] = "many"  # the last file's last row: everything before it was already written
    write_rows(folder / "DE_leso.tsv", header, rows)
    before = current(True)
    with pytest.raises(ValidationFailed):
        import_dataset("leso", folder, actor="tests")
    assert Tie.objects.filter(dataset="leso").count() == 0
    assert current(True) == before
    report = import_dataset("leso", folder, actor="tests", allow_errors=1)
    assert report.ties.created == report.rows - 1
    agree()


class _Recorder:
    """A survey.Load that keeps what it is given."""

    def __init__(self) -> None:
        self.rows = -1
        self.batches: list[list[tuple[Any, ...]]] = []

    def prepare(self) -> None:
        return None

    def begin(self, survey: Survey, rows: int) -> None:
        self.rows = rows

    def take(self, batch: list[tuple[Any, ...]]) -> None:
        self.batches.append(batch)


def _summary(survey: Survey) -> tuple[Any, ...]:
    return (survey.report.as_dict(), list(survey.incoming), sorted(survey.sources), survey.sources_of,
            survey.problems)


def test_the_child_reads_what_this_process_reads(tmp_path: Path) -> None:
    folder = copy_states(tmp_path / "leso")
    header, rows = read_rows(folder / "NH_leso.tsv")
    rows[3]["Quantity"] = "many"
    write_rows(folder / "NH_leso.tsv", header, rows)
    here, there = _Recorder(), _Recorder()
    own = survey_files(LesoAdapter(), folder, no_progress, here)
    forked = survey_forked(LesoAdapter(), folder, no_progress, there)
    assert can_fork(LesoAdapter())
    assert there.rows == here.rows > 0
    assert there.batches == here.batches
    assert sum(map(len, here.batches)) == own.report.rows - len(own.report.refused)
    assert _summary(forked) == _summary(own)
    assert len(forked.report.refused) == 1


class _Faulty(LesoAdapter):
    def map_row(self, raw: list[str], label: str, line: int) -> Any:
        if line > 40:
            raise ZeroDivisionError("a fault in the reader")
        return super().map_row(raw, label, line)


class _Querying(LesoAdapter):
    def read(self, path: Path, label: str) -> Any:
        Entity.objects.count()
        yield from super().read(path, label)


def test_a_fault_in_the_child_is_raised_here_with_its_traceback(tmp_path: Path) -> None:
    folder = copy_states(tmp_path / "leso", ("NH",))
    with pytest.raises(SurveyFailed, match="ZeroDivisionError: a fault in the reader"):
        survey_forked(_Faulty(), folder, no_progress, _Recorder())


def test_the_child_may_not_use_the_database_and_the_connection_survives(tmp_path: Path, db: Any) -> None:
    folder = copy_states(tmp_path / "leso", ("NH",))
    before = Entity.objects.count()
    with pytest.raises(SurveyFailed, match="may not use the database"):
        survey_forked(_Querying(), folder, no_progress, _Recorder())
    assert Entity.objects.count() == before


def test_only_readers_of_files_alone_are_forked() -> None:
    assert LesoAdapter.files_only and can_fork(LesoAdapter())
    assert not SIPRI.files_only and not can_fork(SIPRI)
