"""The audit log keeps the actor's name as written, and PostgreSQL keeps the table append-only.

- actor_username / actor_name: filled by the model for every row written through Django; rows
  written before this migration get the account's name as it is now (the best record there is).
- On PostgreSQL, a BEFORE INSERT trigger fills the two columns for rows inserted by raw SQL
  (the payments intake writes its audit rows in one statement) when the writer left them empty.
- On PostgreSQL, triggers refuse UPDATE and DELETE of any row (SQLSTATE 23001, so Django raises
  IntegrityError), like the ledger's (credits/0003), and TRUNCATE by anyone but the table's
  owner (the migrations role; Django's test flush runs as the owner). The application's role
  owns no table (docs/operations.md) and cannot truncate it either.
On SQLite the model's save()/delete() and its queryset's update()/delete() are the guard.
"""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry es de solo adición: % rechazado', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();

CREATE OR REPLACE FUNCTION core_auditentry_no_truncate() RETURNS trigger AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'core_auditentry es de solo adición: TRUNCATE rechazado'
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
CREATE TRIGGER core_auditentry_no_truncate
    BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_no_truncate();

CREATE OR REPLACE FUNCTION core_auditentry_actor_name() RETURNS trigger AS $$
BEGIN
    IF NEW.actor_id IS NOT NULL AND NEW.actor_username = '' THEN
        SELECT u.username, trim(u.first_name || ' ' || u.last_name)
          INTO NEW.actor_username, NEW.actor_name
          FROM auth_user u WHERE u.id = NEW.actor_id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditentry_actor_name ON core_auditentry;
CREATE TRIGGER core_auditentry_actor_name
    BEFORE INSERT ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_actor_name();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_actor_name ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
DROP FUNCTION IF EXISTS core_auditentry_no_truncate();
DROP FUNCTION IF EXISTS core_auditentry_actor_name();
"""

BACKFILL = """
UPDATE core_auditentry SET
    actor_username = (SELECT u.username FROM auth_user u WHERE u.id = core_auditentry.actor_id),
    actor_name = (SELECT trim(u.first_name || ' ' || u.last_name) FROM auth_user u
                  WHERE u.id = core_auditentry.actor_id)
WHERE actor_id IS NOT NULL
"""


def forwards(apps, schema_editor):
    # The backfill runs before the append-only trigger exists.
    schema_editor.execute(BACKFILL, params=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_accounts_role_grants_alerts"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.AddField(
            model_name="auditentry", name="actor_username",
            field=models.CharField(blank=True, db_default="", default="", max_length=150,
                                   verbose_name="usuario (al registrar)"),
        ),
        migrations.AddField(
            model_name="auditentry", name="actor_name",
            field=models.CharField(blank=True, db_default="", default="", max_length=300,
                                   verbose_name="nombre del usuario (al registrar)"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
