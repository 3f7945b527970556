"""Mutable working state of one replay: installment rows and the ledger they belong to.

The replay mutates these plain slotted objects and freezes them into `types` dataclasses once,
at the end (`replay.credit_state`). Nothing here is part of the public contract.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .calendar import BusinessCalendar
from .money import CENT, ZERO
from .types import Component, Disbursement, Posting, Schedule, ScheduledInstallment, Terms


class Row:
    """One installment while replaying. Amounts are cents except `late_exact` (exact).

    Zero-valued fields default at class level, so creating a row sets only what differs
    (60 rows per credit are made on every replay).
    """

    fees: Decimal = ZERO
    paid_p: Decimal = ZERO
    paid_i: Decimal = ZERO
    paid_late: Decimal = ZERO
    paid_fees: Decimal = ZERO
    disc_p: Decimal = ZERO
    disc_i: Decimal = ZERO
    disc_late: Decimal = ZERO
    disc_fees: Decimal = ZERO
    rebate: Decimal = ZERO  # rebate posted
    cancelled_interest: Decimal = ZERO
    late_exact: Decimal = ZERO  # late interest accrued so far, exact, never reduced
    late_through: date | None = None  # late interest accrued up to this date
    settled: bool = False  # nothing owed on it (at the date it was closed)
    paid_on: date | None = None
    replaced: bool = False  # replaced by a later schedule version (status cancelled)
    closed_by_payoff: bool = False  # principal paid by a payoff, its interest cancelled
    # Running remainders, kept in step with the fields above (hot-path shortcuts):
    f_left: Decimal = ZERO  # fees − paid_fees − disc_fees
    late_done: Decimal = ZERO  # paid_late + disc_late

    def __init__(self, inst: ScheduledInstallment, version: int, rebate_k: Decimal) -> None:
        self.number = inst.number
        self.version = version
        self.due = inst.due_date
        self.eff = inst.effective_due_date
        self.principal = self.p_left = inst.principal  # p_left: principal − paid_p − disc_p
        # i_left: interest − paid_i − disc_i − rebate − cancelled_interest
        self.interest = self.i_left = inst.interest
        self.rebate_k = rebate_k  # rebate earned if closed on time (§3.7)

    # -- what is owed -------------------------------------------------------------------------
    def unpaid_principal(self) -> Decimal:
        return self.p_left

    def fees_owed(self) -> Decimal:
        return self.f_left

    def late_owed(self) -> Decimal:
        """Unpaid late interest, the accrued total rounded as it would be posted (§3.8)."""
        if not self.late_exact:
            return ZERO
        owed: Decimal = self.late_exact.quantize(CENT, rounding=ROUND_HALF_UP) - self.late_done
        return owed if owed > ZERO else ZERO

    def full_interest_owed(self) -> Decimal:
        owed = self.i_left
        return owed if owed > ZERO else ZERO

    def interest_owed(self, d: date) -> Decimal:
        """§3.7: reduced interest (interest − rebate) until overdue, the full interest after."""
        owed = self.i_left
        if d <= self.eff and not self.rebate:
            owed -= self.rebate_k
        return owed if owed > ZERO else ZERO

    def owed(self, d: date) -> Decimal:
        return self.f_left + self.late_owed() + self.interest_owed(d) + self.p_left

    def component_owed(self, component: str, d: date) -> Decimal:
        if component == "principal":
            return self.p_left
        if component == "interest":
            return self.interest_owed(d)
        if component == "late_interest":
            return self.late_owed()
        return self.f_left

    # -- changes (keep the running remainders in step) -----------------------------------------
    def pay(self, component: str, amount: Decimal) -> None:
        if component == "principal":
            self.paid_p += amount
            self.p_left -= amount
        elif component == "interest":
            self.paid_i += amount
            self.i_left -= amount
        elif component == "late_interest":
            self.paid_late += amount
            self.late_done += amount
        else:
            self.paid_fees += amount
            self.f_left -= amount

    def forgive(self, component: str, amount: Decimal) -> None:
        if component == "principal":
            self.disc_p += amount
            self.p_left -= amount
        elif component == "interest":
            self.disc_i += amount
            self.i_left -= amount
        elif component == "late_interest":
            self.disc_late += amount
            self.late_done += amount
        else:
            self.disc_fees += amount
            self.f_left -= amount

    def charge_fee(self, amount: Decimal) -> None:
        self.fees += amount
        self.f_left += amount

    def post_rebate(self, amount: Decimal) -> None:
        self.rebate += amount
        self.i_left -= amount

    def cancel_interest(self) -> Decimal:
        """Cancel the interest still unpaid (future interest dropped); returns it."""
        rest = self.i_left if self.i_left > ZERO else ZERO
        self.cancelled_interest += rest
        self.i_left -= rest
        return rest

    def touched(self) -> bool:
        """Any money, charge or forgiveness on it (prepayment keeps such rows, §3.10)."""
        return bool(
            self.paid_p
            or self.paid_i
            or self.paid_late
            or self.paid_fees
            or self.disc_p
            or self.disc_i
            or self.disc_late
            or self.disc_fees
            or self.fees
            or self.settled
        )


class Ledger:
    """Working state of one credit's replay."""

    __slots__ = (
        "terms",
        "calendar",
        "order",
        "late_rate",
        "tier",
        "rows",
        "active",
        "first_open",
        "credit_balance",
        "postings",
        "schedules",
        "rebate_factor",
        "paid_off_on",
        "first_due",
        "disbursements",
    )

    def __init__(
        self,
        terms: Terms,
        calendar: BusinessCalendar,
        order: tuple[Component, ...],
        tier: Decimal,
        first_due: date,
    ) -> None:
        self.terms = terms
        self.calendar = calendar
        self.order = order
        self.late_rate = terms.late_rate
        self.tier = tier
        self.rows: list[Row] = []  # every row ever, in (version, number) order
        self.active: list[Row] = []  # rows of the schedule in force, in due-date order
        self.first_open = 0  # index in `active` of the first row not settled
        self.credit_balance = ZERO
        self.postings: list[Posting] = []
        self.schedules: list[Schedule] = []
        self.rebate_factor = ZERO
        self.paid_off_on: date | None = None
        self.first_due = first_due
        self.disbursements: tuple[Disbursement, ...] = ()

    @property
    def schedule(self) -> Schedule:
        return self.schedules[-1]

    def advance_first_open(self) -> None:
        active = self.active
        i = self.first_open
        n = len(active)
        while i < n and active[i].settled:
            i += 1
        self.first_open = i

    def open_rows(self) -> list[Row]:
        return [r for r in self.active[self.first_open :] if not r.settled]
