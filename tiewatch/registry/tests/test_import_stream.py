"""The streaming import: memory that does not grow with the bundle, and all-or-nothing across
batches (a bad record, reference or duplicate in the last batch leaves nothing written), on SQLite
and PostgreSQL alike (run the suite with DATABASE_URL for the latter)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tiewatch.core.errors import ValidationFailed
from tiewatch.registry.importers import import_bundle
from tiewatch.registry.models import ChangeRecord, Entity, Source, Tie, TieCounterpart

pytestmark = pytest.mark.django_db(transaction=True)

ENTITIES = [
    {"type": "entities", "id": f"agency-{i}", "name": f"Agency {i}", "kind": "police_agency", "country": "US"}
    for i in range(50)
] + [{"type": "entities", "id": "force-il", "name": "Force", "kind": "foreign_police", "country": "IL"}]


def tie(i: int, **changes: Any) -> dict[str, Any]:
    record = {"type": "ties", "id": f"t{i:07d}", "subject": f"agency-{i % 50}", "counterparts": ["force-il"],
              "kind": "exchange", "date": f"{2000 + i % 20}", "sources": [f"https://news.example.org/{i % 40}"]}
    record.update(changes)
    return record


def bundle(folder: Path, n: int, last: dict[str, Any] | None = None, name: str = "ties.jsonl") -> Path:
    """Entities first, then `n` ties, the last one replaced by `last` when given."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", encoding="utf-8") as out:
        for record in ENTITIES:
            out.write(json.dumps(record) + "\n")
        for i in range(n - 1 if last else n):
            out.write(json.dumps(tie(i)) + "\n")
        if last:
            out.write(json.dumps(last) + "\n")
    return path


def constraints() -> dict[str, list[str]]:
    """Index and constraint names of the tables a big load may strip (writer.bulk_load)."""
    with connection.cursor() as cursor:
        return {model._meta.db_table: sorted(connection.introspection.get_constraints(cursor, model._meta.db_table))
                for model in (Tie, TieCounterpart, Tie.sources.through, ChangeRecord)}


def nothing_written() -> bool:
    return not (Tie.objects.exists() or Entity.objects.exists() or Source.objects.exists()
                or TieCounterpart.objects.exists() or ChangeRecord.objects.exists())


def import_peak(path: Path) -> int:
    tracemalloc.start()
    try:
        import_bundle([path], actor="tests", batch_rows=500)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_ties(tmp_path: Path) -> None:
    """Python's peak allocation importing 3,000 and 30,000 ties (files of ~0.5 and ~5 MB, read in
    blocks of 256 kB), in batches of 500."""
    small = import_peak(bundle(tmp_path / "small", 3_000))
    Tie.objects.all().delete()
    ChangeRecord.objects.all().delete()
    large = import_peak(bundle(tmp_path / "large", 30_000))
    assert Tie.objects.count() == 30_000
    # Kept between batches: the id index (~130 bytes a tie). The whole bundle in memory was
    # ~2,600 bytes a tie (2.7 GB at 1,000,000 ties).
    per_tie = (large - small) / 27_000
    assert per_tie < 600, f"peak {small:,} -> {large:,} bytes: {per_tie:,.0f} bytes more per tie"


@pytest.mark.parametrize("last, message", [
    (tie(9_999, kind="exchnage"), "kind: unknown value 'exchnage' (did you mean 'exchange'?); expected one of: "
                                  "exchange, training, delegation, conference, partnership, funding, "
                                  "equipment_transfer, arms_transfer, procurement"),
    (tie(9_999, subject="agency-nowhere"), "subject: unknown entity id 'agency-nowhere' (did you mean 'agency-9'?)"),
    (tie(5, subject="agency-1"), "id: duplicate id 't0000005' (first defined at line 57)"),
])
def test_a_bad_tie_in_the_last_batch_leaves_nothing_written(tmp_path: Path, last: dict[str, Any],
                                                           message: str) -> None:
    path = bundle(tmp_path, 10_000, last)
    with pytest.raises(ValidationFailed) as failure:
        import_bundle([path], actor="tests", batch_rows=1000)
    assert [str(p) for p in failure.value.problems] == [f"{path}:10051: {message}"]
    assert nothing_written()


