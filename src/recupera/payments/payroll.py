"""Payroll deduction (descuento vía nómina) of debtors who are state employees.

A PayrollEnrollment says who is a state employee (employee number, paying agency). Before each
pay period Recupera exports, per paying agency, what to deduct from each enrolled debtor; after
payday the agency's file of applied deductions is imported with the `nomina` layout through the
ordinary exactly-once payments pipeline (services.payment_file_import).

Periods: `AAAA-MM` (monthly payroll), `AAAA-MM-Q1` (days 1–15) or `AAAA-MM-Q2` (16 to the end
of the month).

Amount to deduct, all figures from the engine (credits.engine_io.credit_state) at the period's
as-of date (its first day, or the business date when the period has already begun):
everything overdue (`total_overdue`) plus what is owed on the installments whose effective due
date falls inside the period (`amount_due`, the punctual amount), capped at the enrollment's
amount when it has one. No money arithmetic here beyond sums and min() of engine figures.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from recupera.core.money import money_json
from recupera.core.spreadsheets import safe_csv_writer

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(Q1|Q2))?$", re.IGNORECASE)
EXPORT_HEADER = ["employee_number", "curp", "name", "folio", "agency", "amount_to_deduct", "period"]
ZERO = Decimal("0")


@dataclass(frozen=True)
class PayPeriod:
    code: str  # "2025-04", "2025-04-Q1"
    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return self.code


def parse_period(text: str) -> PayPeriod:
    """`AAAA-MM`, `AAAA-MM-Q1` or `AAAA-MM-Q2` -> the period; ValueError (Spanish) otherwise."""
    text = (text or "").strip()
    found = PERIOD_RE.match(text)
    message = _("«%(text)s» no es un periodo válido; se espera AAAA-MM, AAAA-MM-Q1 o AAAA-MM-Q2.") % {
        "text": text}
    if not found:
        raise ValueError(message)
    year, month, half = int(found.group(1)), int(found.group(2)), (found.group(3) or "").upper()
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(message)
    last = calendar.monthrange(year, month)[1]
    start, end = dt.date(year, month, 1), dt.date(year, month, last)
    if half == "Q1":
        end = dt.date(year, month, 15)
    elif half == "Q2":
        start = dt.date(year, month, 16)
    code = f"{year:04d}-{month:02d}" + (f"-{half}" if half else "")
    return PayPeriod(code=code, start=start, end=end)


@dataclass(frozen=True)
class PayrollLine:
    employee_number: str
    curp: str
    name: str
    folio: str
    agency: str
    amount_to_deduct: Decimal
    period: str
    person_id: int = 0  # not in the file: for the personal-data view log

    def as_row(self) -> list[str]:
        return [self.employee_number, self.curp, self.name, self.folio, self.agency,
                money_json(self.amount_to_deduct), self.period]


def period_as_of(period: PayPeriod, business_date: dt.date | None) -> dt.date:
    """The date the debt is measured at: the period's first day, or the business date when the
    period has already begun (never past its last day)."""
    if business_date is None or business_date <= period.start:
        return period.start
    return min(business_date, period.end)


def amount_to_deduct(state, period: PayPeriod, cap: Decimal | None) -> Decimal:  # type: ignore[no-untyped-def]
    """Engine figures only: total overdue + amount due of the installments falling due in the
    period, capped by the enrollment's amount."""
    current = [i.amount_due for i in state.installments
               if state.as_of <= i.effective_due_date <= period.end and i.amount_due > 0]
    owed = sum(current, state.total_overdue)
    return owed if cap is None else min(owed, cap)


def payroll_lines(*, period: PayPeriod, business_date: dt.date | None = None,
                  agency: str = "") -> Iterator[PayrollLine]:
    """One line per active enrollment (since on or before the period's end) with something to
    deduct, ordered by agency and employee number."""
    from recupera.credits.engine_io import business_calendar, credit_state
    from recupera.payments.models import PayrollEnrollment

    as_of = period_as_of(period, business_date)
    calendar_ = business_calendar()
    qs = (PayrollEnrollment.objects.filter(active=True, since__lte=period.end)
          .select_related("credit", "credit__product", "credit__borrower")
          .prefetch_related("credit__disbursements", "credit__ledger_entries")
          .order_by("agency", "employee_number", "credit__folio"))
    if agency:
        qs = qs.filter(agency__iexact=agency.strip())
    for enrollment in qs:
        credit = enrollment.credit
        state = credit_state(credit, as_of=as_of, calendar=calendar_)
        amount = amount_to_deduct(state, period, enrollment.amount)
        if amount <= ZERO:
            continue
        yield PayrollLine(employee_number=enrollment.employee_number, curp=credit.borrower.curp,
                          name=credit.borrower.full_name, folio=credit.folio,
                          agency=enrollment.agency, amount_to_deduct=amount, period=period.code,
                          person_id=credit.borrower_id)


def payroll_csv(lines: list[PayrollLine] | Iterator[PayrollLine]) -> str:
    """The export file: UTF-8 CSV with a header (the caller encodes it)."""
    out = io.StringIO()
    writer = safe_csv_writer(out, lineterminator="\n")  # names typed outside: no formula runs
    writer.writerow(EXPORT_HEADER)
    for line in lines:
        writer.writerow(line.as_row())
    return out.getvalue()
