"""Issue #21 item 5: the agreement documents (CURP, address) are in the personal-data view log."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from recupera.agreements import services
from recupera.people.models import PersonViewLog

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_plan_document_is_logged(client_for, overdue_credit, supervisor):
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="convenio",
                                           as_of=AS_OF, late_interest_pct=100, down_payment=D("2291.63"),
                                           installments=10)
    response = client_for(supervisor).get(reverse("agreements:document", args=[agreement.pk]))
    assert response.status_code == 200
    log = PersonViewLog.objects.get()
    assert (log.user, log.person_id, log.what, log.fields) == (
        supervisor, overdue_credit.borrower_id, "convenio.pdf", "CURP, domicilio")
    assert log.what_label == "Convenio o carta de finiquito (PDF)"
