# Tie tallies: counts by dimension kept exact by PostgreSQL triggers (docs/registry.md#tie-tallies).

from django.db import migrations, models

# One tie's contributions: a row per (public, dimension, key). `{ties}` is a set of registry_tie rows,
# `{subjects}` the rows (id, published, jurisdiction_id) of their subjects; `{sign}` +1 or -1.
# The same rules as tiewatch/registry/tallies.py's `spread`: a tie counts once per counterpart
# country and once per year of [year_from, max(year_from, year_to)].
CONTRIBUTIONS = """
SELECT g.public, d.dimension, d.key, {sign} * g.n AS n
FROM (
    -- The distinct combinations first (an import's thousands of rows share a few hundred), then spread.
    SELECT (t.published AND s.published) AS public, t.kind, t.status, t.dataset, t.program_id, t.year_from,
           t.year_to, t.counterpart_countries, s.jurisdiction_id, count(*) AS n
    FROM {ties} t JOIN {subjects} s ON s.id = t.subject_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
) g
CROSS JOIN LATERAL (
    SELECT 'total', '' UNION ALL
    SELECT 'kind', g.kind UNION ALL
    SELECT 'status', g.status UNION ALL
    SELECT 'dataset', g.dataset UNION ALL
    SELECT 'program', g.program_id WHERE g.program_id IS NOT NULL UNION ALL
    SELECT 'kind_year', g.kind || '|' || coalesce(g.year_from::text, '') UNION ALL
    SELECT 'place', g.dataset || '|' || coalesce(g.jurisdiction_id, '') UNION ALL
    SELECT 'country', c FROM unnest(string_to_array(g.counterpart_countries, ',')) c WHERE c <> '' UNION ALL
    SELECT 'year', y::text
    FROM generate_series(g.year_from, greatest(g.year_from, coalesce(g.year_to, g.year_from))) y
) d(dimension, key)
"""


def _append(parts):
    union = " UNION ALL ".join(CONTRIBUTIONS.format(ties=t, subjects=s, sign=sign) for t, s, sign in parts)
    return ("INSERT INTO registry_tietally (public, dimension, key, n) SELECT public, dimension, key, sum(n) "
            f"FROM ({union}) x GROUP BY 1, 2, 3 HAVING sum(n) <> 0;")


# The log is folded every FOLD_EVERY appended rows, by whichever writer crosses the mark, unless
# another transaction is folding (an advisory lock held to its end): writers only ever insert, so
# they never wait on each other's count rows; a fold deletes committed rows and inserts their sums,
# so concurrent writers' uncommitted rows are left as they are.
FOLD = """
CREATE FUNCTION registry_tally_fold(before_id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE after_id bigint;
BEGIN
    SELECT last_value INTO after_id FROM registry_tietally_id_seq;
    IF after_id / 2000 = before_id / 2000 OR NOT pg_try_advisory_xact_lock(7305011) THEN
        RETURN;
    END IF;
    WITH gone AS (DELETE FROM registry_tietally RETURNING public, dimension, key, n)
    INSERT INTO registry_tietally (public, dimension, key, n)
    SELECT public, dimension, key, sum(n) FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
    DELETE FROM registry_tiestamp s USING (SELECT entity, max(id) AS newest FROM registry_tiestamp GROUP BY entity) k
    WHERE s.entity = k.entity AND s.id < k.newest;
END $$;
"""

STAMP = ("INSERT INTO registry_tiestamp (entity) SELECT DISTINCT e FROM ({ids}) x(e) WHERE e IS NOT NULL;")


def _tie_function(name, parts, rows):
    ids = " UNION ".join(f"SELECT subject_id FROM {r} UNION SELECT program_id FROM {r}" for r in rows)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE before_id bigint;
BEGIN
    SELECT last_value INTO before_id FROM registry_tietally_id_seq;
    {_append(parts)}
    {STAMP.format(ids=ids)}
    PERFORM registry_tally_fold(before_id);
    RETURN NULL;
END $$;
"""


def _counterpart_function(name, rows):
    ids = " UNION ".join(f"SELECT entity_id FROM {r} UNION SELECT t.subject_id FROM {r} JOIN registry_tie t "
                         f"ON t.id = {r}.tie_id" for r in rows)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {STAMP.format(ids=ids)}
    RETURN NULL;
END $$;
"""


CHANGED = ("(SELECT {side}.id, {side}.published, {side}.jurisdiction_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
           "WHERE o.published IS DISTINCT FROM n.published OR o.jurisdiction_id IS DISTINCT FROM n.jurisdiction_id)")

