"""Issue #20 item 7: the application connects as a role that cannot remove the exactly-once
guard. Migrations run as the owner role (DATABASE_OWNER_URL); the application role
(DATABASE_URL) is not a superuser, owns no table, and cannot TRUNCATE, DELETE or UPDATE the
ledger, the bank operations or the audit log, nor disable their triggers.

The test builds the real setup on the PostgreSQL server: two new roles, a new database owned by
the owner role, `recupera migrate` with both URLs, then the application's own commands
(`demo-data`, `cob`) as the application role, and every way around the guard tried as it."""

from __future__ import annotations

import os

import psycopg
import pytest
from django.db import connection

from tests.ops.conftest import recupera_env, run_recupera

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="los roles de base de datos son de PostgreSQL (DATABASE_URL=postgres://… para esta prueba)")


@pytest.fixture(scope="module")
def roles_site(tmp_path_factory, django_db_blocker):
    with django_db_blocker.unblock():
        params = dict(connection.settings_dict)
    host, port, superuser = params["HOST"] or "127.0.0.1", params["PORT"] or 5432, params["USER"]
    suffix = f"{os.getpid()}"
    owner, app = f"rec_dueno_{suffix}", f"rec_app_{suffix}"
    database = f"rec_roles_{suffix}"
    admin = f"host={host} port={port} user={superuser} dbname=postgres"

    def drop(con):
        con.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        con.execute(f'DROP ROLE IF EXISTS "{app}"')
        con.execute(f'DROP ROLE IF EXISTS "{owner}"')

    with psycopg.connect(admin, autocommit=True) as con:
        drop(con)
        con.execute(f'CREATE ROLE "{owner}" LOGIN')
        con.execute(f'CREATE ROLE "{app}" LOGIN')
        con.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    var = tmp_path_factory.mktemp("roles")
    env = recupera_env(var, f"postgres://{app}@{host}:{port}/{database}",
                       DATABASE_OWNER_URL=f"postgres://{owner}@{host}:{port}/{database}")
    try:
        migrated = run_recupera(["migrate", "--verbosity", "1"], env, timeout=600)
        yield {"env": env, "migrated": migrated, "app": app, "owner": owner,
               "app_dsn": f"host={host} port={port} user={app} dbname={database}",
               "owner_dsn": f"host={host} port={port} user={owner} dbname={database}"}
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            drop(con)


def test_migrate_runs_as_the_owner_and_grants_the_app_role(roles_site):
    assert f"Permisos del rol de la aplicación ({roles_site['app']}) aplicados." in roles_site["migrated"].stdout
    with psycopg.connect(roles_site["app_dsn"]) as con:
        owners = {o for (o,) in con.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")}
        superuser = con.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    assert owners == {roles_site["owner"]} and superuser is False
    checked = run_recupera(["db-roles", "--check"], roles_site["env"])
    assert "no puede borrar, vaciar ni desproteger" in checked.stdout


@pytest.mark.parametrize("statement", [
    "TRUNCATE credits_ledgerentry CASCADE",
    "TRUNCATE payments_bankoperation CASCADE",
    "TRUNCATE core_auditentry CASCADE",
    "DELETE FROM payments_bankoperation",
    "DELETE FROM credits_ledgerentry",
    "DELETE FROM core_auditentry",
    "UPDATE credits_ledgerentry SET amount = amount",
    "UPDATE payments_bankoperation SET amount = amount",
    "UPDATE payments_bankoperation SET operation_key = operation_key",
    "UPDATE core_auditentry SET action = action",
    "UPDATE core_auditentry SET object_repr = object_repr, actor_name = actor_name",
    "ALTER TABLE credits_ledgerentry DISABLE TRIGGER credits_ledgerentry_append_only",
    "ALTER TABLE payments_bankoperation DISABLE TRIGGER ALL",
    "ALTER TABLE core_auditentry DISABLE TRIGGER ALL",
    "DROP TRIGGER payments_bankoperation_guard ON payments_bankoperation",
    "DROP TABLE payments_bankoperation CASCADE",
    "SET session_replication_role = replica",
    "DELETE FROM django_migrations",
    "CREATE TABLE atajo (id int)",
])
def test_the_app_role_cannot_remove_the_guard(roles_site, statement):
    with psycopg.connect(roles_site["app_dsn"]) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute(statement)


def test_the_app_role_rewrites_audit_values_only_with_a_permit(roles_site):
    """The column grant lets the deletion of a person's data reach the audit rows' values; the
    trigger still refuses it without a permit row (core/0007)."""
    with psycopg.connect(roles_site["app_dsn"]) as con:
        (entry,) = con.execute(
            "INSERT INTO core_auditentry (at, action, object_type, object_id, object_repr) "
            "VALUES (now(), 'prueba', 'prueba', '1', 'Pedro Sotelo') RETURNING id").fetchone()
        with pytest.raises(psycopg.errors.RestrictViolation):
            con.execute("UPDATE core_auditentry SET object_repr = 'SUPRIMIDO' WHERE id = %s",
                        [entry])


def test_the_app_role_runs_the_application(roles_site, tmp_path):
    """demo-data (services: credits, ledger entries, audit rows) and the daily close, as the app
    role; then the one bank-operation update the services make is allowed, and a backup as the
    owner verifies."""
    env = roles_site["env"]
    run_recupera(["demo-data", "--credits", "5", "--seed", "11", "--as-of", "2026-11-26"], env,
                 timeout=600)
    run_recupera(["cob", "--date", "2026-11-26"], env, timeout=600)
    with psycopg.connect(roles_site["app_dsn"]) as con:
        assert con.execute("SELECT count(*) FROM credits_credit").fetchone()[0] == 5
        assert con.execute("SELECT count(*) FROM core_auditentry").fetchone()[0] > 0
        con.execute("UPDATE payments_bankoperation SET status = status")  # allowed columns
        assert con.execute("SELECT status FROM cob_closerun").fetchone()[0] == "terminado"
    done = run_recupera(["backup", "--to", str(tmp_path / "respaldo")], env)
    assert "Respaldo en" in done.stdout


def test_check_reports_a_superuser_app_role(roles_site):
    """The check fails, naming why, when the application connects as a superuser (the setup
    that let the guard be removed)."""
    env = dict(roles_site["env"])
    env["DATABASE_URL"] = env["DATABASE_OWNER_URL"].replace(roles_site["owner"], "postgres")
    done = run_recupera(["db-roles", "--check"], env, check=False)
    assert done.returncode == 1
    assert "El rol postgres es superusuario." in done.stderr
