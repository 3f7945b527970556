"""The portfolio import and dates: no disbursement after repayment started (issue 20 #11), no
payment dated after the business date (#4)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.credits.import_helpers import append_to, copy_portfolio, run_import, stored_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def cartera(tmp_path):
    return copy_portfolio(tmp_path)


def test_disbursement_after_the_explicit_first_due_date_is_refused(cartera):
    # CE-0002 has fecha_primer_pago 2022-04-10.
    append_to(cartera, "ministraciones", "CE-0002,2,2022-05-15,5000.00,P-0002-2")
    before = stored_counts()
    code, out = run_import(cartera)
    assert code == 1
    assert ("ministraciones.csv, fila 6, columna fecha: la ministración del 2022-05-15 es posterior a "
            "la fecha del primer pago del crédito CE-0002 (2022-04-10)") in out, out
    assert stored_counts() == before


def test_disbursement_after_end_of_studies_plus_grace_is_refused_and_on_the_day_is_accepted(cartera):
    from recupera.credits.models import Credit

    # CE-0001: end of studies 2020-06-30 + the product's 6 months of grace = 2020-12-30.
    append_to(cartera, "ministraciones", "CE-0001,3,2020-12-31,1000.00,")
    code, out = run_import(cartera)
    assert code == 1
    assert ("ministraciones.csv, fila 6, columna fecha: la ministración del 2020-12-31 es posterior a "
            "la fecha del primer pago del crédito CE-0001 (2020-12-30)") in out, out

    text = (cartera / "ministraciones.csv").read_text(encoding="utf-8").replace("2020-12-31", "2020-12-30")
    (cartera / "ministraciones.csv").write_text(text, encoding="utf-8")
    code, out = run_import(cartera)
    assert code == 0, out
    assert Credit.objects.get(folio="CE-0001").disbursements.count() == 3


def test_disbursement_after_first_due_date_of_a_stored_credit_is_refused(cartera):
    from recupera.credits.models import Disbursement

    assert run_import(cartera)[0] == 0
    # CE-0003 is stored: end of studies 2023-06-30 + 6 months = 2023-12-30.
    append_to(cartera, "ministraciones", "CE-0003,2,2024-01-10,3000.00,")
    code, out = run_import(cartera, "--partial")
    assert code == 1
    assert ("ministraciones.csv, fila 6, columna fecha: la ministración del 2024-01-10 es posterior a "
            "la fecha del primer pago del crédito CE-0003 (2023-12-30)") in out, out
    assert Disbursement.objects.filter(credit__folio="CE-0003").count() == 1


def test_payment_after_the_business_date_is_refused_even_with_a_later_cut_date(cartera):
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=dt.date(2021, 1, 31))
    before = stored_counts()
    code, out = run_import(cartera)  # --as-of 2024-12-31, after the business date
    assert code == 1
    assert ("fecha de corte: la fecha de corte 2024-12-31 es posterior a la fecha de operación "
            "2021-01-31") in out, out
    assert stored_counts() == before


def test_payment_after_the_business_date_is_a_row_problem(cartera):
    from recupera.core.services import business_date_set
    from recupera.credits.importing.portfolio import PortfolioSource, validate_portfolio

    business_date_set(actor=None, business_date=dt.date(2024, 12, 31))
    plan = validate_portfolio(PortfolioSource.from_path(cartera), as_of=dt.date(2024, 12, 31),
                              business_date=dt.date(2021, 1, 31))
    assert [str(p) for p in plan.problems] == [
        "fecha de corte: la fecha de corte 2024-12-31 es posterior a la fecha de operación 2021-01-31; "
        "un crédito no se puede importar con su estado a una fecha que aún no llega."]
    append_to(cartera, "pagos", "CE-0001,2025-01-02,100.00,banco,OP-2000")
    code, out = run_import(cartera)
    assert code == 1
    assert ("pagos.csv, fila 6, columna fecha: la fecha 2025-01-02 es posterior a 2024-12-31 (un pago no "
            "puede ser posterior a la fecha de corte ni a la fecha de operación).") in out, out
