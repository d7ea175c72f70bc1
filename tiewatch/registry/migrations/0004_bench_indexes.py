"""PostgreSQL only: indexes for the filtered tie list and the entity page (bench/registry.py).

1. registry_tie_list_cover, for the filtered tie list.

The tie list pages with a capped count (`queries.capped_count`: up to 10,001 matching rows). With a
kind filter plus the country and year filters, PostgreSQL answered that count with a bitmap heap scan
of every published tie of that kind up to the end year (EXPLAIN at 1,000,000 ties: 84,276 heap rows
read, 65,736 removed by the filter, 165 ms), because `counterpart_countries` and `year_to` are only in
the table. With this index the same count is an index-only scan (Heap Fetches: 0, about 35 ms cold).
`counterpart_countries` cannot be matched through an ordinary index (the filter is an OR of `=` and
`LIKE '%,IL'`-style patterns), so it is carried in the index as an INCLUDE column instead.

2. registry_tie_subject_order and registry_tie_program_order, for the entity page, which lists an
entity's ties newest first (`ORDER BY year_from DESC NULLS LAST, id LIMIT 201`) in each role. The
(subject, year_from) and (program, year_from) indexes do not give that order, so PostgreSQL read every
tie of the entity and sorted them (a program with 1,600 ties: bitmap heap scan of 1,544 pages and a
top-N sort, 21.6 ms); in index order it stops after 201 rows (0.14 ms).
"""

from django.db import migrations

INDEXES = [
    ("registry_tie_list_cover",
     "CREATE INDEX IF NOT EXISTS registry_tie_list_cover ON registry_tie (kind, year_from) "
     "INCLUDE (year_to, counterpart_countries, status) WHERE published"),
    ("registry_tie_subject_order",
     "CREATE INDEX IF NOT EXISTS registry_tie_subject_order ON registry_tie "
     "(subject_id, year_from DESC NULLS LAST, id) WHERE published"),
    ("registry_tie_program_order",
     "CREATE INDEX IF NOT EXISTS registry_tie_program_order ON registry_tie "
     "(program_id, year_from DESC NULLS LAST, id) WHERE published"),
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
