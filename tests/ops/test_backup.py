"""`recupera backup` / `recupera restore` (issue #20 item 14): the database and the stored
files into a folder with a manifest; a restore into a fresh database is verified table by table
(row counts and checksums) against the manifest; damaged backups and differences are reported."""

from __future__ import annotations

import json
import sqlite3

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests.ops.conftest import recupera_env, run_recupera


def _populate(env: dict[str, str]) -> None:
    run_recupera(["demo-data", "--credits", "4", "--seed", "7"], env)


def test_sqlite_backup_and_restore_into_a_fresh_site(sqlite_site, tmp_path):
    var, env = sqlite_site
    _populate(env)
    (var / "media" / "pagos").mkdir(parents=True)
    (var / "media" / "pagos" / "bbva.txt").write_bytes(b"archivo del banco\r\n")
    out = tmp_path / "respaldo"
    done = run_recupera(["backup", "--to", str(out)], env)
    assert "Respaldo en" in done.stdout and "1 archivos guardados" in done.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite" and manifest["database_file"] == "database.sqlite3"
    assert sorted(p.name for p in out.iterdir()) == ["database.sqlite3", "manifest.json", "media"]
    with sqlite3.connect(var / "recupera.sqlite3") as con:
        credits = con.execute("SELECT count(*) FROM credits_credit").fetchone()[0]
        entries = con.execute("SELECT count(*) FROM credits_ledgerentry").fetchone()[0]
    assert credits == 4 and manifest["tables"]["credits_credit"]["rows"] == 4
    assert manifest["tables"]["credits_ledgerentry"]["rows"] == entries
    assert "media/pagos/bbva.txt" in manifest["files"]

    fresh = tmp_path / "nuevo"
    fresh.mkdir()
    fresh_env = recupera_env(fresh, f"sqlite:///{fresh / 'recupera.sqlite3'}")
    done = run_recupera(["restore", "--from", str(out)], fresh_env)
    assert "Restaurado y verificado: " in done.stdout
    assert (fresh / "media" / "pagos" / "bbva.txt").read_bytes() == b"archivo del banco\r\n"
    with sqlite3.connect(fresh / "recupera.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM credits_credit").fetchone()[0] == 4
        folio = con.execute("SELECT max(folio) FROM credits_credit").fetchone()[0]
    shown = run_recupera(["credit", "show", folio, "--json"], env)
    again = run_recupera(["credit", "show", folio, "--json"], fresh_env)
    assert json.loads(shown.stdout)["payoff_amount"] == json.loads(again.stdout)["payoff_amount"]
    assert shown.stdout == again.stdout

    # a change after the restore is found by the check, naming the table
    with sqlite3.connect(fresh / "recupera.sqlite3") as con:
        con.execute("UPDATE people_person SET first_name = 'Otra' WHERE id = "
                    "(SELECT min(id) FROM people_person)")
    check = run_recupera(["restore", "--from", str(out), "--check-only"], fresh_env, check=False)
    assert check.returncode == 1
    assert "people_person: mismo número de renglones" in check.stderr
    # restoring over an existing site is refused unless --replace, which sets the old aside
    refused = run_recupera(["restore", "--from", str(out)], fresh_env, check=False)
    assert refused.returncode == 1 and "use --replace" in refused.stderr
    replaced = run_recupera(["restore", "--from", str(out), "--replace"], fresh_env)
    assert "Restaurado y verificado" in replaced.stdout
    assert any(p.name.startswith("recupera.sqlite3.antes-de-restaurar-") for p in fresh.iterdir())


def test_damaged_or_foreign_backup_is_refused_before_anything_changes(sqlite_site, tmp_path):
    var, env = sqlite_site
    out = tmp_path / "respaldo"
    run_recupera(["backup", "--to", str(out)], env)
    again = run_recupera(["backup", "--to", str(out)], env, check=False)
    assert again.returncode == 1 and "no está vacía" in again.stderr
    with (out / "database.sqlite3").open("r+b") as fh:
        fh.seek(5000)
        fh.write(b"\x00roto\x00")
    fresh = tmp_path / "nuevo"
    fresh.mkdir()
    fresh_env = recupera_env(fresh, f"sqlite:///{fresh / 'recupera.sqlite3'}")
    done = run_recupera(["restore", "--from", str(out)], fresh_env, check=False)
    assert done.returncode == 1
    assert "El archivo database.sqlite3 del respaldo está dañado" in done.stderr
    assert not (fresh / "recupera.sqlite3").exists() or (fresh / "recupera.sqlite3").stat().st_size == 0
    done = run_recupera(["restore", "--from", str(tmp_path)], fresh_env, check=False)
    assert done.returncode == 1 and "no es un respaldo de Recupera" in done.stderr


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="respaldo con pg_dump: solo con PostgreSQL (DATABASE_URL=postgres://…)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_backup_restores_into_a_fresh_database(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "cartera.xlsx").write_bytes(b"PK\x03\x04 hoja")
    call_command("demo_data", credits=4, seed=7, verbosity=0)
    out = tmp_path / "respaldo"
    call_command("backup", to=out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql" and (out / "database.dump").read_bytes()[:5] == b"PGDMP"
    assert manifest["tables"]["credits_credit"]["rows"] == 4
    params = connection.settings_dict
    target = f"{params['NAME']}_restaurada"[:60]
    admin = f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} user={params['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{target}"')
        con.execute(f'CREATE DATABASE "{target}"')
    try:
        url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{target}"
        var = tmp_path / "var"
        var.mkdir()
        env = recupera_env(var, url)
        done = run_recupera(["restore", "--from", str(out)], env)
        assert "Restaurado y verificado: " in done.stdout
        assert (var / "media" / "cartera.xlsx").read_bytes() == b"PK\x03\x04 hoja"
        with psycopg.connect(f"{admin.rsplit('dbname=', 1)[0]}dbname={target}", autocommit=True) as con:
            assert con.execute("SELECT count(*) FROM credits_credit").fetchone()[0] == 4
            # the protections came back with the data
            with pytest.raises(psycopg.errors.RestrictViolation):
                con.execute("DELETE FROM credits_ledgerentry")
            con.execute("UPDATE credits_credit SET folio = folio || 'X' WHERE id = "
                        "(SELECT min(id) FROM credits_credit)")
        check = run_recupera(["restore", "--from", str(out), "--check-only"], env, check=False)
        assert check.returncode == 1
        assert "credits_credit: mismo número de renglones" in check.stderr
        refused = run_recupera(["restore", "--from", str(out)], env, check=False)
        assert refused.returncode == 1 and "ya tiene" in refused.stderr
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def test_differences_are_named_per_table():
    from recupera.ops.backup import compare_stats

    want = {"a": {"rows": 2, "checksum": "1"}, "b": {"rows": 1, "checksum": "x"}}
    assert compare_stats(want, want) == []
    assert compare_stats(want, {"a": {"rows": 3, "checksum": "1"}}) == [
        "a: 3 renglones; el respaldo tiene 2.", "Falta la tabla b en la base restaurada."]
