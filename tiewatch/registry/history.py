"""A record's public history, for the "what changed" section of entity, tie and source pages.

From the audit trail (ChangeRecord): the date of each change and the fields it touched, in plain
words, never their values, and only changes after which the record was public: a change made
while the record was a draft says nothing, so a draft's data never shows. Who made a change is
not shown either (staff see that in the admin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tiewatch.registry.models import ChangeRecord

SHOWN = 20

FIELD_WORDS = {
    "name": "name", "kind": "kind", "country": "country", "jurisdiction": "place", "aliases": "other names",
    "parent": "parent body", "note": "note", "uncertain": "certainty", "published": "publication",
    "extra": "further details", "sources": "sources", "subject": "subject", "counterparts": "counterparts",
    "program": "program", "start": "start date", "end": "end date", "years": "years", "status": "status",
    "attributes": "details", "url": "address", "title": "title", "publisher": "publisher",
    "published_on": "publication date", "accessed_on": "date consulted", "excerpt": "excerpt",
    "merged_into": "merged into another record",
}
ACTION_WORDS = {"create": "added", "import": "imported", "update": "changed", "merge": "merged with another record",
                "unmerge": "merge undone", "decide": "changed by a review decision", "undo": "change undone"}


@dataclass(frozen=True, slots=True)
class Change:
    at: dt.datetime
    action: str
    fields: list[str]


def _public_after(record: ChangeRecord) -> bool:
    return isinstance(record.after, dict) and record.after.get("published", True) is not False


def public_history(model: str, object_id: str) -> list[Change]:
    rows = ChangeRecord.objects.filter(model=model, object_id=object_id).exclude(action="delete")
    changes = []
    for record in rows.order_by("-at", "-id")[:SHOWN * 3]:
        if not _public_after(record):
            continue
        fields = [] if record.action in ("create", "import") and record.before is None else [
            FIELD_WORDS.get(name, name.replace("_", " ")) for name, _, _ in record.changed_fields()]
        changes.append(Change(record.at, ACTION_WORDS.get(record.action, record.action), fields))
        if len(changes) == SHOWN:
            break
    return changes
