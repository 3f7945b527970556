"""Schedules: first due date, due dates, level installment (docs/domain.md §3.2–§3.6).

A schedule is built from the credit's terms and disbursements. `amortize` is the one
amortization routine; `build_schedule` uses it for the original version and the replay uses it
to re-amortize (prepayment §3.10, restructure §3.15).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, localcontext
from functools import lru_cache

from .calendar import WEEKENDS_ONLY, BusinessCalendar
from .dates import add_months
from .money import CENT, ENGINE_CONTEXT, ZERO, cents, round_cents
from .rows import Row
from .types import Disbursement, Schedule, ScheduledInstallment, Terms

_TWELVE = Decimal(12)
_DAYS_IN_YEAR = Decimal(360)
_MAX_INSTALLMENTS = 1200  # safety net for keep-installment re-amortization
_new = object.__new__


def first_due_date(terms: Terms) -> date:
    """§3.3: the explicit first due date, else end of studies + grace months (clipped)."""
    if terms.first_due_date is not None:
        return terms.first_due_date
    if terms.end_of_studies is None:
        raise ValueError("terms need first_due_date or end_of_studies")
    return add_months(terms.end_of_studies, terms.grace_months)


def tier_rate(terms: Terms) -> Decimal:
    """§3.7: the excellence rate when the academic average meets the threshold, else punctual."""
    if (
        terms.excellence_rate is not None
        and terms.excellence_threshold is not None
        and terms.academic_average is not None
        and terms.academic_average >= terms.excellence_threshold
    ):
        return terms.excellence_rate
    return terms.punctual_rate


def rebate_factor(base_rate: Decimal, tier: Decimal) -> Decimal:
    """1 − r_tier / r0; zero for a zero base rate or a tier at or above the base rate."""
    if base_rate <= ZERO or tier >= base_rate:
        return ZERO
    with localcontext(ENGINE_CONTEXT):
        return 1 - tier / base_rate


def punctual_rebate(interest: Decimal, factor: Decimal) -> Decimal:
    """§3.7: rebate_k = round(interest_k · (1 − r_tier / r0))."""
    if not factor:
        return ZERO
    return cents(interest * factor)


def level_installment(principal: Decimal, annual_rate: Decimal, n: int) -> Decimal:
    """§3.5: A = round(P·i / (1 − (1 + i)^−n)) for i > 0, else round(P / n)."""
    if n <= 0:
        raise ValueError("term must be at least one month")
    with localcontext(ENGINE_CONTEXT):
        if annual_rate <= ZERO:
            return cents(principal / n)
        i = annual_rate / _TWELVE
        q = (1 + i) ** n
        return cents(principal * i * q / (q - 1))


def capitalized_interest(
    disbursements: Iterable[Disbursement], annual_rate: Decimal, until: date
) -> Decimal:
    """§3.2: exact simple interest, rate/360 per calendar day, from each disbursement to `until`."""
    with localcontext(ENGINE_CONTEXT):
        total = ZERO
        for d in disbursements:
            days = (until - d.date).days
            if days > 0:
                total += d.amount * annual_rate * days / _DAYS_IN_YEAR
        return total


def due_dates(first_due: date, n: int, anchor_day: int | None = None) -> list[date]:
    """§3.4: installment k is due on first due + (k − 1) months, anchored on one day."""
    anchor = first_due.day if anchor_day is None else anchor_day
    return [first_due] + [add_months(first_due, k, anchor) for k in range(1, n)]


@lru_cache(maxsize=4096)
def due_calendar(
    first_due: date, anchor: int, n: int, calendar: BusinessCalendar
) -> tuple[tuple[date, date], ...]:
    """(due date, effective due date) of installments 1..n (§3.4, §3.6).

    Cached: it depends on nothing but its arguments (the calendar is frozen), and credits
    disbursed in the same school period share their first due dates, so a portfolio has few
    distinct ones; the month arithmetic and business-day search were a third of the cost of
    building a schedule. The amounts of a schedule are never cached.
    """
    next_bd = calendar.next_business_day_on_or_after
    dates = []
    for k in range(n):
        due = first_due if k == 0 else add_months(first_due, k, anchor)
        dates.append((due, next_bd(due)))
    return tuple(dates)


def amortize(
    principal: Decimal,
    annual_rate: Decimal,
    first_due: date,
    calendar: BusinessCalendar = WEEKENDS_ONLY,
    *,
    n: int | None = None,
    installment_amount: Decimal | None = None,
    anchor_day: int | None = None,
    first_number: int = 1,
) -> tuple[Decimal, tuple[ScheduledInstallment, ...]]:
    """Level-installment rows for `principal`.

    Give `n` (term: A from §3.5) or `installment_amount` (keep the installment: as many rows as
    needed, the last one taking the remaining balance). Returns (A, rows).
    """
    a, installments, _ = amortize_with_rows(
        principal,
        annual_rate,
        first_due,
        calendar,
        n=n,
        installment_amount=installment_amount,
        anchor_day=anchor_day,
        first_number=first_number,
    )
    return a, installments


def amortize_with_rows(
    principal: Decimal,
    annual_rate: Decimal,
    first_due: date,
    calendar: BusinessCalendar,
    *,
    n: int | None = None,
    installment_amount: Decimal | None = None,
    anchor_day: int | None = None,
    first_number: int = 1,
    version: int | None = None,
    factor: Decimal = ZERO,
) -> tuple[Decimal, tuple[ScheduledInstallment, ...], list[Row]]:
    """`amortize`, and with a `version` also the replay's working `Row`s of that schedule
    version (punctual rebate `factor`, see `rebate_factor`), made in the same pass: the replay
    builds a schedule per credit, and reading every installment back to make its row cost as
    much again."""
    if principal <= ZERO:
        return ZERO, (), []
    with localcontext(ENGINE_CONTEXT):
        i = annual_rate / _TWELVE
        fixed_term = installment_amount is None
        n_rows = 0
        if installment_amount is None:
            if n is None:
                raise ValueError("give n or installment_amount")
            n_rows = n
            a = level_installment(principal, annual_rate, n)
        else:
            a = installment_amount
            first_interest = cents(principal * i)
            if a - first_interest < CENT:
                raise ValueError("installment does not cover the interest of the balance")
        anchor = first_due.day if anchor_day is None else anchor_day
        next_bd = calendar.next_business_day_on_or_after
        # Keep-installment re-amortization does not know its length: it computes its dates.
        dates = due_calendar(first_due, anchor, n_rows, calendar) if fixed_term else ()
        installments: list[ScheduledInstallment] = []
        rows: list[Row] = []
        balance = principal
        k = 0
        while True:
            interest = round_cents(balance * i, CENT) if i else ZERO
            if fixed_term:
                due, eff = dates[k]
            else:
                due = first_due if k == 0 else add_months(first_due, k, anchor)
                eff = next_bd(due)
            if fixed_term:
                last = k == n_rows - 1
            else:
                last = a - interest >= balance or k + 1 >= _MAX_INSTALLMENTS
            if last:
                part = balance
            else:
                part = a - interest
                if part > balance:
                    part = balance
                elif part < ZERO:
                    part = ZERO
            number = first_number + k
            inst = _new(ScheduledInstallment)
            values = inst.__dict__  # filled in field order: see frozen.py
            values["number"] = number
            values["due_date"] = due
            values["effective_due_date"] = eff
            values["principal"] = part
            values["interest"] = interest
            installments.append(inst)
            if version is not None:
                rebate_k = round_cents(interest * factor, CENT) if factor else ZERO
                rows.append(Row(number, version, due, eff, part, interest, rebate_k))
            balance -= part
            k += 1
            if last:
                break
        return a, tuple(installments), rows


def build_schedule(
    terms: Terms,
    disbursements: Iterable[Disbursement],
    calendar: BusinessCalendar = WEEKENDS_ONLY,
    *,
    version: int = 1,
) -> Schedule:
    """The original schedule (§3.2–§3.6).

    Principal = sum of disbursements (+ interest before repayment when the product says
    `capitalize`, simple interest to the first due date minus one month, rounded to cents).
    """
    return build_schedule_with_rows(terms, disbursements, calendar, version=version)[0]


def build_schedule_with_rows(
    terms: Terms,
    disbursements: Iterable[Disbursement],
    calendar: BusinessCalendar = WEEKENDS_ONLY,
    *,
    version: int = 1,
    factor: Decimal | None = None,
) -> tuple[Schedule, list[Row]]:
    """`build_schedule`, and given the rebate `factor` the schedule's working rows too
    (`amortize_with_rows`)."""
    disbursements = tuple(disbursements)
    first_due = first_due_date(terms)
    with localcontext(ENGINE_CONTEXT):
        principal = sum((d.amount for d in disbursements), ZERO)
        capitalized = ZERO
        if terms.interest_before_repayment == "capitalize" and principal > ZERO:
            capitalized = cents(
                capitalized_interest(disbursements, terms.base_rate, add_months(first_due, -1))
            )
            principal += capitalized
        a, installments, rows = amortize_with_rows(
            principal,
            terms.base_rate,
            first_due,
            calendar,
            n=terms.term_months,
            version=None if factor is None else version,
            factor=ZERO if factor is None else factor,
        )
    starts_on = min((d.date for d in disbursements), default=add_months(first_due, -1))
    schedule = Schedule(
        version=version,
        starts_on=starts_on,
        principal=principal,
        rate=terms.base_rate,
        installment_amount=a,
        installments=installments,
        reason="original",
        capitalized_interest=capitalized,
        anchor_day=first_due.day,
    )
    return schedule, rows
