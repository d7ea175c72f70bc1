"""What the import's speed work must not change: the garbage collector is back as it was after an
import, written or refused; attributes written as orjson text read back equal, so a re-import of the
same files is a no-op."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from tiewatch.core.errors import ValidationFailed
from tiewatch.datasets.importer import import_dataset
from tiewatch.datasets.tests.helpers import copy_states, read_rows, write_rows
from tiewatch.registry.models import ChangeRecord, Tie


def test_the_collector_is_restored_after_an_import(tmp_path: Path, db: Any) -> None:
    folder = copy_states(tmp_path / "leso", ("NH",))
    assert gc.isenabled()
    import_dataset("leso", folder, actor="tests")
    assert gc.isenabled()
    gc.disable()
    try:
        import_dataset("leso", folder, actor="tests")
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_the_collector_is_restored_after_a_refused_import(tmp_path: Path, db: Any) -> None:
    folder = copy_states(tmp_path / "leso", ("NH",))
    header, rows = read_rows(folder / "NH_leso.tsv")
    rows[3]["Quantity"] = "many"
    write_rows(folder / "NH_leso.tsv", header, rows)
    with pytest.raises(ValidationFailed):
        import_dataset("leso", folder, actor="tests")
    assert gc.isenabled() and not Tie.objects.exists()


def test_non_ascii_attributes_round_trip_and_reimport_is_a_no_op(tmp_path: Path, db: Any) -> None:
    folder = copy_states(tmp_path / "leso", ("NH",))
    header, rows = read_rows(folder / "NH_leso.tsv")
    rows[0]["ItemDescription"] = "CAMÉRA \\ \"TÉLÉ\"\tZOOM"
    rows[0]["AcquisitionValue"] = "1234.5"
    write_rows(folder / "NH_leso.tsv", header, rows)
    import_dataset("leso", folder, actor="tests")
    tie = Tie.objects.get(dataset="leso", attributes__item='CAMÉRA \\ "TÉLÉ" ZOOM')
    assert tie.attributes["acquisition_value"] == 1234.5
    audited = ChangeRecord.objects.get(model="tie", object_id=tie.id)
    assert audited.after is not None and audited.after["attributes"] == tie.attributes
    records = ChangeRecord.objects.count()
    again = import_dataset("leso", folder, actor="tests")
    assert again.ties.created == again.ties.updated == 0 and ChangeRecord.objects.count() == records
