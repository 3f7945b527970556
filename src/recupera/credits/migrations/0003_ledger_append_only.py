"""The ledger is append-only, enforced by PostgreSQL itself: a trigger refuses UPDATE and
DELETE on credits_ledgerentry (SQLSTATE 23001, so Django raises IntegrityError). On SQLite the
model's save()/delete() guard is the protection."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION credits_ledgerentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credits_ledgerentry es de solo adición: % rechazado (registre una reversa)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS credits_ledgerentry_append_only ON credits_ledgerentry;
CREATE TRIGGER credits_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON credits_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION credits_ledgerentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS credits_ledgerentry_append_only ON credits_ledgerentry;
DROP FUNCTION IF EXISTS credits_ledgerentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("credits", "0002_product_ce")]

    operations = [migrations.RunPython(forwards, backwards)]
