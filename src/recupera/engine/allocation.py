"""Allocation of money to installments: prelación and punctual rebates (§3.7, §3.9, §3.14).

* Oldest installment first; within an installment the product's `allocation_order`
  (default collection fees → late interest → ordinary interest → principal).
* What is left after the installments due by the payment date goes to the following
  installments in due-date order (paying ahead), and beyond the whole debt to the credit
  balance (saldo a favor), which is never lost.
* Before an installment is overdue (value date ≤ its effective due date) its interest is the
  reduced interest (interest − rebate); once overdue, the full interest is owed.
* When an installment becomes fully paid on or before its effective due date its rebate is
  posted: the caller turns the returned rebate allocations into their own `Posting` (kind
  "rebate", component "rebate").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .frozen import allocation as new_allocation
from .money import CENT, ZERO, round_cents
from .rows import Ledger, Row
from .types import DEFAULT_ALLOCATION_ORDER, Allocation, Component

_new = object.__new__


def normalize_order(order: tuple[Component, ...]) -> tuple[Component, ...]:
    """The product's order, with any component it omits appended in the default order.

    Every component must have a place, or an installment could never be closed.
    """
    seen: list[Component] = []
    for c in tuple(order) + DEFAULT_ALLOCATION_ORDER:
        if c not in DEFAULT_ALLOCATION_ORDER:
            raise ValueError(f"unknown allocation component: {c!r}")
        if c not in seen:
            seen.append(c)
    return tuple(seen)


def close_row(row: Row, d: date, rebates: list[Allocation]) -> None:
    """Mark `row` settled at `d`; post its rebate when closed on time (§3.7)."""
    row.settled = True
    row.paid_on = d
    remaining = row.i_left
    if remaining > ZERO and d <= row.eff:
        row.post_rebate(remaining)
        rebates.append(new_allocation(row.number, "rebate", remaining, row.version))


def allocate_to_row(
    row: Row,
    d: date,
    amount: Decimal,
    order: tuple[Component, ...],
    allocations: list[Allocation],
) -> Decimal:
    """Pay `row`'s components in `order` at `d`; return what is left of `amount`.

    Hot path: owed amounts come from the row's running remainders and `Row.pay` is inlined.
    """
    on_time = d <= row.eff and not row.rebate
    append = allocations.append
    for component in order:
        if component == "principal":
            owed = row.p_left
            if owed <= ZERO:
                continue
            take = owed if owed < amount else amount
            row.paid_p += take
            row.p_left = owed - take
        elif component == "interest":
            owed = row.i_left - row.rebate_k if on_time else row.i_left
            if owed <= ZERO:
                continue
            take = owed if owed < amount else amount
            row.paid_i += take
            row.i_left -= take
        elif component == "late_interest":
            if not row.late_exact:
                continue
            owed = round_cents(row.late_exact, CENT) - row.late_done
            if owed <= ZERO:
                continue
            take = owed if owed < amount else amount
            row.paid_late += take
            row.late_done += take
        else:
            owed = row.f_left
            if owed <= ZERO:
                continue
            take = owed if owed < amount else amount
            row.paid_fees += take
            row.f_left = owed - take
        append(new_allocation(row.number, component, take, row.version))
        amount -= take
        if not amount:
            break
    return amount


def is_clear(row: Row, d: date) -> bool:
    """Nothing owed on `row` at `d` (reduced interest if still on time)."""
    if row.p_left or row.f_left:
        return False
    interest = row.i_left
    if d <= row.eff and not row.rebate:
        interest -= row.rebate_k
    if interest > ZERO:
        return False
    return not row.late_exact or row.late_owed() <= ZERO


def allocate(
    ledger: Ledger,
    d: date,
    amount: Decimal,
    allocations: list[Allocation],
    rebates: list[Allocation],
) -> None:
    """Allocate a payment of `amount` at value date `d` (late interest already accrued to `d`)."""
    if ledger.default_order:
        amount = to_rows_in_default_order(ledger, d, amount, allocations, rebates)
    else:
        order = ledger.order
        active = ledger.active
        i = ledger.first_open
        n = len(active)
        while amount > ZERO and i < n:
            row = active[i]
            i += 1
            if row.settled:
                continue
            amount = allocate_to_row(row, d, amount, order, allocations)
            if not row.p_left and is_clear(row, d):
                close_row(row, d, rebates)
    ledger.advance_first_open()
    if amount > ZERO:
        ledger.credit_balance += amount
        allocations.append(new_allocation(None, "credit_balance", amount))


def to_rows_in_default_order(
    ledger: Ledger,
    d: date,
    amount: Decimal,
    allocations: list[Allocation],
    rebates: list[Allocation],
) -> Decimal:
    """`allocate`'s loop for the default order with `allocate_to_row` and `is_clear` inlined,
    step for step (same amounts, same rounding): this is the replay's hottest loop (60
    payments per credit in the benchmark), and the per-row calls and the walk over the order
    were a third of its cost. Returns what is left of `amount`.

    Decimal operations and object creation are most of what is left, so it does as few as it
    can: `amount`, the rows' `p_left` and `f_left` are never negative (nothing takes more than
    is owed or left), which makes a truth test stand for `> 0`; what was taken is known, not
    recomputed; allocations are built in place (`frozen.allocation`, without the call).
    """
    active = ledger.active
    append = allocations.append
    i = ledger.first_open
    n = len(active)
    while amount and i < n:
        row = active[i]
        i += 1
        if row.settled:
            continue
        number = row.number
        owed = row.f_left
        if owed:
            if owed < amount:
                take = owed
                amount -= owed
            else:
                take = amount
                amount = ZERO
            row.paid_fees += take
            row.f_left = owed - take
            append(new_allocation(number, "fees", take, row.version))
        late_owed = ZERO
        if row.late_exact:
            late_owed = round_cents(row.late_exact, CENT) - row.late_done
            if amount and late_owed > ZERO:
                if late_owed < amount:
                    take = late_owed
                    amount -= late_owed
                    late_owed = ZERO
                else:
                    take = amount
                    late_owed -= amount
                    amount = ZERO
                row.paid_late += take
                row.late_done += take
                allocation = _new(Allocation)
                values = allocation.__dict__
                values["installment"] = number
                values["component"] = "late_interest"
                values["amount"] = take
                values["schedule_version"] = row.version
                append(allocation)
        # Reduced interest until overdue (§3.7), the full interest once overdue.
        owed = row.i_left - row.rebate_k if d <= row.eff and not row.rebate else row.i_left
        if amount and owed > ZERO:
            if owed < amount:
                take = owed
                amount -= owed
                owed = ZERO
            else:
                take = amount
                owed -= amount
                amount = ZERO
            row.paid_i += take
            row.i_left -= take
            allocation = _new(Allocation)
            values = allocation.__dict__
            values["installment"] = number
            values["component"] = "interest"
            values["amount"] = take
            values["schedule_version"] = row.version
            append(allocation)
        principal = row.p_left
        if amount and principal:
            if principal < amount:
                take = principal
                amount -= principal
            else:
                take = amount
                amount = ZERO
            row.paid_p += take
            row.p_left = principal = principal - take
            allocation = _new(Allocation)
            values = allocation.__dict__
            values["installment"] = number
            values["component"] = "principal"
            values["amount"] = take
            values["schedule_version"] = row.version
            append(allocation)
        # is_clear: nothing left of any component (interest as owed at `d`); then close_row.
        if not principal and not row.f_left and owed <= ZERO and late_owed <= ZERO:
            row.settled = True
            row.paid_on = d
            remaining = row.i_left
            if remaining > ZERO and d <= row.eff:
                row.rebate += remaining  # row.post_rebate(remaining)
                row.i_left -= remaining
                allocation = _new(Allocation)
                values = allocation.__dict__
                values["installment"] = number
                values["component"] = "rebate"
                values["amount"] = remaining
                values["schedule_version"] = row.version
                rebates.append(allocation)
    return amount


def forgive(
    ledger: Ledger,
    d: date,
    component: Component,
    amount: Decimal,
    allocations: list[Allocation],
    rebates: list[Allocation],
) -> Decimal:
    """§3.14: forgive `amount` of `component`, oldest installment first. Returns the part of
    `amount` that found nothing to forgive (the caller reports it; it is not applied)."""
    for row in ledger.active[ledger.first_open :]:
        if amount <= ZERO:
            break
        if row.settled:
            continue
        owed = row.component_owed(component, d)
        if owed <= ZERO:
            continue
        take = owed if owed < amount else amount
        row.forgive(component, take)
        allocations.append(new_allocation(row.number, f"discount_{component}", take, row.version))
        amount -= take
        if is_clear(row, d):
            close_row(row, d, rebates)
    ledger.advance_first_open()
    return amount
