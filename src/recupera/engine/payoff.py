"""Payoff amount (monto para liquidar) and the payoff operation (docs/domain.md §3.11).

Interpretation implemented here. At date D an installment is *overdue* when D is after its
effective due date. The payoff amount at D is, over the installments still open:

* overdue installments: unpaid principal + full unpaid interest + late interest to D + fees;
* installments with due_date ≤ D ≤ effective_due_date (due but still payable on time):
  unpaid principal + unpaid reduced interest (interest − rebate) + fees;
* installments with due_date > D: unpaid principal (+ fees charged to them), plus once for all
  of them the current period's ordinary interest = (that not-yet-due principal) × applicable
  rate / 360 × days since the latest due date on or before D. Before the first due date of the
  schedule in force the period starts one month before that first due date (no interest when D
  is earlier still). The applicable rate is the tier rate (punctual or excellence, never above
  the schedule's rate) when nothing is overdue, else the schedule's base rate;
* minus the credit balance (saldo a favor); never below zero.

Every component is rounded to cents the way it is posted (late interest per installment, the
period interest once), so the payoff amount is exactly the sum a payoff operation allocates.

With `interest_before_repayment = "capitalize"`, a payoff before repayment starts (D before
the first due date minus one month, original schedule) owes only the capitalized interest
accrued up to D; the part not yet accrued is cancelled by a derived posting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .allocation import allocate_to_row, close_row
from .dates import add_months
from .money import ZERO, cents
from .rows import Ledger, Row
from .schedule import capitalized_interest
from .types import Allocation

_DAYS_IN_YEAR = Decimal(360)


@dataclass
class PayoffQuote:
    gross: Decimal  # everything owed at D, before the credit balance
    current: list[Row]  # open installments due by D (overdue or payable on time)
    future: list[Row]  # open installments due after D
    period_interest: Decimal
    unaccrued_capitalized: Decimal

    def net(self, credit_balance: Decimal) -> Decimal:
        amount = self.gross - credit_balance
        return amount if amount > ZERO else ZERO


def period_start(ledger: Ledger, d: date) -> date | None:
    """Latest due date on or before `d` of the schedule in force (or one month before its
    first due date); None when `d` is earlier than all of them."""
    schedule = ledger.schedule
    candidates: list[date] = []
    if schedule.installments:
        first = schedule.installments[0].due_date
        candidates.append(add_months(first, -1, schedule.anchor_day))
    for row in ledger.active:
        if row.due > d:
            break
        candidates.append(row.due)
    eligible = [c for c in candidates if c <= d]
    return max(eligible) if eligible else None


def quote(ledger: Ledger, d: date) -> PayoffQuote:
    """The payoff at `d`; late interest must already be accrued to `d`."""
    current: list[Row] = []
    future: list[Row] = []
    gross = ZERO
    overdue = False
    not_yet_due = ZERO
    for row in ledger.active[ledger.first_open :]:
        if row.settled:
            continue
        if row.due > d:
            future.append(row)
            unpaid = row.p_left  # unpaid_principal() and fees_owed(), inline (hot loop)
            not_yet_due += unpaid
            gross += unpaid + row.f_left
        else:
            current.append(row)
            owed = row.owed(d)
            gross += owed
            if d > row.eff and owed > ZERO:
                overdue = True
    schedule = ledger.schedule
    period = ZERO
    if not_yet_due > ZERO:
        start = period_start(ledger, d)
        if start is not None and d > start:
            rate = schedule.rate if overdue else min(ledger.tier, schedule.rate)
            period = cents(not_yet_due * rate * (d - start).days / _DAYS_IN_YEAR)
    unaccrued = ZERO
    if schedule.version == 1 and schedule.capitalized_interest > ZERO:
        repayment_starts = add_months(ledger.first_due, -1)
        if d < repayment_starts:
            accrued = cents(capitalized_interest(ledger.disbursements, schedule.rate, d))
            unaccrued = min(schedule.capitalized_interest - accrued, not_yet_due)
            if unaccrued < ZERO:
                unaccrued = ZERO
    gross += period - unaccrued
    return PayoffQuote(gross, current, future, period, unaccrued)


def payoff_amount(ledger: Ledger, d: date) -> Decimal:
    return quote(ledger, d).net(ledger.credit_balance)


def settle(
    ledger: Ledger,
    d: date,
    q: PayoffQuote,
    allocations: list[Allocation],
    rebates: list[Allocation],
    cancellations: list[Allocation],
) -> None:
    """Pay everything in `q` (the caller checked the money suffices): installments due by `d`
    are closed (on-time ones earn their rebate); future installments have their principal paid,
    the period interest spread over their interest in due-date order and the rest of their
    interest cancelled (status "cancelled")."""
    order = ledger.order
    big = q.gross + Decimal(1)
    for row in q.current:
        allocate_to_row(row, d, big, order, allocations)
        close_row(row, d, rebates)
    cancel_unaccrued_capitalized(q, cancellations)
    for row, component, take in future_parts(q, order):
        row.pay(component, take)
        allocations.append(Allocation(row.number, component, take, row.version))
    for row in q.future:
        row.cancel_interest()
        row.settled = True
        row.paid_on = d
        row.closed_by_payoff = True
    ledger.advance_first_open()


def cancel_unaccrued_capitalized(q: PayoffQuote, cancellations: list[Allocation]) -> None:
    """Cancel the part of the capitalized interest not yet accrued at the quote's date from the
    principal of the installments not yet due, last installment first (§3.2 before repayment)."""
    unaccrued = q.unaccrued_capitalized
    for row in reversed(q.future):
        if unaccrued <= ZERO:
            break
        take = min(unaccrued, row.unpaid_principal())
        if take > ZERO:
            row.forgive("principal", take)
            unaccrued -= take
            cancellations.append(
                Allocation(row.number, "cancelled_capitalized_interest", take, row.version)
            )


def future_parts(q: PayoffQuote, order: tuple[str, ...]) -> list[tuple[Row, str, Decimal]]:
    """(row, component, amount) that a payoff owes on the installments not yet due, in the
    product's order within each: their principal and fees, and the current period's interest
    spread over their interest in due-date order (the last one takes what is left). Paying one
    component changes only that component's remainder, so the amounts can be taken first and
    applied after (by `settle`, or written off by `write_off`)."""
    parts: list[tuple[Row, str, Decimal]] = []
    period = q.period_interest
    last = len(q.future) - 1
    for index, row in enumerate(q.future):
        for component in order:
            if component == "principal":
                take = row.unpaid_principal()
            elif component == "fees":
                take = row.fees_owed()
            elif component == "interest":
                room = row.full_interest_owed()
                take = period if (index == last or period < room) else room
                period -= take
            else:
                take = ZERO
            if take > ZERO:
                parts.append((row, component, take))
    return parts


def use_credit_balance(ledger: Ledger, q: PayoffQuote, allocations: list[Allocation]) -> Decimal:
    """Apply the credit balance (saldo a favor) to the debt in `q` first, as a payoff does: it
    leaves the balance, with a negative "credit_balance" allocation. Returns the amount used."""
    used = min(ledger.credit_balance, q.gross)
    if used > ZERO:
        ledger.credit_balance -= used
        allocations.append(Allocation(None, "credit_balance", -used))
    return used
