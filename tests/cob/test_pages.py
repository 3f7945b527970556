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