def test_every_problem_is_still_reported_after_the_first(tmp_path: Path) -> None:
    path = tmp_path / "ties.jsonl"
    lines = [json.dumps(r) for r in ENTITIES] + [json.dumps(tie(i)) for i in range(3_000)]
    lines[51 + 100] = json.dumps(tie(100, status="rumoured"))
    lines[51 + 2_500] = json.dumps(tie(2_500, counterparts=["force-xx"]))
    lines.append("{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failure:
        import_bundle([path], actor="tests", batch_rows=500)
    assert [str(p) for p in failure.value.problems] == [
        f"{path}:3052: invalid JSON: Expecting property name enclosed in double quotes",
        f"{path}:152: status: unknown value 'rumoured'; expected one of: planned, reported, confirmed, disputed, "
        "cancelled",
        f"{path}:2552: counterparts: unknown entity id 'force-xx' (did you mean 'force-il'?)",
    ]
    assert nothing_written()


def test_a_bad_tie_after_a_bulk_load_leaves_nothing_written(tmp_path: Path) -> None:
    """60,000 new ties into empty tables: on PostgreSQL the indexes and foreign keys are dropped for
    the load (writer.bulk_load); the rollback must bring them back, with no row written."""
    path = bundle(tmp_path, 60_000, tie(59_999, date="2019-02-30"))
    schema = constraints()
    with pytest.raises(ValidationFailed) as failure:
        import_bundle([path], actor="tests")
    assert [str(p) for p in failure.value.problems] == [f"{path}:60051: date: no such day: '2019-02-30'"]
    assert nothing_written()
    assert constraints() == schema
    import_bundle([bundle(tmp_path / "good", 2_000)], actor="tests")
    assert Tie.objects.filter(counterpart_links__entity_id="force-il").count() == 2_000


def test_forward_references_are_checked_at_the_end(tmp_path: Path) -> None:
    """Ties before the entities they name (a later file, a later batch) import, with their
    counterparts' countries filled in once those entities are written."""
    ties = tmp_path / "a-ties.jsonl"
    ties.write_text("".join(json.dumps(tie(i)) + "\n" for i in range(3_000)), encoding="utf-8")
    entities = tmp_path / "b-entities.jsonl"
    entities.write_text("".join(json.dumps(e) + "\n" for e in ENTITIES), encoding="utf-8")
    result = import_bundle([ties, entities], actor="tests", batch_rows=1000)
    assert result.counts["ties"].created == 3_000
    assert set(Tie.objects.values_list("counterpart_countries", flat=True)) == {"IL"}


def test_a_bad_byte_far_into_a_file_names_its_line_and_nothing_else_of_that_file(tmp_path: Path) -> None:
    """The file is scanned block by block before its records are read: a byte that is not UTF-8
    at line 5,000 (the 4th block) gives that one problem, as a whole-file read did."""
    path = bundle(tmp_path, 6_000, tie(5_999, kind="bad kind"))
    data = bytearray(path.read_bytes())
    start = sum(len(line) for line in data.splitlines(keepends=True)[:4_999])
    data[start + 10:start + 11] = b"\xff"
    path.write_bytes(bytes(data))
    with pytest.raises(ValidationFailed) as failure:
        import_bundle([path], actor="tests", batch_rows=1000)
    assert [str(p) for p in failure.value.problems] == [f"{path}:5000: not UTF-8 text (invalid start byte)"]
    assert nothing_written()


def test_nan_and_infinity_are_refused_at_their_line(tmp_path: Path) -> None:
    """JSON lines may carry NaN and Infinity (Python's reader accepts them); they are not JSON, so
    PostgreSQL refused them mid-write and SQLite kept text no JSON reader reads. Now each is a problem
    naming file:line:field, and nothing is written."""
    path = bundle(tmp_path, 3_000, tie(2_999, attributes={"value": float("nan"), "rate": [1, float("inf")]}))
    with pytest.raises(ValidationFailed) as failure:
        import_bundle([path], actor="tests", batch_rows=1000)
    assert [str(p) for p in failure.value.problems] == [
        f"{path}:3051: attributes.value: not a finite number: nan",
        f"{path}:3051: attributes.rate: not a finite number: inf",
    ]
    assert nothing_written()


def test_values_the_fast_json_encoder_refuses_are_written_as_before(tmp_path: Path) -> None:
    """Row and audit JSON go through orjson, which refuses integers beyond 64 bits: those values
    take the json module's path, are stored exactly, and a re-import changes nothing."""
    big = 2**70
    path = bundle(tmp_path, 1_500, tie(1_499, attributes={"quantity": big, "nested": {"ids": [big, -big]}}))
    import_bundle([path], actor="tests", batch_rows=500)
    stored = Tie.objects.get(pk="t0001499")
    assert stored.attributes == {"quantity": big, "nested": {"ids": [big, -big]}}
    audit = ChangeRecord.objects.get(model="tie", object_id="t0001499")
    assert audit.after["attributes"]["quantity"] == big
    again = import_bundle([path], actor="tests", batch_rows=500)
    assert (again.counts["ties"].created, again.counts["ties"].updated, again.counts["ties"].unchanged) == (0, 0, 1_500)


def test_a_counterpart_whose_country_changes_between_tie_batches(tmp_path: Path) -> None:
    """Counterpart countries are read once and kept from one tie batch to the next; an entity batch
    written in between (here: the stored force moves to GB) clears them, so every tie, before and
    after it, ends with the new country."""
    import_bundle([bundle(tmp_path / "first", 10)], actor="tests")
    path = tmp_path / "second" / "ties.jsonl"
    path.parent.mkdir()
    moved = {**ENTITIES[-1], "country": "GB"}
    path.write_text("".join(json.dumps(r) + "\n" for r in ENTITIES[:-1])
                    + "".join(json.dumps(tie(i)) + "\n" for i in range(10, 1_200))
                    + json.dumps(moved) + "\n"
                    + "".join(json.dumps(tie(i)) + "\n" for i in range(1_200, 2_500)), encoding="utf-8")
    import_bundle([path], actor="tests", batch_rows=500)
    assert Entity.objects.get(pk="force-il").country == "GB"
    assert Tie.objects.count() == 2_500
    assert set(Tie.objects.values_list("counterpart_countries", flat=True)) == {"GB"}


def test_unknown_references_of_every_field_are_reported_in_file_order(tmp_path: Path) -> None:
    """A batch's references are gathered as sets; one naming an unknown id is then walked row by
    row, so each problem still names its own line and field, in file order."""
    path = tmp_path / "ties.jsonl"
    lines = [json.dumps(r) for r in ENTITIES] + [json.dumps(tie(i)) for i in range(1_000)]
    lines[51 + 10] = json.dumps(tie(10, program="program-nowhere"))
    lines[51 + 20] = json.dumps(tie(20, funder="funder-nowhere", sources=["source-nowhere"]))
    lines[51 + 30] = json.dumps(tie(30, counterparts=["force-il", "force-zz"], subject="agency-zz"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failure:
        import_bundle([path], actor="tests", batch_rows=400)
    assert [str(p) for p in failure.value.problems] == [
        f"{path}:62: program: unknown entity id 'program-nowhere'",
        f"{path}:72: funder: unknown entity id 'funder-nowhere'",
        f"{path}:72: sources: unknown source id 'source-nowhere'",
        f"{path}:82: subject: unknown entity id 'agency-zz' (did you mean 'agency-9'?)",
        f"{path}:82: counterparts: unknown entity id 'force-zz' (did you mean 'force-il'?)",
    ]
    assert nothing_written()
