"""The two PostgreSQL roles (docs/operations.md, «Database roles»).

- The **application role** (`DATABASE_URL`): what the web, the worker, `cob` and the imports
  connect as. Not a superuser, owns no table: it cannot ALTER a table (so cannot disable a
  trigger), cannot TRUNCATE anything, cannot set session_replication_role. It reads and writes
  rows, except on the protected tables: the ledger (`credits_ledgerentry`) and the audit log
  (`core_auditentry`) are SELECT and INSERT only (plus UPDATE of the audit row's description
  and values, AUDIT_PSEUDONYM_COLUMNS, which its trigger allows only for a row with a permit:
  the deletion of a person's data, core/0007); bank operations (`payments_bankoperation`)
  SELECT, INSERT and UPDATE of the columns the services change (MUTABLE_BANKOP_COLUMNS); the
  migrations record (`django_migrations`) is SELECT only. The triggers of credits/0003 and
  payments/0006 refuse the same changes for every role, the owner included.
- The **owner role** (`DATABASE_OWNER_URL`, same database): owns the tables. `recupera
  migrate`, `recupera db-roles`, `recupera backup` and `recupera restore` connect as it (only
  the user, password, host and port of that URL are used; the database name stays the one of
  DATABASE_URL). After every migrate the grants above are applied again, so the tables a
  migration adds get them.

Without DATABASE_OWNER_URL (SQLite, the demo, the test suite) everything connects with
DATABASE_URL as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections

APPEND_ONLY_TABLES = ("credits_ledgerentry", "core_auditentry")
BANKOP_TABLE = "payments_bankoperation"
MUTABLE_BANKOP_COLUMNS = ("status", "unidentified_reason", "credit_id", "match",
                          "ledger_entry_id", "assigned_by_id", "assigned_at")
# The deletion of a person's data rewrites these in the audit rows about them (core/0007's
# trigger requires a permit row and refuses any other column).
AUDIT_TABLE = "core_auditentry"
AUDIT_PSEUDONYM_COLUMNS = ("object_repr", "before", "after")
READ_ONLY_TABLES = ("django_migrations",)
PROTECTED_TABLES = (*APPEND_ONLY_TABLES, BANKOP_TABLE)
_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def owner_settings() -> dict[str, Any] | None:
    return getattr(settings, "DATABASE_OWNER", None)


def app_role(alias: str = "default") -> str:
    """The application's role: the user of DATABASE_URL (also while owner_connection has the
    connection logged in as the owner)."""
    conn = connections[alias]
    return str(getattr(conn, "recupera_app_user", None) or conn.settings_dict.get("USER") or "")


@contextmanager
def owner_connection(alias: str = "default") -> Iterator[Any]:
    """Connect `alias` as the owner role for the duration (PostgreSQL with DATABASE_OWNER_URL);
    otherwise leave the connection as it is."""
    conn = connections[alias]
    owner = owner_settings()
    if owner is None or conn.vendor != "postgresql":
        yield conn
        return
    if conn.in_atomic_block:
        raise CommandError("No se puede cambiar al rol propietario dentro de una transacción.")
    saved = {key: conn.settings_dict.get(key) for key in _CREDENTIALS}
    conn.close()
    conn.recupera_app_user = saved["USER"]
    conn.settings_dict.update({key: owner.get(key) for key in _CREDENTIALS})
    try:
        yield conn
    finally:
        conn.close()
        conn.settings_dict.update(saved)
        del conn.recupera_app_user


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_statements(role: str, tables: list[str]) -> list[str]:
    """The grants of the application role, from nothing (every statement is idempotent)."""
    r = _q(role)
    present = set(tables)
    sql = [f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}",
           f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {r}",
           f"GRANT USAGE ON SCHEMA public TO {r}",
           f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
           f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}"]
    for table in (*PROTECTED_TABLES, *READ_ONLY_TABLES):
        if table in present:
            sql.append(f"REVOKE INSERT, UPDATE, DELETE ON {_q(table)} FROM {r}")
    for table in APPEND_ONLY_TABLES:
        if table in present:
            sql.append(f"GRANT INSERT ON {_q(table)} TO {r}")
    if AUDIT_TABLE in present:
        columns = ", ".join(_q(c) for c in AUDIT_PSEUDONYM_COLUMNS)
        sql.append(f"GRANT UPDATE ({columns}) ON {_q(AUDIT_TABLE)} TO {r}")
    if BANKOP_TABLE in present:
        columns = ", ".join(_q(c) for c in MUTABLE_BANKOP_COLUMNS)
        sql += [f"GRANT INSERT ON {_q(BANKOP_TABLE)} TO {r}",
                f"GRANT UPDATE ({columns}) ON {_q(BANKOP_TABLE)} TO {r}"]
    return sql


def grant_app_role(*, role: str, alias: str = "default") -> list[str]:
    """Apply the grants (run as the owner). Refuses when the application role is the owner
    itself or a superuser: such a role could remove the protections."""
    conn = connections[alias]
    with conn.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        row = cur.fetchone()
        if row is None:
            raise CommandError(f"El rol {role} no existe en el servidor (créelo primero, ver "
                               f"docs/operations.md).")
        if row[0]:
            raise CommandError(f"El rol de la aplicación ({role}) es superusuario: así puede "
                               f"quitar las protecciones. Use un rol sin privilegios.")
        cur.execute("SELECT current_user")
        if cur.fetchone()[0] == role:
            raise CommandError(f"DATABASE_URL y DATABASE_OWNER_URL usan el mismo rol ({role}): la "
                               f"aplicación sería dueña de las tablas.")
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [t for (t,) in cur.fetchall()]
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                    "AND tableowner = %s", [role])
        if cur.fetchone()[0]:
            raise CommandError(f"El rol {role} es dueño de tablas; transfiéralas al propietario "
                               f"(ALTER TABLE … OWNER TO …) antes de otorgar permisos.")
        statements = grant_statements(role, tables)
        for statement in statements:
            cur.execute(statement)
    return statements


def check_app_role(alias: str = "default") -> list[str]:
    """Problems (Spanish) of the application role as connected now; empty when it is safe."""
    problems = []
    with connections[alias].cursor() as cur:
        cur.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                    "WHERE rolname = current_user")
        role, superuser, bypass = cur.fetchone()
        if superuser:
            problems.append(f"El rol {role} es superusuario.")
        if bypass:
            problems.append(f"El rol {role} puede saltarse las políticas de renglón (BYPASSRLS).")
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tableowner = current_user ORDER BY tablename")
        owned = [t for (t,) in cur.fetchall()]
        if owned:
            problems.append(f"El rol {role} es dueño de {len(owned)} tablas ({', '.join(owned[:5])}…).")
        for table in PROTECTED_TABLES:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cur.fetchone()[0]:
                continue
            for privilege in ("TRUNCATE", "DELETE", "TRIGGER", "REFERENCES"):
                cur.execute("SELECT has_table_privilege(%s, %s)", [table, privilege])
                if cur.fetchone()[0]:
                    problems.append(f"El rol {role} tiene {privilege} sobre {table}.")
            cur.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                        "AND attnum > 0 AND NOT attisdropped", [table])
            allowed = {BANKOP_TABLE: MUTABLE_BANKOP_COLUMNS,
                       AUDIT_TABLE: AUDIT_PSEUDONYM_COLUMNS}.get(table, ())
            for (column,) in cur.fetchall():
                cur.execute("SELECT has_column_privilege(%s, %s, 'UPDATE')", [table, column])
                if cur.fetchone()[0] and column not in allowed:
                    problems.append(f"El rol {role} puede modificar {table}.{column}.")
        cur.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname IN ('credits_ledgerentry_append_only', "
                    "'payments_bankoperation_guard') AND t.tgenabled <> 'D'")
        guarded = {name for (name,) in cur.fetchall()}
        for table in ("credits_ledgerentry", BANKOP_TABLE):
            if table not in guarded:
                problems.append(f"La tabla {table} no tiene activo su disparador de protección.")
    return problems
