"""Mutable working state of one replay: installment rows and the ledger they belong to.

The replay mutates these plain slotted objects and freezes them into `types` dataclasses once,
at the end (`replay.credit_state`). Nothing here is part of the public contract.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from .calendar import BusinessCalendar
from .money import CENT, ZERO, round_cents
from .types import DEFAULT_ALLOCATION_ORDER, Component, Disbursement, Posting, Schedule, Terms

if TYPE_CHECKING:
    from .write_off import WrittenOff


class Row:
    """One installment while replaying. Amounts are cents except `late_exact` (exact).

    Slotted, with every field set in `__init__`: the replay reads these fields in its hottest
    loops, and a slot read is a fixed offset, where a field left to a class-level default
    missed the instance and fell back to a dictionary lookup on every read.
    """

    __slots__ = (
        "number",
        "version",
        "due",
        "eff",
        "principal",
        "interest",
        "rebate_k",
        "fees",
        "paid_p",
        "paid_i",
        "paid_late",
        "paid_fees",
        "disc_p",
        "disc_i",
        "disc_late",
        "disc_fees",
        "rebate",
        "cancelled_interest",
        "late_exact",
        "late_through",
        "settled",
        "paid_on",
        "replaced",
        "closed_by_payoff",
        "p_left",
        "i_left",
        "f_left",
        "late_done",
    )

    def __init__(
        self,
        number: int,
        version: int,
        due: date,
        eff: date,
        principal: Decimal,
        interest: Decimal,
        rebate_k: Decimal,
    ) -> None:
        self.number = number
        self.version = version
        self.due = due
        self.eff = eff
        self.principal = principal
        self.interest = interest
        self.rebate_k = rebate_k  # rebate earned if closed on time (§3.7)
        self.fees = ZERO
        self.paid_p = self.paid_i = self.paid_late = self.paid_fees = ZERO
        self.disc_p = self.disc_i = self.disc_late = self.disc_fees = ZERO
        self.rebate = ZERO  # rebate posted
        self.cancelled_interest = ZERO
        self.late_exact = ZERO  # late interest accrued so far, exact, never reduced
        self.late_through: date | None = None  # late interest accrued up to this date
        self.settled = False  # nothing owed on it (at the date it was closed)
        self.paid_on: date | None = None
        self.replaced = False  # replaced by a later schedule version, or written off (cancelled)
        self.closed_by_payoff = False  # principal paid by a payoff, its interest cancelled
        # Running remainders, kept in step with the fields above (hot-path shortcuts):
        self.p_left = principal  # principal − paid_p − disc_p
        self.i_left = interest  # interest − paid_i − disc_i − rebate − cancelled_interest
        self.f_left = ZERO  # fees − paid_fees − disc_fees
        self.late_done = ZERO  # paid_late + disc_late

    # -- what is owed -------------------------------------------------------------------------
    def unpaid_principal(self) -> Decimal:
        return self.p_left

    def fees_owed(self) -> Decimal:
        return self.f_left

    def late_owed(self) -> Decimal:
        """Unpaid late interest, the accrued total rounded as it would be posted (§3.8)."""
        if not self.late_exact:
            return ZERO
        owed: Decimal = round_cents(self.late_exact, CENT) - self.late_done
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
        "default_order",
        "late_rate",
        "late_daily",
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
        "written_off",
        "written_off_on",
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
        self.default_order = order == DEFAULT_ALLOCATION_ORDER  # allocation's inline path
        self.late_rate = terms.late_rate
        self.late_daily: Decimal | None = None  # late_rate / 360 if exact (late_interest.accrue)
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
        self.written_off: list[WrittenOff] | None = None  # set by a write-off (write_off.py)
        self.written_off_on: date | None = None

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
