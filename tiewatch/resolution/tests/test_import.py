"""Resolve on import: `tiewatch import` links incoming entities the registry already holds, creates and
queues the doubtful, and keeps merged ids working; all or nothing, idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.registry.models import ChangeRecord, Entity, EntityRedirect, Tie
from tiewatch.resolution.merges import merge_entities
from tiewatch.resolution.models import CandidatePair
from tiewatch.resolution.tests.conftest import DUPLICATES

DURHAM = "us-nc-durham-police-department"
INCOMING = """
sources:
- id: src-incoming
  url: https://example.org/invented/incoming-list
entities:
- {id: us-nc-durham-police-dept, name: DURHAM POLICE DEPT, kind: police_agency, country: US,
   jurisdiction: "ocd-division/country:us/state:nc/place:durham", sources: [src-incoming]}
- {id: us-nc-durham-pd-district-9, name: Durham Police Dept District 9, kind: police_agency, country: US,
   jurisdiction: "ocd-division/country:us/state:nc/place:durham", sources: [src-incoming]}
- {id: us-wy-bighorn-rangers, name: Invented Bighorn Ranger Corps, kind: police_agency, country: US,
   jurisdiction: "ocd-division/country:us/state:wy", sources: [src-incoming]}
ties:
- {id: incoming-durham-tie, subject: us-nc-durham-police-dept, counterparts: [il-israel-police], kind: training,
   years: [2019], sources: [src-incoming]}
- {id: incoming-district-tie, subject: us-nc-durham-pd-district-9, counterparts: [us-nc-durham-police-dept],
   kind: delegation, years: [2020], sources: [src-incoming]}
"""


@pytest.fixture
def incoming(tmp_path: Path) -> Path:
    path = tmp_path / "incoming.yaml"
    path.write_text(INCOMING, encoding="utf-8")
    return path


def test_import_links_the_certain_and_queues_the_doubtful(seeded: Any, incoming: Path, capsys: Any,
                                                          client: Any) -> None:
    assert main(["import", "--quiet", str(incoming)]) == 0
    out = capsys.readouterr().out
    assert "new entities resolved: 1 linked to existing, 2 created, 1 queued for review" in out
    assert not Entity.objects.filter(pk="us-nc-durham-police-dept").exists()
    assert Tie.objects.get(pk="incoming-durham-tie").subject_id == DURHAM
    assert Tie.objects.get(pk="incoming-district-tie").counterparts.get().pk == DURHAM
    pair = CandidatePair.objects.get()
    assert (pair.left_id, pair.right_id, pair.status) == (DURHAM, "us-nc-durham-pd-district-9", "pending")
    assert client.get("/entities/us-nc-durham-police-dept/")["Location"] == f"/entities/{DURHAM}/"
    assert client.get("/api/entities/us-nc-durham-police-dept").json()["id"] == DURHAM

    changes = ChangeRecord.objects.count()
    assert main(["import", "--quiet", str(incoming)]) == 0  # idempotent
    again = capsys.readouterr().out
    assert "ties: 0 created, 0 updated, 2 unchanged" in again and "entities: 0 created, 0 updated" in again
    assert ChangeRecord.objects.count() == changes and CandidatePair.objects.count() == 1


def test_no_resolve_creates_every_entity(seeded: Any, incoming: Path, capsys: Any) -> None:
    assert main(["import", "--quiet", "--no-resolve", str(incoming)]) == 0
    assert Entity.objects.filter(pk="us-nc-durham-police-dept").exists()
    assert not CandidatePair.objects.exists()


def test_bad_input_writes_nothing_not_even_links(seeded: Any, incoming: Path, capsys: Any) -> None:
    incoming.write_text(INCOMING + "- {id: bad-tie, subject: us-nc-durham-police-dept, kind: nonsense}\n",
                        encoding="utf-8")
    assert main(["import", "--quiet", str(incoming)]) == 1
    assert "kind" in capsys.readouterr().err
    assert not EntityRedirect.objects.exists() and not CandidatePair.objects.exists()
    assert not Tie.objects.filter(pk="incoming-durham-tie").exists()


def test_a_merged_away_id_is_never_recreated_by_a_reimport(duplicated: Any) -> None:
    from tiewatch.registry.importers import import_bundle

    merge = merge_entities(DURHAM, "us-nc-durham-pd", actor="tests")
    result = import_bundle([DUPLICATES], actor="tests")  # no resolver: the merged id alone links it
    assert result.resolution.linked == 1
    assert not Entity.objects.filter(pk=merge.merged_id).exists()
    assert Tie.objects.get(pk="dup-durham-pd-subject").subject_id == merge.canonical_id


def test_exports_list_merged_ids_and_a_reimport_keeps_them(duplicated: Any, capsys: Any, tmp_path: Path,
                                                            client: Any) -> None:
    merge = merge_entities(DURHAM, "us-nc-durham-pd", actor="tests")
    canonical, old = merge.canonical_id, merge.merged_id
    assert main(["export", "--format", "json", "--out", str(tmp_path / "all.json")]) == 0
    bundle = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    row = next(e for e in bundle["entities"] if e["id"] == canonical)
    assert row["merged_ids"] == [old]
    assert main(["export", "--format", "ftm"]) == 0
    ftm = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert next(e for e in ftm if e["id"] == f"tiewatch-{canonical}")["referents"] == [f"tiewatch-{old}"]
    assert main(["export", "--format", "csv", "--table", "entities"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(",merged_ids")
    api = client.get(f"/api/entities/{old}").json()
    assert (api["id"], api["merged_ids"]) == (canonical, [old])
    assert client.get(f"/entities/{old}/?format=json").status_code == 301

    Tie.objects.all().delete()
    Entity.objects.all().delete()
    assert main(["import", "--quiet", "--no-resolve", str(tmp_path / "all.json")]) == 0
    assert EntityRedirect.objects.get(old_id=old).entity_id == canonical
