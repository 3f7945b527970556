"""PostgreSQL: leave 15 % of each credits_credit page free (fillfactor 85).

Every credit row is rewritten by the daily close (days past due, bucket, status, balances) and by
each replay, and most of those updates change no indexed column. PostgreSQL can then write the new
row version on the same page without touching the table's ten indexes (a HOT update) — only when
the page has room; at the default fillfactor (100) a freshly loaded or vacuumed table has none, so
every update went to another page and into every index. Measured on 1,000,000 credits
(bench/cob.py, docs/daily-close.md): the close's set-based aging step 48–51 s → 24–34 s.

Applies to pages written from now on; an existing table takes it on its next rewrite
(VACUUM FULL credits_credit, or a new load). Elsewhere nothing happens.
"""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE credits_credit SET (fillfactor = 85)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE credits_credit RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ("credits", "0010_dpd_unindexed"),
    ]

    operations = [
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
    ]
