"""On PostgreSQL the rate-limit counters live in an UNLOGGED table: no WAL, so counting an attempt
never waits for a disk flush (counters are disposable; a database crash only resets them)."""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE campaigns_ratecounter SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE campaigns_ratecounter SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_roles")]
    operations = [migrations.RunPython(unlogged, logged)]
