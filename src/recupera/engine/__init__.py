"""Recupera's financial engine: pure Python (standard library only), no Django.

Frozen dataclasses in (`Terms`, `Disbursement`, `Event`), frozen dataclasses out
(`Schedule`, `CreditState`). docs/domain.md §3 is the specification; each module covers one concern.
"""

from .aging import bucket_for, is_past_due_portfolio
from .calendar import BusinessCalendar
from .dates import add_months
from .money import cents
from .replay import credit_state
from .schedule import amortize, build_schedule, first_due_date, level_installment, tier_rate
from .types import (
    BUCKETS,
    DEFAULT_ALLOCATION_ORDER,
    Allocation,
    Component,
    CreditState,
    Disbursement,
    Event,
    EventKind,
    FinancialStatus,
    InstallmentState,
    InstallmentStatus,
    Posting,
    PrepaymentMode,
    Schedule,
    ScheduledInstallment,
    Terms,
)

__all__ = [
    "BUCKETS",
    "DEFAULT_ALLOCATION_ORDER",
    "Allocation",
    "BusinessCalendar",
    "Component",
    "CreditState",
    "Disbursement",
    "Event",
    "EventKind",
    "FinancialStatus",
    "InstallmentState",
    "InstallmentStatus",
    "Posting",
    "PrepaymentMode",
    "Schedule",
    "ScheduledInstallment",
    "Terms",
    "add_months",
    "amortize",
    "bucket_for",
    "build_schedule",
    "cents",
    "credit_state",
    "first_due_date",
    "is_past_due_portfolio",
    "level_installment",
    "tier_rate",
]
