"""The one way a row of the append-only audit log may change: the deletion of a person's data
(ARCO cancellation, `privacy.services.purge_blocked`) rewrites the personal values inside the
rows about that person, through `core.audit.audit_pseudonymise`.

- `core_auditpseudonympermit` names the rows that may be rewritten; the function writes the
  permits, rewrites the rows and removes the permits in one transaction.
- PostgreSQL: the append-only trigger (core/0006) lets an UPDATE through only for a row with a
  permit, and only when the date, the actor (id, username, name), the action and the object
  (type, id) stay as they were; DELETE is always refused.
- SQLite: a BEFORE UPDATE trigger with the same rule (SQLite had only the model's guard). DELETE
  stays guarded by the model and its queryset: Django's test flush empties SQLite tables with
  DELETE, which a trigger would refuse.
"""

from django.db import migrations, models

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND EXISTS (SELECT 1 FROM core_auditpseudonympermit p WHERE p.entry_id = OLD.id)
       AND NEW.id = OLD.id AND NEW.at = OLD.at
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.actor_username = OLD.actor_username AND NEW.actor_name = OLD.actor_name
       AND NEW.action = OLD.action AND NEW.object_type = OLD.object_type
       AND NEW.object_id = OLD.object_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'core_auditentry es de solo adición: % rechazado', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

PG_FUNCTION_BEFORE = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry es de solo adición: % rechazado', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS core_auditentry_append_only_update
BEFORE UPDATE ON core_auditentry
WHEN NOT EXISTS (SELECT 1 FROM core_auditpseudonympermit p WHERE p.entry_id = OLD.id)
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.actor_username IS NOT OLD.actor_username OR NEW.actor_name IS NOT OLD.actor_name
  OR NEW.action IS NOT OLD.action OR NEW.object_type IS NOT OLD.object_type
  OR NEW.object_id IS NOT OLD.object_id
BEGIN
    SELECT RAISE(ABORT, 'core_auditentry es de solo adición: UPDATE rechazado');
END
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION_BEFORE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_append_only_update", params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_audit_actor_name_append_only")]

    operations = [
        migrations.CreateModel(
            name="AuditPseudonymPermit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("entry_id", models.BigIntegerField(unique=True,
                                                    verbose_name="registro de auditoría")),
            ],
            options={"verbose_name": "permiso de seudonimización",
                     "verbose_name_plural": "permisos de seudonimización"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
