"""Write-off (castigo), the recovery of written-off portfolio, and the waiver (condonación)
that takes the whole debt off the books the same way (docs/domain.md §3.14).

Interpretation implemented here:

* A **write-off** event takes everything owed at its value date off the books: exactly the
  payoff amount at that date (§3.11, `payoff.quote`), split the way a payoff operation splits it
  (installments due by the date: fees, late interest, interest as owed at the date, principal;
  installments not yet due: principal, fees and the current period's interest, the rest of
  their interest cancelled, never earned). A credit balance (saldo a favor) is applied first,
  as a payoff applies it; the rest is written off. Allocations: "credit_balance" (negative:
  balance used) and plain components for what the balance paid, "writeoff_<component>" per
  installment for what was written off, and a derived "cancelled_capitalized_interest" posting
  as in a payoff. The posting's amount is the total written off. The installments are closed
  (status "cancelled"); the amounts written off show as their discount_* (forgiven on the
  books). Nothing accrues afterwards: the books stop at the write-off. The financial status
  becomes "written_off", and `CreditState.written_off` is what stays to recover.
  Nothing owed (or a credit balance that covers the debt): rejected, nothing changes.
* The debt stays legally owed. Money received after a write-off (payment, prepayment or
  payoff events) is a **recovery** (recuperación de cartera castigada): it goes to the amounts
  written off in the order they were written off (oldest installment first, the product's
  allocation order within it) as "recovered_<component>" allocations, and the installment
  shows them paid instead of forgiven; beyond everything written off it is credit balance.
  The financial status stays "written_off" (the write-off stands; `written_off` reaches zero
  when everything was recovered).
* After a write-off, fees, discounts, restructures and another write-off are rejected with a
  Spanish reason. Reversing the write-off entry (a reversal) replays the credit as if it had
  never been written off: later payments are then allocated as ordinary payments.
* A **waiver** event (condonación of the whole debt: death or disability, or what is left when
  a payment plan is fulfilled) forgives exactly the same amounts, as "waived_<component>"
  allocations, but extinguishes the debt: the financial
  status is "paid_off", nothing stays to recover, and money received afterwards is credit
  balance (to refund), as on any settled credit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .frozen import allocation as new_allocation
from .frozen import posting as new_posting
from .late_interest import accrue
from .money import CENT, ZERO
from .payoff import (
    PayoffQuote,
    cancel_unaccrued_capitalized,
    future_parts,
    quote,
    use_credit_balance,
)
from .rows import Ledger, Row
from .types import Allocation, Event

MONEY_IN = frozenset({"payment", "prepayment", "payoff"})


class WrittenOff:
    """One component of one installment taken off the books, and what is left to recover."""

    __slots__ = ("row", "component", "left")

    def __init__(self, row: Row, component: str, left: Decimal) -> None:
        self.row = row
        self.component = component
        self.left = left


def _owed_parts(
    ledger: Ledger, d: date, q: PayoffQuote, cancellations: list[Allocation]
) -> list[tuple[Row, str, Decimal]]:
    """(row, component, amount) of everything in the payoff quote, in the order a payoff
    operation pays it (`payoff.settle`); the part of capitalized interest not yet accrued is
    cancelled from the future installments' principal, as there."""
    parts: list[tuple[Row, str, Decimal]] = []
    order = ledger.order
    for row in q.current:
        for component in order:
            amount = row.component_owed(component, d)
            if amount > ZERO:
                parts.append((row, component, amount))
    cancel_unaccrued_capitalized(q, cancellations)
    parts.extend(future_parts(q, order))
    return parts


