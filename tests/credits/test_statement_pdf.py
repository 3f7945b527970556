"""The estado de cuenta PDF agrees to the cent with the credit page and the JSON."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from recupera.core.money import format_mxn
from recupera.core.words import amount_in_figures_and_words

BUSINESS_DATE = dt.date(2025, 11, 27)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils) no está instalado")


@pytest.fixture
def business_date(db):
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=BUSINESS_DATE)
    return BUSINESS_DATE


@pytest.fixture
def credit_with_payments(make_credit, business_date):
    """As in test_views: 12 installments from 15/01/2025, three payments, one reversed."""
    from recupera.credits.services import payment_post, payment_reverse

    credit = make_credit(folio="CE-000101", amounts=("12000.00",),
                         first_due_date=dt.date(2025, 1, 15), term_months=12, as_of=BUSINESS_DATE)
    entries = []
    for key, on, amount, channel in (("op-1", dt.date(2025, 1, 15), "1035.00", "banco"),
                                     ("op-2", dt.date(2025, 3, 2), "1100.00", "caja"),
                                     ("op-3", dt.date(2025, 4, 10), "700.00", "banco")):
        entry, _ = payment_post(actor=None, credit=credit, amount=Decimal(amount), value_date=on,
                                channel=channel, natural_key=key, as_of=BUSINESS_DATE)
        entries.append(entry)
    payment_reverse(actor=None, entry=entries[-1], reason="Cheque devuelto",
                    value_date=dt.date(2025, 4, 20), as_of=BUSINESS_DATE)
    return credit


def engine_state(credit, as_of=BUSINESS_DATE):
    from recupera.credits.engine_io import credit_state
    from recupera.credits.selectors import credit_detail

    fresh = credit_detail(folio=credit.folio)
    return fresh, credit_state(fresh, as_of=as_of)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "estado.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_page_json_and_pdf_agree_to_the_cent(client_for, supervisor, credit_with_payments,
                                            tmp_path):
    from recupera.credits.engine_io import state_json

    fresh, state = engine_state(credit_with_payments)
    data = state_json(fresh, state)
    payoff, overdue = Decimal(data["payoff_amount"]), Decimal(data["total_overdue"])
    assert payoff > overdue > 0

    client = client_for(supervisor)
    page = text_of(client.get(reverse("credits:detail", args=["CE-000101"])))
    response = client.get(reverse("credits:statement_pdf", args=["CE-000101"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="estado-de-cuenta-CE-000101-20251127.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = one_line(pdf_text(response.content, tmp_path))

    for amount in (payoff, overdue):
        assert format_mxn(amount) in page
        assert amount_in_figures_and_words(amount) in text, amount_in_figures_and_words(amount)
    assert f"Monto para liquidar al 27/11/2025: {amount_in_figures_and_words(payoff)}" in text
    assert f"Total vencido al 27/11/2025: {amount_in_figures_and_words(overdue)}" in text
    for key in ("principal_disbursed", "principal_outstanding", "overdue_principal",
                "overdue_interest", "late_interest"):
        assert format_mxn(Decimal(data[key])) in text, key

    assert "Instituto de Becas y Crédito Educativo del Estado de Sonora" in text
    assert "Estado de cuenta" in text and "CE-000101" in text
    assert credit_with_payments.borrower.curp in text and "Ana López Mendoza" in text
    assert re.search(r"Página 1 de \d", text)
    assert "Generado el" in text and "Fecha de operación: 27/11/2025" in text
    # The schedule with its paid components and the movements with their allocations.
    for inst in state.installments[:3]:
        assert format_mxn(inst.paid_principal) in text
    assert "interés moratorio" in text and "reversado" in text and "Cheque devuelto" in text


def test_pdf_at_another_date_and_bad_date(client_for, supervisor, credit_with_payments, tmp_path):
    _fresh, state = engine_state(credit_with_payments, as_of=dt.date(2025, 2, 1))
    client = client_for(supervisor)
    url = reverse("credits:statement_pdf", args=["CE-000101"])
    response = client.get(url, {"as_of": "01/02/2025"})
    assert 'filename="estado-de-cuenta-CE-000101-20250201.pdf"' in response["Content-Disposition"]
    text = one_line(pdf_text(response.content, tmp_path))
    assert f"Monto para liquidar al 01/02/2025: {amount_in_figures_and_words(state.payoff_amount)}" in text
    # A date that is not a date: the statement at the business date (named in the file).
    response = client.get(url, {"as_of": "mañana"})
    assert response.status_code == 200
    assert 'filename="estado-de-cuenta-CE-000101-20251127.pdf"' in response["Content-Disposition"]


def test_pdf_renders_without_network_and_with_dejavu(client_for, supervisor, credit_with_payments,
                                                    tmp_path):
    response = client_for(supervisor).get(reverse("credits:statement_pdf", args=["CE-000101"]))
    path = tmp_path / "e.pdf"
    path.write_bytes(response.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    assert "DejaVu" in fonts
    assert all("DejaVu" in line for line in fonts.splitlines()[2:] if line.strip())
