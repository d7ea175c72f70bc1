"""PostgreSQL only: a GIN index for full-text search over Entity.search_text, and indexes matching the
tie list's year orders (newest first and oldest first, undated last, then id), so a page of a million
ties reads only its rows. Other databases get nothing (SQLite's plain year_from index serves them)."""

from django.db import migrations

INDEXES = [
    ("registry_entity_search_fts",
     ("CREATE INDEX IF NOT EXISTS registry_entity_search_fts ON registry_entity "
      "USING GIN (to_tsvector('simple', search_text))")),
    ("registry_tie_year_desc_nl",
     "CREATE INDEX IF NOT EXISTS registry_tie_year_desc_nl ON registry_tie (year_from DESC NULLS LAST, id)"),
    ("registry_tie_year_asc_id",
     "CREATE INDEX IF NOT EXISTS registry_tie_year_asc_id ON registry_tie (year_from ASC NULLS LAST, id)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, sql in INDEXES:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_roles")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
