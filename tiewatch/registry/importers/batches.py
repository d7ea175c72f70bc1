"""Batch-writing primitives for importers that produce validated rows themselves (e.g. the dataset
importers in tiewatch.datasets): the same writes, comparisons and audit trail as `tiewatch import`.

Call them inside one `transaction.atomic()` block, one batch at a time (a few thousand to 20,000
rows), so memory stays bounded; raise inside the block to roll every batch back.

    write_sources_batch(rows, actor, *, protect_edited=False, progress=None) -> WriteCounts
    write_entities_batch(rows, actor, *, recountried=None, protect_edited=False, all_new=False,
                         progress=None) -> WriteCounts
    write_ties_batch(rows, actor, *, protect_edited=False, all_new=False, progress=None,
                     countries=None) -> WriteCounts
        `rows`: a mapping of id -> SourceRow / EntityRow / TieRow (validate.py's dataclasses; a tie's
        subject, counterparts, program and sources must be stored already or written in the same
        transaction: foreign keys are checked at commit). Each row is compared with the stored record:
        new ones are created, changed ones updated, equal ones left alone (counted `unchanged`), and
        every change gets one ChangeRecord (action "import", by `actor`). `protect_edited`: records
        whose latest audit entry is not an import by `actor` are kept as they are and listed in
        `WriteCounts.kept`. `all_new`: the caller knows none of these ids is stored (the table was
        empty when its import began), so the lookups are skipped. `recountried`: a list that receives
        the ids of stored entities whose country or `published` changed; pass it, after the last batch,
        to `refresh_counterpart_countries`. `progress(stage, count)` is called as stages finish.
        `countries`: a dict the caller keeps from one tie batch to the next, so each counterpart's
        country is read once per import, not once a batch; clear it whenever entities were written.
    existing_ids(model, ids) -> set[str]
        Which of `ids` are primary keys of stored `model` rows (one query per 2,000 ids).
    audit_changes(model, changes, actor) -> None
        One ChangeRecord per (object id, before snapshot or None, after snapshot); `model` is
        "tie", "entity" or "source". The write_*_batch functions call it already.
    refresh_counterpart_countries(entity_ids) -> int
        Recompute Tie.counterpart_countries of the ties naming these entities as counterparts.
    bulk_load(models, new_rows)
        A context manager: on PostgreSQL, a load of >= 50,000 new rows into tables no bigger than
        that drops their secondary indexes and foreign keys and rebuilds them once on exit (in the
        same transaction). Wrap the batch loop with `bulk_load(BULK_MODELS, expected_new_ties)`.
    WriteCounts(created, updated, unchanged, kept); `counts.add(other)` sums batches.
    BATCH_ROWS: the batch size `tiewatch import` uses (20,000).

Snapshots for the comparison: `entity_row_snapshot(row)`, `tie_row_snapshot(row)` (audit.py's form).
"""

from __future__ import annotations

from tiewatch.registry.importers.stream import BATCH_ROWS, BULK_MODELS
from tiewatch.registry.importers.validate import EntityRow, SourceRow, TieRow
from tiewatch.registry.importers.writer import (
    WriteCounts,
    audit_changes,
    bulk_load,
    entity_row_snapshot,
    existing_ids,
    refresh_counterpart_countries,
    tie_row_snapshot,
    write_entities_batch,
    write_sources_batch,
    write_ties_batch,
)

__all__ = [
    "BATCH_ROWS", "BULK_MODELS", "EntityRow", "SourceRow", "TieRow", "WriteCounts", "audit_changes", "bulk_load",
    "entity_row_snapshot", "existing_ids", "refresh_counterpart_countries", "tie_row_snapshot",
    "write_entities_batch", "write_sources_batch", "write_ties_batch",
]
