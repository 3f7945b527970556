"""The three documents render, with amounts in figures and words and the pagaré's elements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string

from recupera.agreements import documents, services

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def _html(agreement) -> str:
    context = documents.document_context(agreement)
    return render_to_string(context.pop("template"), context)


def test_restructure_document_carries_a_pagare_meeting_lgtoc_170(overdue_credit, portfolio_officer):
    agreement = services.agreement_propose(actor=portfolio_officer, credit=overdue_credit, kind="reestructura",
                                           as_of=AS_OF, new_term_months=24, first_due_date=dt.date(2024, 7, 15))
    html = _html(agreement)
    for text in ("PAGARÉ", "incondicionalmente a la orden del", "Instituto de Becas y Crédito Educativo",
                 "Hermosillo, Sonora", "20 de junio de 2024", "Suscriptor", "Aval",
                 "$12,000.00 (DOCE MIL PESOS 00/100 M.N.)",
                 "interés moratorio sobre el capital vencido a la tasa anual de 9 %"):
        assert text in html, text
    # the new schedule is in the convenio: 24 rows, the first one 15/07/2024
    table = html.split('id="tabla"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 25 and "15/07/2024" in table


def test_plan_and_settlement_letter_amounts_in_figures_and_words(overdue_credit, supervisor):
    plan = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="convenio", as_of=AS_OF,
                                      late_interest_pct=100, down_payment=D("2291.63"), installments=10)
    html = _html(plan)
    assert "$12,291.63 (DOCE MIL DOSCIENTOS NOVENTA Y UN PESOS 63/100 M.N.)" in html
    assert "$1,000.00 (MIL PESOS 00/100 M.N.)" in html
    assert "CONVENIO DE PAGO" in html


def test_settlement_letter_after_payment(overdue_credit, supervisor):
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=100)
    assert not documents.document_available(agreement)
    services.settlement_pay(actor=supervisor, agreement=agreement, value_date=AS_OF, channel="caja",
                            natural_key="caja:9", as_of=AS_OF)
    agreement.refresh_from_db()
    assert documents.document_available(agreement)
    html = _html(agreement)
    assert "CARTA DE FINIQUITO" in html and "totalmente liquidado" in html
    assert "$12,291.63 (DOCE MIL DOSCIENTOS NOVENTA Y UN PESOS 63/100 M.N.)" in html
    assert "con un adeudo de $12,410.41 (DOCE MIL CUATROCIENTOS DIEZ PESOS 41/100 M.N.) al 20/06/2024" in html
    assert "suscrito el 15/01/2023, por $12,000.00 (DOCE MIL PESOS 00/100 M.N.)" in html
    assert documents.agreement_pdf(agreement)[:4] == b"%PDF"
