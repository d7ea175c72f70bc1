"""PostgreSQL only: a partial covering index for the filtered tie list (bench/registry.py).

The tie list pages with a capped count (`queries.capped_count`: up to 10,001 matching rows). With a
kind filter plus the country and year filters, PostgreSQL answered that count with a bitmap heap scan
of every published tie of that kind up to the end year (EXPLAIN at 1,000,000 ties: 84,276 heap rows
read, 65,736 removed by the filter, 165 ms), because `counterpart_countries` and `year_to` are only in
the table. With this index the same count is an index-only scan (Heap Fetches: 0, about 35 ms cold).
`counterpart_countries` cannot be matched through an ordinary index (the filter is an OR of `=` and
`LIKE '%,IL'`-style patterns), so it is carried in the index as an INCLUDE column instead.
"""

from django.db import migrations

INDEXES = [
    ("registry_tie_list_cover",
     "CREATE INDEX IF NOT EXISTS registry_tie_list_cover ON registry_tie (kind, year_from) "
     "INCLUDE (year_to, counterpart_countries, status) WHERE published"),
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
    dependencies = [("registry", "0003_search_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
