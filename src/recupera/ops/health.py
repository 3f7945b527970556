"""`/salud/`: what a monitor needs to know, without personal data and without a login.

Checks (each `ok` true/false, with a Spanish `mensaje` when false):

- `database`: the database answers `SELECT 1`.
- `migrations`: every migration on disk is recorded as applied (the files are read once per
  process; each request is one query of django_migrations).
- `worker`: age of the newest task-worker heartbeat (ops.WorkerHeartbeat) ≤
  RECUPERA_HEALTH_WORKER_MAX_AGE (seconds, default 90: six missed beats of 15 s).
- `close`: hours since the last finished daily close (cob.CloseRun) ≤
  RECUPERA_HEALTH_CLOSE_MAX_HOURS (default 36: one nightly close may be late, not two).
  Sites that close on business days only set it to cover a long weekend (e.g. 100).
- `disk`: free space on the filesystem of var/ (database file, stored files, backups) ≥
  RECUPERA_HEALTH_MIN_FREE_MB (default 1024).

HTTP 200 when all are ok, 503 otherwise. Four queries when the database answers.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

_disk_migrations: set[tuple[str, str]] | None = None


def _setting(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return float(value)


def _migrations_on_disk() -> set[tuple[str, str]]:
    global _disk_migrations
    if _disk_migrations is None:
        from django.db.migrations.loader import MigrationLoader

        loader = MigrationLoader(None, ignore_no_migrations=True)
        _disk_migrations = set(loader.disk_migrations)
    return _disk_migrations


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except DatabaseError:
        return {"ok": False, "mensaje": "La base de datos no responde."}
    return {"ok": True}


def check_migrations() -> dict[str, Any]:
    with connection.cursor() as cur:
        cur.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cur.fetchall()}
    pending = _migrations_on_disk() - applied
    if pending:
        return {"ok": False, "pending": len(pending),
                "mensaje": f"Faltan {len(pending)} migraciones por aplicar (recupera migrate)."}
    return {"ok": True, "pending": 0}


def check_worker(now: Any) -> dict[str, Any]:
    from recupera.ops.models import WorkerHeartbeat

    max_age = _setting("RECUPERA_HEALTH_WORKER_MAX_AGE", 90)
    beat = (WorkerHeartbeat.objects.order_by("-beat_at")
            .values("beat_at", "restarts", "task_started_at").first())
    if beat is None:
        return {"ok": False, "heartbeat_age_seconds": None, "max_age_seconds": max_age,
                "mensaje": "El trabajador de tareas nunca ha registrado un latido "
                           "(¿está corriendo «recupera worker»?)."}
    age = round((now - beat["beat_at"]).total_seconds(), 1)
    task_age = (round((now - beat["task_started_at"]).total_seconds(), 1)
                if beat["task_started_at"] else None)
    result = {"ok": age <= max_age, "heartbeat_age_seconds": age, "max_age_seconds": max_age,
              "restarts": beat["restarts"], "task_running_seconds": task_age}
    if not result["ok"]:
        result["mensaje"] = (f"El último latido del trabajador de tareas fue hace {age:.0f} s "
                             f"(máximo {max_age:.0f} s).")
    return result


def check_close(now: Any) -> dict[str, Any]:
    from recupera.cob.models import CloseRun

    max_hours = _setting("RECUPERA_HEALTH_CLOSE_MAX_HOURS", 36)
    last = (CloseRun.objects.filter(status=CloseRun.Status.FINISHED, finished_at__isnull=False)
            .order_by("-finished_at").values("business_date", "finished_at").first())
    if last is None:
        return {"ok": False, "last_business_date": None, "age_hours": None,
                "max_age_hours": max_hours, "mensaje": "No hay ningún cierre diario terminado."}
    hours = round((now - last["finished_at"]).total_seconds() / 3600, 2)
    result = {"ok": hours <= max_hours, "last_business_date": last["business_date"].isoformat(),
              "age_hours": hours, "max_age_hours": max_hours}
    if not result["ok"]:
        result["mensaje"] = (f"El último cierre diario terminó hace {hours:.1f} horas "
                             f"(máximo {max_hours:g}).")
    return result


def check_disk() -> dict[str, Any]:
    min_mb = _setting("RECUPERA_HEALTH_MIN_FREE_MB", 1024)
    usage = shutil.disk_usage(settings.VAR_DIR)
    free_mb = usage.free // (1024 * 1024)
    result = {"ok": free_mb >= min_mb, "free_mb": free_mb, "min_free_mb": min_mb,
              "free_percent": round(100 * usage.free / usage.total, 1) if usage.total else 0.0}
    if not result["ok"]:
        result["mensaje"] = (f"Quedan {free_mb} MB libres en el disco de datos "
                             f"(mínimo {min_mb:g} MB).")
    return result


def health() -> dict[str, Any]:
    """The report `/salud/` returns: {"status": "ok"|"falla", "checked_at", "checks": {…}}."""
    now = timezone.now()
    checks: dict[str, Any] = {"database": check_database()}
    if checks["database"]["ok"]:
        for name, check in (("migrations", check_migrations),
                            ("worker", lambda: check_worker(now)),
                            ("close", lambda: check_close(now))):
            try:
                checks[name] = check()
            except DatabaseError:
                checks[name] = {"ok": False, "mensaje": "No se pudo consultar la base de datos."}
    else:
        for name in ("migrations", "worker", "close"):
            checks[name] = {"ok": False, "mensaje": "Sin base de datos no se puede revisar."}
    checks["disk"] = check_disk()
    ok = all(c["ok"] for c in checks.values())
    return {"status": "ok" if ok else "falla", "checked_at": now.isoformat(), "checks": checks}
