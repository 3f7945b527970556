import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from recupera.core.models import AuditEntry
from recupera.core.services import business_date_get, business_date_set


def test_service_write_records_actor_and_before_after(make_user):
    actor = make_user(None, username="ti")
    business_date_set(actor=actor, business_date=dt.date(2026, 11, 26))
    business_date_set(actor=actor, business_date=dt.date(2026, 11, 27))
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.actor == actor
    assert entry.action == "fecha_operacion.cambiar"
    assert entry.before == {"business_date": "2026-11-26"}
    assert entry.after == {"business_date": "2026-11-27"}
    assert business_date_get() == dt.date(2026, 11, 27)


def test_audit_rows_cannot_be_edited_or_deleted(make_user):
    business_date_set(actor=make_user(None), business_date=dt.date(2026, 11, 26))
    entry = AuditEntry.objects.get()
    entry.action = "otra"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_audit_screen_filters_by_user_and_action(client_for, auditor, make_user):
    alma = make_user(None, username="alma")
    beto = make_user(None, username="beto")
    business_date_set(actor=alma, business_date=dt.date(2026, 11, 25))
    business_date_set(actor=beto, business_date=dt.date(2026, 11, 26))
    client = client_for(auditor)
    page = client.get(reverse("audit:list"), {"actor": alma.pk}).content.decode()
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "<td>alma</td>" in rows and "beto" not in rows
    page = client.get(reverse("audit:list"), {"action": "no-existe"}).content.decode()
    assert "No hay registros con esos filtros." in page


def test_audit_screen_refuses_collectors(client_for, collector):
    assert client_for(collector).get(reverse("audit:list")).status_code == 403


def test_audit_date_filter_checks_order(client_for, auditor):
    page = client_for(auditor).get(reverse("audit:list"), {"date_from": "27/11/2026", "date_to": "01/11/2026"})
    assert "La fecha «hasta» es anterior a la fecha «desde»." in page.content.decode()
