"""The Cierre diario pages: who sees them, who starts a close, the progress fragment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from recupera.cob.services import close_run

pytestmark = pytest.mark.django_db


def test_auditor_sees_runs_but_cannot_start_one(auditor, client_for):
    run = close_run(actor=None, business_date=dt.date(2026, 11, 27))
    client = client_for(auditor)
    page = client.get(reverse("cob:runs"))
    assert page.status_code == 200
    assert "27/11/2026" in page.content.decode() and "Ejecutar cierre" not in page.content.decode()
    assert client.post(reverse("cob:runs"), {"business_date": "2026-11-28"}).status_code == 403
    detail = client.get(reverse("cob:run", args=[run.pk])).content.decode()
    assert "Recalcular con el motor" in detail and "Foto diaria de la cartera" in detail
    assert client.get(reverse("cob:progress", args=[run.pk])).status_code == 200


def test_collector_cannot_see_the_close(collector, client_for):
    assert client_for(collector).get(reverse("cob:runs")).status_code == 403


def test_portfolio_office_starts_a_close_as_a_task(portfolio_officer, client_for, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(portfolio_officer)
    response = client.post(reverse("cob:runs"), {"business_date": "2026-11-28"}, follow=True)
    assert response.status_code == 200
    assert "quedó en cola" in response.content.decode()
    from recupera.cob.models import CloseRun

    assert CloseRun.objects.get(business_date=dt.date(2026, 11, 28)).status == "terminado"


def test_snapshot_table_shows_labels_in_age_order_with_totals(auditor, client_for):
    from decimal import Decimal

    from recupera.cob.models import PortfolioSnapshot

    run = close_run(actor=None, business_date=dt.date(2026, 11, 27))
    d = run.business_date
    PortfolioSnapshot.objects.filter(business_date=d).delete()
    for status, bucket, n, principal, overdue in (
            ("vencido", "181-365", 2, "20000.00", "5000.50"), ("vencido", "31-60", 3, "30000.00", "1200.25"),
            ("amortizacion", "al_corriente", 5, "50000.00", "0.00"), ("vencido", "mas_de_365", 1, "9000.00", "9000.00")):
        PortfolioSnapshot.objects.create(business_date=d, status=status, bucket=bucket, credits=n,
                                         principal_outstanding=Decimal(principal), total_overdue=Decimal(overdue))
    html = client_for(auditor).get(reverse("cob:run", args=[run.pk])).content.decode()
    table = html[html.index("Foto de la cartera"):]
    for raw in ("amortizacion", "al_corriente", "mas_de_365", ">181-365<"):
        assert raw not in table
    order = [table.index(label) for label in ("Al corriente", "31–60 días", "181–365 días", "Más de 365 días")]
    assert order == sorted(order)
    assert table.index("Amortización") < table.index("Vencido")
    totals = table[table.index("<tfoot>"):]
    assert ">11<" in totals and "$109,000.00" in totals and "$15,200.75" in totals
