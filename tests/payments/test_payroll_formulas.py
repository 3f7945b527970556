"""Issue #21 item 4: the payroll export never hands a spreadsheet a formula."""

from __future__ import annotations

import csv
import io

import pytest

from tests.payments.conftest import TODAY
from tests.payments.test_payroll import APRIL, _enroll

pytestmark = pytest.mark.django_db


def test_payroll_export_neutralises_formula_cells(make_credit):
    from recupera.core.services import business_date_set
    from recupera.payments.payroll import parse_period, payroll_csv, payroll_lines

    business_date_set(actor=None, business_date=TODAY)
    from recupera.people.models import Person

    credit = make_credit(folio="CE-NOM-777")
    Person.objects.filter(pk=credit.borrower_id).update(
        first_name="+cmd|' /C calc'!A0", last_name="@SUM(1+1)", second_last_name="")
    credit.borrower.refresh_from_db()
    _enroll(credit, "=HYPERLINK(\"http://ev.il\")", agency="-2+3")
    text = payroll_csv(payroll_lines(period=parse_period(APRIL), business_date=TODAY))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "'+cmd|' /C calc'!A0 @SUM(1+1)"
    assert row["employee_number"] == "'=HYPERLINK(\"http://ev.il\")"
    assert row["agency"] == "'-2+3"
    assert row["folio"] == "CE-NOM-777" and row["curp"] == credit.borrower.curp
    # Amounts stay plain numbers.
    assert row["amount_to_deduct"].replace(".", "").isdigit()