# An entity's publication or place moves all its ties between the public's and the drafts' counts
# or between places; its publication also changes what other entities' pages list ("*").
ENTITY_FUNCTION = f"""
CREATE FUNCTION registry_entity_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE before_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.published IS DISTINCT FROM n.published OR o.jurisdiction_id IS DISTINCT FROM n.jurisdiction_id) THEN
        RETURN NULL;
    END IF;
    SELECT last_value INTO before_id FROM registry_tietally_id_seq;
    {_append([("registry_tie", CHANGED.format(side="o"), -1), ("registry_tie", CHANGED.format(side="n"), 1)])}
    INSERT INTO registry_tiestamp (entity) VALUES ('*');
    PERFORM registry_tally_fold(before_id);
    RETURN NULL;
END $$;
"""


# With foreign keys checked at commit (Django's are deferred on PostgreSQL; bulk loads drop them for a
# while), a tie may be written before its subject, or its subject deleted before it. The tallies
# count the ties whose subject exists: a tie without one is counted when its subject is inserted and
# uncounted when its subject is deleted. At commit every tie has its subject, so the counts are exact.
def _entity_rows_function(name, rows, sign):
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE before_id bigint;
BEGIN
    SELECT last_value INTO before_id FROM registry_tietally_id_seq;
    {_append([("registry_tie", rows, sign)])}
    INSERT INTO registry_tiestamp (entity) SELECT id FROM {rows};
    PERFORM registry_tally_fold(before_id);
    RETURN NULL;
END $$;
"""


TRIGGERS = [
    ("registry_entity", "INSERT", "REFERENCING NEW TABLE AS new_rows", "registry_entity_tally_insert"),
    ("registry_entity", "DELETE", "REFERENCING OLD TABLE AS old_rows", "registry_entity_tally_delete"),
    ("registry_tie", "INSERT", "REFERENCING NEW TABLE AS new_rows", "registry_tie_tally_insert"),
    ("registry_tie", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "registry_tie_tally_update"),
    ("registry_tie", "DELETE", "REFERENCING OLD TABLE AS old_rows", "registry_tie_tally_delete"),
    ("registry_tiecounterpart", "INSERT", "REFERENCING NEW TABLE AS new_rows", "registry_counterpart_stamp_insert"),
    ("registry_tiecounterpart", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "registry_counterpart_stamp_update"),
    ("registry_tiecounterpart", "DELETE", "REFERENCING OLD TABLE AS old_rows", "registry_counterpart_stamp_delete"),
    ("registry_entity", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "registry_entity_tally"),
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (development) counts afresh: tiewatch/registry/tallies.py
    statements = [
        FOLD,
        _tie_function("registry_tie_tally_insert", [("new_rows", "registry_entity", 1)], ["new_rows"]),
        _tie_function("registry_tie_tally_update", [("new_rows", "registry_entity", 1),
                                                    ("old_rows", "registry_entity", -1)], ["new_rows", "old_rows"]),
        _tie_function("registry_tie_tally_delete", [("old_rows", "registry_entity", -1)], ["old_rows"]),
        _counterpart_function("registry_counterpart_stamp_insert", ["new_rows"]),
        _counterpart_function("registry_counterpart_stamp_update", ["new_rows", "old_rows"]),
        _counterpart_function("registry_counterpart_stamp_delete", ["old_rows"]),
        ENTITY_FUNCTION,
        _entity_rows_function("registry_entity_tally_insert", "new_rows", 1),
        _entity_rows_function("registry_entity_tally_delete", "old_rows", -1),
    ]
    for table, event, referencing, function in TRIGGERS:
        statements.append(f"CREATE TRIGGER {function} AFTER {event} ON {table} {referencing} "
                          f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();")
    # The ties already there.
    statements.append(_append([("registry_tie", "registry_entity", 1)]))
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, _event, _referencing, function in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();")
        cursor.execute("DROP FUNCTION IF EXISTS registry_tally_fold(bigint);")


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0010_claims'),
    ]

    operations = [
        migrations.CreateModel(
            name='TieTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public', models.BooleanField()),
                ('dimension', models.CharField(max_length=16)),
                ('key', models.CharField(max_length=260)),
                ('n', models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name='TieStamp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entity', models.CharField(max_length=150)),
            ],
            options={
                'indexes': [models.Index(fields=['entity', 'id'], name='registry_tiestamp_entity_idx')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
