"""`/salud/` (issue #20 item 15): JSON for monitoring, no login, no personal data; 200 when the
database, migrations, worker heartbeat, last close and free disk are fine, 503 otherwise."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import OperationalError
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def healthy(settings):
    """A worker beat 5 s ago and a close finished an hour ago; a 1 MB free-disk floor."""
    from recupera.cob.models import CloseRun
    from recupera.ops.models import WorkerHeartbeat

    settings.RECUPERA_HEALTH_MIN_FREE_MB = 1
    now = timezone.now()
    WorkerHeartbeat.objects.create(name="app1:100", pid=101, started_at=now - dt.timedelta(hours=2),
                                   beat_at=now - dt.timedelta(seconds=5), restarts=2)
    CloseRun.objects.create(business_date=dt.date(2026, 12, 4), status="terminado",
                            finished_at=now - dt.timedelta(hours=1))
    return now


def _get(client):
    response = client.get("/salud/")
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


def test_healthy_site_answers_200_without_login(client, healthy, django_assert_num_queries):
    with django_assert_num_queries(4):
        response, body = _get(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "migrations", "worker", "close", "disk"}
    assert all(c["ok"] for c in checks.values())
    assert checks["migrations"]["pending"] == 0
    assert 4 <= checks["worker"]["heartbeat_age_seconds"] <= 60
    assert checks["worker"]["restarts"] == 2 and checks["worker"]["task_running_seconds"] is None
    assert checks["close"]["last_business_date"] == "2026-12-04"
    assert 0.99 <= checks["close"]["age_hours"] <= 1.1
    assert checks["disk"]["free_mb"] > 1
    assert "no-cache" in response["Cache-Control"]


def test_no_personal_data_in_the_report(client, healthy, make_user):
    from recupera.people.models import Person

    make_user(username="gestora.lopez", first_name="Lucía")
    Person.objects.create(curp="GAMR000101MSRRRN01", first_name="Rosa", last_name="García",
                          sex="M", birth_date=dt.date(2000, 1, 1), search_name="ROSA GARCIA")
    text = client.get("/salud/").content.decode()
    for private in ("gestora", "Lucía", "GAMR000101MSRRRN01", "Rosa", "app1"):
        assert private not in text


def test_stale_worker_heartbeat_is_503_with_a_spanish_message(client, healthy):
    from recupera.ops.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update(beat_at=healthy - dt.timedelta(minutes=10))
    response, body = _get(client)
    assert response.status_code == 503 and body["status"] == "falla"
    worker = body["checks"]["worker"]
    assert worker["ok"] is False and 599 <= worker["heartbeat_age_seconds"] <= 660
    assert worker["mensaje"].startswith("El último latido del trabajador de tareas fue hace 6")
    assert body["checks"]["close"]["ok"] is True


def test_no_worker_ever_is_503(client, healthy):
    from recupera.ops.models import WorkerHeartbeat

    WorkerHeartbeat.objects.all().delete()
    response, body = _get(client)
    assert response.status_code == 503
    assert "nunca ha registrado un latido" in body["checks"]["worker"]["mensaje"]


def test_late_or_missing_close_is_503(client, healthy):
    from recupera.cob.models import CloseRun

    CloseRun.objects.update(finished_at=healthy - dt.timedelta(hours=40))
    response, body = _get(client)
    assert response.status_code == 503
    assert body["checks"]["close"]["ok"] is False
    assert body["checks"]["close"]["mensaje"] == "El último cierre diario terminó hace 40.0 horas (máximo 36)."
    CloseRun.objects.update(status="fallido", finished_at=healthy)
    response, body = _get(client)
    assert response.status_code == 503
    assert body["checks"]["close"]["mensaje"] == "No hay ningún cierre diario terminado."


def test_little_free_disk_is_503(client, healthy, settings):
    settings.RECUPERA_HEALTH_MIN_FREE_MB = 10**12
    response, body = _get(client)
    assert response.status_code == 503
    assert body["checks"]["disk"]["ok"] is False
    assert body["checks"]["disk"]["mensaje"].startswith("Quedan ")


def test_pending_migration_is_503(client, healthy, monkeypatch):
    from recupera.ops import health

    on_disk = health._migrations_on_disk() | {("ops", "9999_no_aplicada")}
    monkeypatch.setattr(health, "_disk_migrations", on_disk)
    response, body = _get(client)
    assert response.status_code == 503
    assert body["checks"]["migrations"] == {
        "ok": False, "pending": 1, "mensaje": "Faltan 1 migraciones por aplicar (recupera migrate)."}


def test_database_down_is_503_and_says_so(client, healthy, monkeypatch):
    from recupera.ops import health

    class Down:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Down())
    monkeypatch.setattr(health, "check_worker", lambda now: pytest.fail("consulta sin base"))
    response, body = _get(client)
    assert response.status_code == 503
    assert body["checks"]["database"] == {"ok": False, "mensaje": "La base de datos no responde."}
    assert body["checks"]["worker"]["ok"] is False and body["checks"]["disk"]["ok"] is True


def test_only_get_and_head(client, healthy):
    assert client.post("/salud/").status_code == 405
    assert client.head("/salud/").status_code == 200
