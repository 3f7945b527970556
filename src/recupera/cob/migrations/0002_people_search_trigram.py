"""PostgreSQL only: a trigram GIN index on people's search_name, so the global search box's
`search_name LIKE '%token%'` stays fast at a million people. No-op on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS people_person_search_name_trgm "
        "ON people_person USING gin (search_name gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS people_person_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("cob", "0001_initial"),
        ("people", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