def write_off(ledger: Ledger, event: Event) -> None:
    """A "write_off" or a "waiver" event (see the module docstring)."""
    d = event.value_date
    waiver = event.kind == "waiver"
    accrue(ledger, d)
    q = quote(ledger, d)
    if q.net(ledger.credit_balance) <= ZERO:
        ledger.postings.append(
            new_posting(
                event.id,
                event.kind,
                d,
                ZERO,
                event.channel,
                (),
                "El crédito no tiene adeudo que condonar"
                if waiver
                else "El crédito no tiene adeudo que castigar",
            )
        )
        return
    cancellations: list[Allocation] = []
    parts = _owed_parts(ledger, d, q, cancellations)
    allocations: list[Allocation] = []
    paying = use_credit_balance(ledger, q, allocations)
    recoverable: list[WrittenOff] = []
    prefix = "waived_" if waiver else "writeoff_"
    total = ZERO
    for row, component, amount in parts:
        if paying > ZERO:
            take = paying if paying < amount else amount
            row.pay(component, take)
            allocations.append(new_allocation(row.number, component, take, row.version))
            paying -= take
            amount -= take
            if amount <= ZERO:
                continue
        row.forgive(component, amount)
        allocations.append(new_allocation(row.number, prefix + component, amount, row.version))
        recoverable.append(WrittenOff(row, component, amount))
        total += amount
    for row in (*q.current, *q.future):
        row.cancel_interest()
        row.settled = True
        row.paid_on = d
        row.replaced = True  # off the books: status "cancelled"
    ledger.advance_first_open()
    if not waiver:
        ledger.written_off = recoverable
        ledger.written_off_on = d
    ledger.postings.append(
        new_posting(event.id, event.kind, d, total, event.channel, tuple(allocations))
    )
    if cancellations:
        amount = sum((a.amount for a in cancellations), ZERO)
        ledger.postings.append(
            new_posting(
                f"{event.id}/cancelled_capitalized_interest",
                "cancelled_capitalized_interest",
                d,
                amount,
                "",
                tuple(cancellations),
            )
        )


def _recovered(row: Row, component: str, amount: Decimal) -> None:
    """What was forgiven by the write-off is now paid (the running remainders do not move)."""
    if component == "principal":
        row.disc_p -= amount
        row.paid_p += amount
    elif component == "interest":
        row.disc_i -= amount
        row.paid_i += amount
    elif component == "late_interest":
        row.disc_late -= amount
        row.paid_late += amount
    else:
        row.disc_fees -= amount
        row.paid_fees += amount


def after_write_off(ledger: Ledger, event: Event) -> None:
    """Any event but a reversal on a written-off credit: money is a recovery, the rest is
    rejected."""
    d = event.value_date
    if event.kind not in MONEY_IN:
        ledger.postings.append(
            new_posting(
                event.id,
                event.kind,
                d,
                event.amount,
                event.channel,
                (),
                "El crédito está castigado: no se aplican cargos, descuentos, reestructuras "
                "ni otro castigo",
            )
        )
        return
    amount = event.amount
    if amount <= ZERO or amount != amount.quantize(CENT):
        ledger.postings.append(
            new_posting(
                event.id,
                event.kind,
                d,
                amount,
                event.channel,
                (),
                "El importe debe ser mayor que cero, en pesos y centavos",
            )
        )
        return
    allocations: list[Allocation] = []
    assert ledger.written_off is not None
    for item in ledger.written_off:
        left = item.left
        if left <= ZERO:
            continue
        take = left if left < amount else amount
        item.left = left - take
        row = item.row
        _recovered(row, item.component, take)
        allocations.append(
            new_allocation(row.number, f"recovered_{item.component}", take, row.version)
        )
        amount -= take
        if not amount:
            break
    if amount > ZERO:
        ledger.credit_balance += amount
        allocations.append(new_allocation(None, "credit_balance", amount))
    note = None
    if event.kind != "payment":
        note = "Crédito castigado: el importe se aplicó como recuperación"
    ledger.postings.append(
        new_posting(event.id, event.kind, d, event.amount, event.channel, tuple(allocations), note)
    )


def written_off_left(ledger: Ledger) -> Decimal:
    """What a write-off took off the books and was not recovered yet."""
    if ledger.written_off is None:
        return ZERO
    return sum((item.left for item in ledger.written_off), ZERO)
