"""Custody movements are append-only, enforced by PostgreSQL itself: a trigger refuses UPDATE
and DELETE on custody_movement. On SQLite the model's and queryset's guards protect it."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION custody_movement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'custody_movement es de solo adición: % rechazado (registre un movimiento nuevo)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS custody_movement_append_only ON custody_movement;
CREATE TRIGGER custody_movement_append_only
    BEFORE UPDATE OR DELETE ON custody_movement
    FOR EACH ROW EXECUTE FUNCTION custody_movement_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS custody_movement_append_only ON custody_movement;
DROP FUNCTION IF EXISTS custody_movement_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("custody", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
