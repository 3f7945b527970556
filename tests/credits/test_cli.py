"""`recupera credit show FOLIO [--as-of] [--json]` with a worked example in exact cents."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from recupera.credits.services import payment_post

FIRST_DUE = dt.date(2025, 1, 15)


def show(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("credit", "show", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def worked_example(make_credit):
    """12,000.00 at 6 % a year over 60 months, first due 15/01/2025, installment 1 paid on time.

    A = round(12000 · 0.005 / (1 − 1.005^−60)) = 231.99
    1: interest 12000 · 0.005 = 60.00, principal 171.99, rebate 60.00 · (1 − 3 %/6 %) = 30.00,
       paid on 15/01/2025 with 171.99 + 60.00 − 30.00 = 201.99
    2: interest round(11828.01 · 0.005) = 59.14, principal 231.99 − 59.14 = 172.85, due
       15/02/2025 (Saturday) → effective 17/02/2025, unpaid.
    """
    credit = make_credit(folio="CE-2025-0001", first_due_date=FIRST_DUE)
    payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                 channel="caja", natural_key="caja:2025-0001")
    return credit


def test_json_output_of_the_worked_example_in_exact_cents(worked_example):
    code, out, _err = show("CE-2025-0001", "--as-of", "2025-03-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["folio"] == "CE-2025-0001"
    assert data["as_of"] == "2025-03-01"
    assert data["status"] == "vencido"
    assert data["installment_amount"] == "231.99"
    assert data["principal_disbursed"] == "12000.00"
    assert data["principal_outstanding"] == "11828.01"
    # 01/03/2025 − 17/02/2025 = 12 days
    assert data["days_past_due"] == 12
    assert data["bucket"] == "1-30"
    assert data["overdue_principal"] == "172.85"
    assert data["overdue_interest"] == "59.14"
    # 172.85 · 9 % / 360 · 12 days = 0.51855 → 0.52
    assert data["late_interest"] == "0.52"
    assert data["fees_due"] == "0.00"
    assert data["total_overdue"] == "232.51"
    # overdue 232.51 + principal not yet overdue 11655.16
    # + 11655.16 · 6 % / 360 · 14 days since 15/02/2025 (27.1954 → 27.20) = 11914.87
    assert data["payoff_amount"] == "11914.87"
    assert data["next_due_date"] == "2025-03-15"
    first, second, last = data["installments"][0], data["installments"][1], data["installments"][-1]
    assert (first["principal"], first["interest"], first["rebate"], first["paid_principal"],
            first["paid_interest"], first["status"]) == ("171.99", "60.00", "30.00", "171.99",
                                                        "30.00", "paid")
    assert (second["due_date"], second["effective_due_date"], second["principal"],
            second["interest"], second["status"]) == ("2025-02-15", "2025-02-17", "172.85",
                                                      "59.14", "overdue")
    # the last installment takes the remaining principal exactly
    assert (last["number"], last["due_date"], last["principal"], last["interest"]) == (
        60, "2029-12-15", "231.09", "1.16")
    assert [(p["date"], p["kind"], p["amount"]) for p in data["payments"]] == [
        ("2025-01-15", "payment", "201.99"), ("2025-01-15", "rebate", "30.00")]


def test_default_as_of_is_the_business_date(worked_example):
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=dt.date(2025, 2, 20))
    _code, out, _err = show("CE-2025-0001", "--json")
    data = json.loads(out)
    assert data["as_of"] == "2025-02-20"
    assert data["days_past_due"] == 3
    assert data["late_interest"] == "0.13"  # 172.85 · 9 % / 360 · 3 = 0.1296


def test_readable_summary_is_in_spanish(worked_example):
    code, out, _err = show("CE-2025-0001", "--as-of", "2025-03-01")
    assert code == 0
    assert "Crédito CE-2025-0001" in out
    assert "Calculado al 01/03/2025 · Estado: Vencido" in out
    assert "Días de atraso: 12 (1 a 30 días)" in out
    assert "$11,914.87" in out
    assert "pagada" in out and "vencida" in out


def test_unknown_folio_is_an_error_with_exit_code_1(db):
    code, out, err = show("NO-EXISTE")
    assert code == 1
    assert out == ""
    assert "no existe el crédito con folio «NO-EXISTE»" in err


def test_a_bad_as_of_is_refused(worked_example):
    with pytest.raises(Exception) as exc:
        show("CE-2025-0001", "--as-of", "01/03/2025")
    assert "AAAA-MM-DD" in str(exc.value)
