"""Engine contract: frozen dataclasses in, dataclasses out.

This module is the interface between the pure engine and the Django apps. Extend it; do not
break it. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

ZERO = Decimal("0")

InterestBeforeRepayment = Literal["none", "capitalize"]
# Components of an installment, in the default allocation order (docs/domain.md §3.9).
Component = Literal["fees", "late_interest", "interest", "principal"]
DEFAULT_ALLOCATION_ORDER: tuple[Component, ...] = ("fees", "late_interest", "interest", "principal")

EventKind = Literal[
    "payment",  # money received; allocated by the allocation order, pays ahead, excess -> balance
    "reversal",  # undoes the event named in `reverses` (replay as if never posted)
    "prepayment",  # pago anticipado a capital; needs nothing overdue; re-amortizes (`mode`)
    "payoff",  # liquidación anticipada: amount >= payoff amount at value_date settles the credit
    "fee",  # collection fee charged (gastos de cobranza)
    "discount",  # quita / condonación: forgives `amount` of `component` (authorized outside)
    "restructure",  # replaces the remaining schedule (new principal/rate/term/first due date)
    "write_off",  # castigo: everything owed at value_date off the books; later money recovers it
    "waiver",  # condonación of everything owed at value_date (death, disability, a plan met)
]
PrepaymentMode = Literal["keep_installment", "keep_term"]

# Financial status computed by the engine. Administrative states (convenio, jurídico,
# castigado, condonado) are kept by the credits app and override this one for display.
# "written_off": a write-off event took the debt off the books (see CreditState.written_off).
FinancialStatus = Literal["studying", "grace", "current", "overdue", "paid_off", "written_off"]
InstallmentStatus = Literal["pending", "partial", "paid", "paid_late", "overdue", "cancelled"]

BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("al_corriente", 0, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("mas_de_365", 366, None),
)


@dataclass(frozen=True)
class Terms:
    """Financial terms of one credit (product settings with per-credit overrides applied)."""

    base_rate: Decimal  # annual fraction, e.g. Decimal("0.06")
    punctual_rate: Decimal  # tier rate for punctual payers, e.g. Decimal("0.03")
    late_rate: Decimal  # annual late-interest rate, e.g. Decimal("0.09")
    term_months: int
    grace_months: int = 6
    end_of_studies: date | None = None
    first_due_date: date | None = None  # explicit first due date wins over end_of_studies+grace
    excellence_rate: Decimal | None = None  # e.g. Decimal("0"); None = no excellence tier
    excellence_threshold: Decimal | None = None  # academic average needed, e.g. Decimal("90")
    academic_average: Decimal | None = None
    interest_before_repayment: InterestBeforeRepayment = "none"
    allocation_order: tuple[Component, ...] = DEFAULT_ALLOCATION_ORDER
    tolerance: Decimal = Decimal("1.00")  # DPD tolerance (docs/domain.md §3.12)


@dataclass(frozen=True)
class Disbursement:
    number: int
    date: date
    amount: Decimal


@dataclass(frozen=True)
class Event:
    """One ledger entry as the engine sees it.

    `id` is the stable natural key of the entry (unique per credit). Events are replayed in
    (value_date, seq) order: seq is the posting order within the ledger (docs/domain.md §3.16).
    """

    id: str
    kind: EventKind
    value_date: date
    seq: int
    amount: Decimal = ZERO
    reverses: str | None = None  # for kind == "reversal"
    mode: PrepaymentMode | None = None  # for kind == "prepayment"
    component: Component | None = None  # for kind == "discount"
    channel: str = ""  # informative: caja, banco, spei, nomina, importación…
    # kind == "restructure": the new schedule's terms. principal None = everything owed.
    new_rate: Decimal | None = None
    new_term_months: int | None = None
    new_first_due_date: date | None = None
    new_principal: Decimal | None = None
    capitalize_interest: bool = False


@dataclass(frozen=True)
class ScheduledInstallment:
    number: int
    due_date: date
    effective_due_date: date
    principal: Decimal
    interest: Decimal  # at the base rate

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


@dataclass(frozen=True)
class Schedule:
    version: int
    starts_on: date  # value date from which this version applies
    principal: Decimal
    rate: Decimal
    installment_amount: Decimal  # A (the level installment)
    installments: tuple[ScheduledInstallment, ...]
    reason: str = "original"  # original | prepayment | restructure
    # Added by the engine (defaults keep older callers working):
    capitalized_interest: Decimal = ZERO  # §3.2 interest before repayment included in principal
    anchor_day: int | None = None  # day of month the due dates are anchored on (§3.4)
    event_id: str | None = None  # the prepayment/restructure event that created this version


@dataclass(frozen=True)
class Allocation:
    installment: int | None  # None for credit balance (saldo a favor) and prepaid principal
    # fees | late_interest | interest | principal | rebate | credit_balance | discount_*
    # | prepaid_principal (§3.10, installment None) | restructured_principal | capitalized_* |
    # waived_* (§3.15, restructure and waiver postings) | writeoff_* (write-off) | recovered_*
    # (money received after a write-off). A negative credit_balance amount means credit
    # balance consumed (a payoff operation or a write-off uses the saldo a favor).
    component: str
    amount: Decimal
    schedule_version: int = 1  # installment numbers are unique within a schedule version


@dataclass(frozen=True)
class Posting:
    """The result of applying one event (or a derived entry such as a rebate)."""

    event_id: str
    kind: str  # event kind, or "rebate" for the derived rebate entry
    value_date: date
    amount: Decimal
    channel: str
    allocations: tuple[Allocation, ...]
    rejected_reason: str | None = None  # e.g. prepayment while overdue: not applied


@dataclass(frozen=True)
class InstallmentState:
    number: int
    due_date: date
    effective_due_date: date
    principal: Decimal
    interest: Decimal
    rebate: Decimal  # rebate posted so far
    fees: Decimal
    paid_principal: Decimal
    paid_interest: Decimal
    paid_late_interest: Decimal
    paid_fees: Decimal
    late_interest_accrued: Decimal  # unpaid, rounded to cents as of the as-of date
    status: InstallmentStatus
    paid_on: date | None
    # Added by the engine (defaults keep older callers working):
    schedule_version: int = 1
    punctual_rebate: Decimal = ZERO  # rebate earned if fully paid by effective_due_date (§3.7)
    amount_due: Decimal = ZERO  # owed on this installment at as_of (reduced interest if on time)
    discount_principal: Decimal = ZERO
    discount_interest: Decimal = ZERO
    discount_late_interest: Decimal = ZERO
    discount_fees: Decimal = ZERO
    cancelled_interest: Decimal = ZERO  # future interest cancelled by a payoff or replacement


@dataclass(frozen=True)
class CreditState:
    as_of: date
    status: FinancialStatus
    days_past_due: int
    bucket: str
    principal_disbursed: Decimal
    principal_outstanding: Decimal
    overdue_principal: Decimal
    overdue_interest: Decimal
    late_interest: Decimal
    fees_due: Decimal
    total_overdue: Decimal
    payoff_amount: Decimal
    credit_balance: Decimal
    installment_amount: Decimal
    next_due_date: date | None
    installments: tuple[InstallmentState, ...]  # empty when credit_state(installments=False)
    postings: tuple[Posting, ...]
    schedules: tuple[Schedule, ...] = field(default_factory=tuple)
    # Added by the engine:
    first_due_date: date | None = None
    schedule_version: int = 1  # version of the schedule in force
    paid_off_on: date | None = None  # value date of the entry that left nothing owed
    written_off: Decimal = ZERO  # taken off the books by a write-off and not yet recovered
    written_off_on: date | None = None  # value date of the write-off in force
