"""Issue 21, item 3: lockouts by username *and* address, progressive waits, and an alert to the
Jefe de Departamento and Administración TI when an account is locked again and again."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from recupera.core.models import AuditEntry, SecurityAlert
from recupera.core.roles import Role

PASSWORD = "Clave-Segura-2026"


def _fail(client, ip, username="lucia", times=5):
    response = None
    for _ in range(times):
        response = client.post(reverse("login"), {"username": username, "password": "mala"},
                               REMOTE_ADDR=ip)
    return response


def test_a_lockout_from_one_address_does_not_lock_the_owner_elsewhere(client, make_user):
    make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    response = _fail(client, "203.0.113.9")
    assert response.status_code == 429
    assert "Su cuenta se bloqueó por 5 intentos fallidos" in response.content.decode()
    assert "Espere 15 minutos" in response.content.decode()
    # the attacker's address stays locked, even with the right password
    assert client.post(reverse("login"), {"username": "lucia", "password": PASSWORD},
                       REMOTE_ADDR="203.0.113.9").status_code == 429
    # Lucía, at her own desk, signs in
    response = client.post(reverse("login"), {"username": "lucia", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.15")
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200


def test_each_lockout_in_a_day_doubles_the_wait(client, make_user):
    from axes.models import AccessAttempt

    make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    waits = []
    for _ in range(3):
        html = _fail(client, "203.0.113.9").content.decode()
        waits.append(html.split("Espere ", 1)[1].split(" minutos", 1)[0])
        AccessAttempt.objects.all().delete()  # the wait is over (time passes)
    assert waits == ["15", "30", "60"]
    assert AuditEntry.objects.filter(action="acceso.bloqueo").count() == 3


def test_repeated_lockouts_alert_the_supervisor_and_it(client, make_user, client_for):
    from axes.models import AccessAttempt

    lucia = make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    for ip in ("203.0.113.9", "198.51.100.4", "192.0.2.77"):
        _fail(client, ip, times=7)  # attempts past the limit are not new lockouts
        AccessAttempt.objects.all().delete()
    assert AuditEntry.objects.filter(action="acceso.bloqueo", object_id=str(lucia.pk)).count() == 3
    alert = SecurityAlert.objects.get()
    assert alert.username == "lucia" and "se bloqueó 3 veces en 24 horas" in alert.detail
    assert AuditEntry.objects.filter(action="alerta.bloqueos_repetidos").count() == 1
    jefe = make_user(Role.SUPERVISOR, username="jefe1")
    page = client_for(jefe).get(reverse("home")).content.decode()
    assert "Alertas de seguridad" in page and "La cuenta «lucia» se bloqueó 3 veces" in page
    response = client_for(jefe).post(reverse("security_alert_acknowledge", args=[alert.pk]), follow=True)
    assert "Alerta marcada como atendida." in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == jefe
    assert "Alertas de seguridad" not in client_for(jefe).get(reverse("home")).content.decode()


def test_a_collector_does_not_see_security_alerts(client_for, make_user):
    SecurityAlert.objects.create(kind=SecurityAlert.Kind.REPEATED_LOCKOUT, username="x", detail="d")
    page = client_for(make_user(Role.COLLECTOR)).get(reverse("home")).content.decode()
    assert "Alertas de seguridad" not in page


def test_old_lockouts_do_not_lengthen_the_wait(make_user, rf):
    from recupera.core import accounts

    make_user(Role.COLLECTOR, username="lucia")
    accounts.lockout_record(username="lucia", ip="203.0.113.9")
    accounts.lockout_record(username="lucia", ip="203.0.113.9")
    request = rf.post("/entrar/", {"username": "lucia"}, REMOTE_ADDR="203.0.113.9")
    assert accounts.lockout_cooloff(request) == dt.timedelta(minutes=30)
    two_days_later = timezone.now() + dt.timedelta(days=2)
    assert accounts.lockout_cooloff(request, now=two_days_later) == dt.timedelta(minutes=15)
