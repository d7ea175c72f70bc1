"""Dataset imports keep the registry's tie tallies exact (tiewatch/registry/tallies.py): a first
import onto the demo registry, a later release that updates and adds, and a refused one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tiewatch.core.errors import ValidationFailed
from tiewatch.datasets.importer import import_dataset
from tiewatch.datasets.tests.helpers import copy_states, read_rows, write_rows
from tiewatch.registry.tests.tally_checks import agree, current


def test_leso_imports_keep_the_tallies(seeded: Any, tmp_path: Path) -> None:
    import_dataset("leso", copy_states(tmp_path / "leso"), actor="tests")
    agree()
    assert current(False, ("dataset",))["dataset"]["leso"] > 800
    later = copy_states(tmp_path / "later", ("NH",))
    header, rows = read_rows(later / "NH_leso.tsv")
    held = [r for r in rows if r["File"].startswith("AllStates")]
    for row in held:
        row["File"] = "AllStatesAndTerritories_06302021.xlsx"
    held[5]["Quantity"] = str(int(held[5]["Quantity"]) + 3)
    new = dict(held[6], ItemDescription="NIGHT VISION GOGGLES", NSN="5855-01-534-5931", RecordDate="2019-05-04")
    write_rows(later / "NH_leso.tsv", header, [*held, new])
    import_dataset("leso", later, actor="tests")
    agree()
    before = current(True)
    header, rows = read_rows(later / "NH_leso.tsv")
    rows[3]["Quantity"] = "many"
    write_rows(later / "NH_leso.tsv", header, rows)
    with pytest.raises(ValidationFailed):
        import_dataset("leso", later, actor="tests")
    assert current(True) == before
    agree()
