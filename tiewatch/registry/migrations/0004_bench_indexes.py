"""PostgreSQL only: indexes for the filtered tie list and the entity page (bench/registry.py).

1. registry_tie_list_cover, for the filtered tie list.

The tie list pages with a capped count (`queries.capped_count`, a bounded COUNT of matching rows). With a
kind filter plus the country and year filters, PostgreSQL answered that count with a bitmap heap scan
of every published tie of that kind up to the end year (EXPLAIN at 1,000,000 ties, cap 10,001: 84,276
heap rows read, 65,736 removed by the filter, 165 ms), because `counterpart_countries` and `year_to` are only in
the table. With this index the same count is an index-only scan (Heap Fetches: 0, about 35 ms cold).
`counterpart_countries` cannot be matched through an ordinary index (the filter is an OR of `=` and
`LIKE '%,IL'`-style patterns), so it is carried in the index as an INCLUDE column instead.

2. registry_tie_subject_recent and registry_tie_program_recent, for the entity page, which lists an
entity's ties newest first in each role, `ORDER BY COALESCE(year_from, 0) DESC, id LIMIT 201`
(`queries.SMALL_SET_SORTS`, an order no global index serves, on purpose). Without them PostgreSQL
read every published tie of the entity and sorted them (a program with 1,600 ties: bitmap heap scan
and top-N sort, 10.5 ms); with them it reads the first 201 in index order (1.3 ms).
"""

from django.db import migrations

INDEXES = [
    ("registry_tie_list_cover",
     "CREATE INDEX IF NOT EXISTS registry_tie_list_cover ON registry_tie (kind, year_from) "
     "INCLUDE (year_to, counterpart_countries, status) WHERE published"),
    ("registry_tie_subject_recent",
     "CREATE INDEX IF NOT EXISTS registry_tie_subject_recent ON registry_tie "
     "(subject_id, (COALESCE(year_from, 0)) DESC, id) WHERE published"),
    ("registry_tie_program_recent",
     "CREATE INDEX IF NOT EXISTS registry_tie_program_recent ON registry_tie "
     "(program_id, (COALESCE(year_from, 0)) DESC, id) WHERE published"),
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
