"""Issue #21 item 7: the audit log cannot lie. It shows the actor's name as it was written,
no queryset updates or deletes rows, PostgreSQL refuses UPDATE/DELETE/TRUNCATE, and the
sign-in records cannot be deleted from the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from recupera.core.models import AuditEntry
from recupera.core.services import business_date_set

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _rows(page: str) -> str:
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_renaming_an_account_does_not_rewrite_history(make_user, auditor, client_for):
    alma = make_user(None, username="alma", first_name="Alma", last_name="Félix Castro")
    business_date_set(actor=alma, business_date=dt.date(2026, 11, 26))
    alma.username, alma.first_name, alma.last_name = "otra", "Otra", "Persona"
    alma.save()
    entry = AuditEntry.objects.get(action="fecha_operacion.cambiar")
    assert (entry.actor_username, entry.actor_name) == ("alma", "Alma Félix Castro")
    rows = _rows(client_for(auditor).get(reverse("audit:list")).content.decode())
    assert "alma (Alma Félix Castro)" in rows and "otra" not in rows
    # Filtering by the account still finds its rows.
    rows = _rows(client_for(auditor).get(reverse("audit:list"), {"actor": alma.pk}).content.decode())
    assert "alma (Alma Félix Castro)" in rows
    business_date_set(actor=None, business_date=dt.date(2026, 11, 27))
    assert "<td>sistema</td>" in _rows(client_for(auditor).get(reverse("audit:list")).content.decode())


def test_bulk_written_rows_keep_the_name_too(make_user):
    luis = make_user(None, username="luis", first_name="Luis", last_name="Peña")
    AuditEntry.objects.bulk_create([
        AuditEntry(actor_id=luis.pk, action="prueba.lote", object_type="x", object_id=str(n),
                   object_repr="x") for n in range(3)])
    assert set(AuditEntry.objects.values_list("actor_username", "actor_name")) == {("luis", "Luis Peña")}


def test_querysets_neither_update_nor_delete(make_user):
    business_date_set(actor=make_user(None), business_date=dt.date(2026, 11, 26))
    with pytest.raises(ValidationError, match="solo adición"):
        AuditEntry.objects.filter(action="fecha_operacion.cambiar").update(action="nada")
    with pytest.raises(ValidationError, match="solo adición"):
        AuditEntry.objects.all().delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.get().delete()
    assert AuditEntry.objects.get().action == "fecha_operacion.cambiar"


@postgres_only
def test_postgresql_refuses_update_delete_and_truncate(make_user):
    business_date_set(actor=make_user(None), business_date=dt.date(2026, 11, 26))
    for sql in ("UPDATE core_auditentry SET action = 'nada'", "DELETE FROM core_auditentry"):
        with pytest.raises(IntegrityError, match="solo adición"), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(sql)
    # A role that holds every privilege on the table but does not own it (the application's).
    with pytest.raises(IntegrityError, match="TRUNCATE"), transaction.atomic(), \
            connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks of the insert above
        cur.execute("CREATE ROLE recupera_audit_probe")
        cur.execute("GRANT ALL ON core_auditentry TO recupera_audit_probe")
        cur.execute("SET LOCAL ROLE recupera_audit_probe")
        cur.execute("TRUNCATE core_auditentry")
    assert AuditEntry.objects.get().action == "fecha_operacion.cambiar"


@postgres_only
def test_postgresql_names_the_actor_of_rows_inserted_by_sql(make_user):
    caja = make_user(None, username="caja", first_name="Alma", last_name="Félix")
    with connection.cursor() as cur:
        cur.execute("INSERT INTO core_auditentry (at, actor_id, action, object_type, object_id, "
                    "object_repr) VALUES (now(), %s, 'sql', 'x', '1', 'x')", [caja.pk])
    assert AuditEntry.objects.values_list("actor_username", "actor_name").get() == ("caja", "Alma Félix")


def test_sign_in_records_cannot_be_deleted_from_the_admin(make_user, client_for):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    root = make_user(None, username="root", is_superuser=True, is_staff=True)
    log = AccessLog.objects.create(username="gestor", ip_address="10.0.0.1", user_agent="x",
                                   attempt_time=timezone.now())
    failure = AccessFailureLog.objects.create(username="gestor", ip_address="10.0.0.1",
                                              user_agent="x", attempt_time=timezone.now())
    attempt = AccessAttempt.objects.create(username="gestor", ip_address="10.0.0.1", user_agent="x",
                                           failures_since_start=5, attempt_time=timezone.now())
    client = client_for(root)
    assert client.get(reverse("admin:axes_accesslog_delete", args=[log.pk])).status_code == 403
    assert client.post(reverse("admin:axes_accesslog_delete", args=[log.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:axes_accessfailurelog_delete", args=[failure.pk])).status_code == 403
    client.post(reverse("admin:axes_accesslog_changelist"),
                {"action": "delete_selected", "_selected_action": [log.pk], "post": "yes"})
    assert AccessLog.objects.filter(pk=log.pk).exists()
    assert AccessFailureLog.objects.filter(pk=failure.pk).exists()
    # Unlocking an account (deleting its attempt counter) still works.
    assert client.get(reverse("admin:axes_accessattempt_delete", args=[attempt.pk])).status_code == 200
