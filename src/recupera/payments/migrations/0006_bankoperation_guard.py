"""Bank operations are the exactly-once guard of the payments intake (unique per agreement and
operation key, inserted before their money is posted): PostgreSQL itself keeps them.

A trigger refuses DELETE on payments_bankoperation and any UPDATE that changes what the bank
reported (agreement, key, import, line, value date, amount, reference, concept, type, branch,
raw line, channel, created_at, id). What the payments services legitimately change stays
writable: `status`, `unidentified_reason`, `credit_id`, `match`, `ledger_entry_id` (an
unidentified operation assigned, a payment reversed or put back in the queue), `assigned_by_id`
and `assigned_at`. SQLSTATE 23001 (restrict_violation), so Django raises IntegrityError, as for
the ledger (credits/0003). TRUNCATE is kept out by privileges: the application's database role
has no TRUNCATE grant (docs/operations.md, «Database roles»); a statement trigger is not used
because the test suite's flush between transactional tests is a TRUNCATE. On SQLite there is
no trigger (the embedded database's flush is a DELETE)."""

from django.db import migrations

IMMUTABLE = ["id", "agreement_id", "operation_key", "payment_import_id", "line_number",
             "value_date", "amount", "reference", "concept", "payment_type", "branch", "raw",
             "channel", "created_at"]

CREATE = f"""
CREATE OR REPLACE FUNCTION payments_bankoperation_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'payments_bankoperation no admite DELETE: la operación % ya se registró '
                        '(reverse el pago en lugar de borrar la operación)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in IMMUTABLE)} THEN
        RAISE EXCEPTION 'payments_bankoperation: los datos que reportó el banco no se modifican '
                        '(operación %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS payments_bankoperation_guard ON payments_bankoperation;
CREATE TRIGGER payments_bankoperation_guard
    BEFORE UPDATE OR DELETE ON payments_bankoperation
    FOR EACH ROW EXECUTE FUNCTION payments_bankoperation_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS payments_bankoperation_guard ON payments_bankoperation;
DROP FUNCTION IF EXISTS payments_bankoperation_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_lean_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
