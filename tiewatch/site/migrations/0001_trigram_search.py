"""PostgreSQL only: the pg_trgm extension and GIN trigram indexes for the site search's close matches
(`word_similarity`, the `<%` operator) over entity names and aliases, places, sources (title, publisher), campaigns and
petitions. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. SQLite
gets nothing (its close matches are scored in Python, tiewatch/site/search.py)."""

from django.db import migrations

INDEXES = [
    ("site_entity_search_trgm", "registry_entity", "search_text"),
    ("site_jurisdiction_name_trgm", "registry_jurisdiction", "name"),
    ("site_source_title_trgm", "registry_source", "title"),
    ("site_source_publisher_trgm", "registry_source", "publisher"),
    ("site_campaign_name_trgm", "campaigns_campaign", "name"),
    ("site_petition_title_trgm", "campaigns_petition", "title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING GIN ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_merged_ids"), ("campaigns", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
