"""PostgreSQL only: registry_tie_list_cover (migration 0004) also carries `subject_id`.

The public tie list leaves out ties whose subject is a draft (visibility.py joins the subject). The
list's capped count was an index-only scan of this index; without `subject_id` in it, every counted
row was read from the table to find its subject (the filtered list's p50 went from 22 to 63 ms at
1,000,000 ties, docs/benchmarks.md). With it, the count stays index-only, plus one cached probe of
the entity's primary key per subject.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

BEFORE = ("CREATE INDEX registry_tie_list_cover ON registry_tie (kind, year_from) "
          "INCLUDE (year_to, counterpart_countries, status) WHERE published")
AFTER = ("CREATE INDEX registry_tie_list_cover ON registry_tie (kind, year_from) "
         "INCLUDE (year_to, counterpart_countries, status, subject_id) WHERE published")


def _rebuild(schema_editor: Any, sql: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registry_tie_list_cover")
    schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, AFTER)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_public_counterpart_countries")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
