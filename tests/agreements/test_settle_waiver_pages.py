"""Settlement payment, write-off and death/disability waiver pages (with the supporting-document
upload), and the daily close's «convenios» step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recupera.agreements import services
from recupera.agreements.models import Agreement
from recupera.core.models import OperatingDate
from recupera.core.roles import Role
from recupera.credits import engine_io
from recupera.credits.models import LedgerEntry
from recupera.credits.services import payment_post

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


def _acta() -> SimpleUploadedFile:
    return SimpleUploadedFile("acta.pdf", b"%PDF-1.4 acta", content_type="application/pdf")


def test_cashier_pays_an_authorized_settlement_on_its_page(client_for, overdue_credit, supervisor, make_user):
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=100, interest_pct=25)
    cashier = make_user(Role.CASHIER, username="cajera")
    client = client_for(cashier)
    url = reverse("agreements:detail", args=[agreement.pk])
    assert 'id="pagar"' in client.get(url).content.decode()
    response = client.post(reverse("agreements:settle", args=[agreement.pk]),
                           {"value_date": "20/06/2024", "channel": "caja", "reference": "R-77"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.FULFILLED
    payoff = LedgerEntry.objects.get(credit=overdue_credit, kind="payoff")
    assert payoff.amount == D("12219.99") and payoff.natural_key == "caja:R-77"
    assert engine_io.credit_state(overdue_credit, as_of=AS_OF).status == "paid_off"
    page = client.get(url).content.decode()
    assert 'id="pagar"' not in page and 'id="documento"' in page  # carta de finiquito


def test_settle_refusal_is_shown_and_collectors_cannot_settle(client_for, overdue_credit, supervisor,
                                                             collector):
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=100)
    late = client_for(supervisor).post(reverse("agreements:settle", args=[agreement.pk]),
                                       {"value_date": "31/12/2024", "channel": "caja", "reference": "x"})
    assert late.status_code == 422 and "La oferta venció" in late.content.decode()
    assert client_for(collector).post(reverse("agreements:settle", args=[agreement.pk]),
                                      {"value_date": "20/06/2024", "channel": "caja",
                                       "reference": "x"}).status_code == 403


def test_waiver_request_with_document_then_authorized(client_for, overdue_credit, portfolio_officer,
                                                      make_user):
    client = client_for(portfolio_officer)
    page = client.get(reverse("agreements:simulate", args=[overdue_credit.folio])).content.decode()
    assert reverse("agreements:special", args=[overdue_credit.folio, "condonacion"]) in page
    url = reverse("agreements:special", args=[overdue_credit.folio, "condonacion"])
    assert "Subdirección de Cartera" in client.get(url).content.decode()
    missing = client.post(url, {"reason": "Fallecimiento", "file": _acta()})
    assert missing.status_code == 422 and "Describa el documento" in missing.content.decode()
    response = client.post(url, {"reason": "Fallecimiento del acreditado", "file": _acta(),
                                 "description": "Acta de defunción"})
    agreement = Agreement.objects.get(kind="condonacion")
    assert response.status_code == 302 and agreement.status == Agreement.Status.PENDING
    assert agreement.required_level == 3 and agreement.documents.count() == 1
    detail = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Acta de defunción" in detail
    doc = agreement.documents.get()
    download = client.get(reverse("agreements:document_download", args=[agreement.pk, doc.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 acta"
    # another Subdirección user authorizes it (nobody authorizes their own request)
    other = make_user(Role.PORTFOLIO_OFFICE, username="subdirectora2")
    services.agreement_decide(actor=other, agreement=agreement, approve=True, comment="Procede",
                              as_of=AS_OF)
    assert engine_io.credit_state(overdue_credit, as_of=AS_OF).payoff_amount == 0


def test_write_off_request_then_document_upload_then_committee(client_for, overdue_credit, portfolio_officer,
                                                                make_user):
    client = client_for(portfolio_officer)
    url = reverse("agreements:special", args=[overdue_credit.folio, "castigo"])
    assert client.post(url, {"reason": "Irrecuperable: sin bienes"}).status_code == 302
    agreement = Agreement.objects.get(kind="castigo")
    detail_url = reverse("agreements:detail", args=[agreement.pk])
    page = client.get(detail_url).content.decode()
    assert "Sin documentos" in page and 'id="agregar-soporte"' in page
    client.post(reverse("agreements:document_add", args=[agreement.pk]),
                {"file": _acta(), "description": "Dictamen jurídico"})
    assert agreement.documents.count() == 1
    director = make_user(None, username="director", is_superuser=True)
    response = client_for(director).post(reverse("agreements:decide", args=[agreement.pk]),
                                         {"decision": "aprobar", "comment": "Comité 3/2024"})
    assert response.status_code == 302
    overdue_credit.refresh_from_db()
    assert overdue_credit.administrative_status == "castigado"
    # The credit page says so where the bucket badge stood (nothing is owed on the books, so
    # the bucket alone would read «Al corriente»).
    credit_page = client.get(reverse("credits:detail", args=[overdue_credit.folio])).content.decode()
    assert 'id="estado-castigado"' in credit_page
    assert ">Al corriente<" not in credit_page


def test_special_request_needs_propose_permission(client_for, overdue_credit, auditor):
    url = reverse("agreements:special", args=[overdue_credit.folio, "castigo"])
    assert client_for(auditor).get(url).status_code == 403


def test_daily_close_evaluates_payment_plans(overdue_credit, supervisor):
    from recupera.cob import steps as cob_steps
    from recupera.cob.services import close_run

    names = [s.name for s in cob_steps.STEPS]
    assert names.index("convenios") == names.index("promesas") + 1
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="convenio",
                                           as_of=AS_OF, late_interest_pct=100, down_payment=D("2000.00"),
                                           installments=10, first_due_date=dt.date(2024, 7, 20))
    payment_post(actor=supervisor, credit=overdue_credit, amount="2000.00", value_date=AS_OF,
                 channel="caja", natural_key="caja:enganche", as_of=AS_OF)
    run = close_run(actor=None, business_date=dt.date(2024, 9, 1), allow_date_jump=True)
    step = run.steps.get(name="convenios")
    assert step.status == "terminado" and step.result == {"incumplido": 1}
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.BROKEN
