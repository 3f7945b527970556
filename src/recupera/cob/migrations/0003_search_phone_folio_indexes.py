"""PostgreSQL only: the indexes the global search box needs at a million people (bench/search.py).

* a trigram GIN index on ContactPoint.digits, so a phone searched by its last 7–9 digits
  (`digits LIKE '%1234567'`) is an index scan, not a scan of every contact point;
* a btree on UPPER(folio) with text_pattern_ops, so the folio search (`folio__iexact`,
  `folio__istartswith`: `UPPER(folio::text) = / LIKE UPPER('x%')`) is an index scan.

No-op on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS people_contactpoint_digits_trgm "
        "ON people_contactpoint USING gin (digits gin_trgm_ops)")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS credits_credit_folio_upper "
        "ON credits_credit (UPPER(folio::text) text_pattern_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS people_contactpoint_digits_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS credits_credit_folio_upper")


class Migration(migrations.Migration):
    dependencies = [
        ("cob", "0002_people_search_trigram"),
        ("credits", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
