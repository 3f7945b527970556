"""`recupera backup --to DIR` and `recupera restore --from DIR` (docs/operations.md, «Backups»).

A backup folder holds:

- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3` (SQLite: the
  online backup API, a consistent copy while the system runs);
- `media/`: the stored files (var/media: imported files, generated documents);
- `manifest.json`: format version, engine, when, the SHA-256 of every file above, and per
  table its row count and content checksum, taken from the same snapshot as the dump.

The restore verifies the files' SHA-256 before touching anything, loads the database and the
files, then recomputes every table's count and checksum on the restored database and compares
them with the manifest («verificación»): a difference is reported per table and the command
exits non-zero. `restore --check-only` runs only that comparison against the configured
database (e.g. after a manual restore).

Table checksums: PostgreSQL sums the first 60 bits of md5(row as text) over the table (order
independent, streaming: no sort, no memory per row); SQLite hashes the rows in primary-key
order in Python (the embedded database is small). Both are computed on the database's own text
of the rows, so a backup is compared with a restore on the same engine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"
CHUNK = 1024 * 1024


BackupError = CommandError  # a Spanish message for the operator; the command exits non-zero


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- table counts and checksums --------------------------------------------------------------
def pg_table_stats(cursor: Any) -> dict[str, dict[str, Any]]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                   "ORDER BY tablename")
    stats = {}
    for (table,) in cursor.fetchall():
        cursor.execute(
            f"SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint),"
            f" 0)::text FROM {_quote(table)} AS t")
        count, checksum = cursor.fetchone()
        stats[table] = {"rows": count, "checksum": checksum}
    return stats


def sqlite_table_stats(path: Path) -> dict[str, dict[str, Any]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        stats = {}
        for table in tables:
            digest, count = hashlib.sha256(), 0
            for row in con.execute(f"SELECT * FROM {_quote(table)} ORDER BY rowid"):
                digest.update(repr(row).encode())
                count += 1
            stats[table] = {"rows": count, "checksum": digest.hexdigest()}
        return stats
    finally:
        con.close()


def compare_stats(expected: dict[str, dict[str, Any]],
                  actual: dict[str, dict[str, Any]]) -> list[str]:
    """Spanish lines, one per table that differs (empty: identical)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if got is None:
            problems.append(f"Falta la tabla {table} en la base restaurada.")
        elif want is None:
            problems.append(f"La tabla {table} no está en el respaldo.")
        elif want["rows"] != got["rows"]:
            problems.append(f"{table}: {got['rows']} renglones; el respaldo tiene {want['rows']}.")
        elif want["checksum"] != got["checksum"]:
            problems.append(f"{table}: mismo número de renglones ({got['rows']}) pero su "
                            f"contenido difiere del respaldo (suma de verificación).")
    return problems


# --- connection parameters ---------------------------------------------------------------------
def _pg_env_args(params: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    args = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    return env, args


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"No se encontró {cmd[0]} (instale el cliente de PostgreSQL, "
                          f"paquete postgresql-client).") from exc
    if done.returncode != 0:
        raise BackupError(f"{what} falló ({cmd[0]} salió con {done.returncode}): "
                          f"{done.stderr.strip()[-800:]}")


# --- files ------------------------------------------------------------------------------------
def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def _copy_media(source: Path, target: Path) -> dict[str, str]:
    """Copy the stored files; {relative path: sha256}."""
    hashes = {}
    for path in _media_files(source):
        rel = path.relative_to(source)
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        hashes[rel.as_posix()] = sha256_file(dest)
    return hashes


def sqlite_database_path() -> Path:
    return Path(connection.settings_dict["NAME"])


# --- backup -----------------------------------------------------------------------------------
def backup(*, to: Path, log: Any = print) -> dict[str, Any]:
    """Write a backup into `to` (created; it must be empty). Returns the manifest."""
    to = Path(to)
    if to.exists() and any(to.iterdir()):
        raise BackupError(f"La carpeta {to} no está vacía: cada respaldo va en una carpeta nueva.")
    to.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    manifest: dict[str, Any] = {"format": FORMAT, "engine": vendor,
                                "created_at": timezone.now().isoformat(), "files": {}}
    if vendor == "postgresql":
        manifest["tables"] = _pg_backup(to / PG_DUMP)
        manifest["database_file"] = PG_DUMP
    elif vendor == "sqlite":
        source = sqlite_database_path()
        if not source.exists():
            raise BackupError(f"No existe la base de datos {source}.")
        src, dst = sqlite3.connect(source), sqlite3.connect(to / SQLITE_COPY)
        try:
            with dst:
                src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        finally:
            src.close()
            dst.close()
        manifest["tables"] = sqlite_table_stats(to / SQLITE_COPY)
        manifest["database_file"] = SQLITE_COPY
    else:  # pragma: no cover
        raise BackupError(f"Motor de base de datos sin respaldo: {vendor}.")
    manifest["files"][manifest["database_file"]] = sha256_file(to / manifest["database_file"])
    media = _copy_media(Path(settings.MEDIA_ROOT), to / MEDIA)
    manifest["files"].update({f"{MEDIA}/{rel}": digest for rel, digest in media.items()})
    (to / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    log(f"Respaldo en {to}: {len(manifest['tables'])} tablas, {rows:,} renglones, "
        f"{len(media)} archivos guardados.")
    return manifest


def _pg_backup(dump: Path) -> dict[str, dict[str, Any]]:
    """pg_dump and the table statistics from one snapshot: a REPEATABLE READ transaction
    exports its snapshot, pg_dump uses it, the counts are read in the same transaction."""
    params = connection.settings_dict
    env, args = _pg_env_args(params)
    connection.ensure_connection()
    raw = connection.connection
    with raw.transaction():
        with raw.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}",
                  "--file", str(dump), *args, "--dbname", str(params["NAME"])], env, "pg_dump")
            return pg_table_stats(cur)


# --- restore ----------------------------------------------------------------------------------
def read_manifest(source: Path) -> dict[str, Any]:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} no es un respaldo de Recupera (falta {MANIFEST}).")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{path} está dañado: no es JSON válido.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Formato de respaldo desconocido: {manifest.get('format')!s}.")
    return manifest


def verify_files(source: Path, manifest: dict[str, Any]) -> None:
    for rel, digest in sorted(manifest["files"].items()):
        path = Path(source) / rel
        if not path.is_file():
            raise BackupError(f"Falta el archivo {rel} del respaldo.")
        if sha256_file(path) != digest:
            raise BackupError(f"El archivo {rel} del respaldo está dañado (su SHA-256 no "
                              f"coincide con el del manifiesto).")


def current_stats() -> dict[str, dict[str, Any]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            return pg_table_stats(cur)
    return sqlite_table_stats(sqlite_database_path())


def restore_check(manifest: dict[str, Any]) -> list[str]:
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"El respaldo es de {manifest['engine']} y la base configurada es "
                          f"{connection.vendor}.")
    connection.close()
    return compare_stats(manifest["tables"], current_stats())


def _set_aside(path: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.antes-de-restaurar-{stamp}")
    path.rename(aside)
    return aside


def restore(*, source: Path, replace: bool = False, log: Any = print) -> list[str]:
    """Restore the backup in `source` into the configured database and var/media; returns the
    verification problems (empty: the restored tables equal the backup's)."""
    source = Path(source)
    manifest = read_manifest(source)
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"El respaldo es de {manifest['engine']} y la base configurada es "
                          f"{connection.vendor}.")
    verify_files(source, manifest)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()) and not replace:
        raise BackupError(f"{media_root} ya tiene archivos; use --replace para apartarlos y "
                          f"restaurar los del respaldo.")
    if connection.vendor == "postgresql":
        _pg_restore(source / manifest["database_file"], replace=replace)
    else:
        target = sqlite_database_path()
        connection.close()
        if target.exists() and target.stat().st_size > 0:
            if not replace:
                raise BackupError(f"La base {target} ya existe; use --replace para apartarla y "
                                  f"restaurar el respaldo.")
            log(f"Base anterior apartada en {_set_aside(target)}.")
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        src = sqlite3.connect(f"file:{source / manifest['database_file']}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
    if media_root.is_dir() and any(media_root.iterdir()):
        log(f"Archivos anteriores apartados en {_set_aside(media_root)}.")
    _copy_media(source / MEDIA, media_root)
    problems = restore_check(manifest)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    if problems:
        log("La verificación encontró diferencias:")
        for line in problems:
            log(f"  {line}")
    else:
        log(f"Restaurado y verificado: {len(manifest['tables'])} tablas y {rows:,} renglones "
            f"iguales al respaldo del {manifest['created_at'][:19]}.")
    return problems


def _pg_restore(dump: Path, *, replace: bool) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        tables = cur.fetchone()[0]
    if tables and not replace:
        raise BackupError(f"La base {connection.settings_dict['NAME']} ya tiene {tables} tablas; "
                          f"restaure en una base nueva y vacía o use --replace.")
    params = connection.settings_dict
    connection.close()
    env, args = _pg_env_args(params)
    cmd = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
           *args, "--dbname", str(params["NAME"])]
    if replace:
        cmd[1:1] = ["--clean", "--if-exists"]
    _run([*cmd, str(dump)], env, "pg_restore")
