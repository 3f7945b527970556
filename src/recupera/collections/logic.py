"""Pure rules of the workbench: a case's stage and its queue priority (with its reasons).

Plain values in, plain values out (no Django), so the queue's order can be explained on screen
and tested as worked examples.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

PREVENTIVE = "preventiva"
EARLY = "temprana"
LATE = "tardia"
EXTRAJUDICIAL = "extrajudicial"
JUDICIAL = "judicial"


@dataclass(frozen=True)
class StageLimits:
    early_from_dpd: int = 1
    late_from_dpd: int = 31
    extrajudicial_from_dpd: int = 91


def stage_for(days_past_due: int, limits: StageLimits) -> str:
    """The stage by days past due (judicial is set by decision, never by the days)."""
    if days_past_due >= limits.extrajudicial_from_dpd:
        return EXTRAJUDICIAL
    if days_past_due >= limits.late_from_dpd:
        return LATE
    if days_past_due >= limits.early_from_dpd:
        return EARLY
    return PREVENTIVE


@dataclass(frozen=True)
class PriorityFacts:
    days_past_due: int
    balance: Decimal  # the payoff amount the engine cached
    broken_promise_on: dt.date | None = None  # latest broken promise not yet followed up
    promise_due_on: dt.date | None = None  # the pending promise's date
    first_contact_due: dt.date | None = None
    next_action_due: dt.date | None = None
    prescription_date: dt.date | None = None  # of the oldest note in force


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    points: int


# Points per factor (documented on the queue page; change here and the page follows).
POINTS_PER_30_DPD = 10
MAX_DPD_POINTS = 120
BALANCE_PER_POINT = Decimal("5000")
MAX_BALANCE_POINTS = 40
BROKEN_PROMISE_POINTS = 200  # more than days and balance together can add (160)
BROKEN_PROMISE_DAYS = 30
PROMISE_TODAY_POINTS = 100
DEADLINE_POINTS = 80
PRESCRIPTION_HORIZON_DAYS = 180
MAX_PRESCRIPTION_POINTS = 90
# The points grow by bands, not day by day: 30 days of delay, 30 days less to prescription,
# $5,000 of balance. A case's score and reasons then stay the same for weeks, so the daily
# close rewrites only the cases that changed band (the queue shows the exact days past due and
# balance in their own columns).
DPD_BANDS = MAX_DPD_POINTS // POINTS_PER_30_DPD  # 12: 1-30, 31-60, …, more than 330 days
PRESCRIPTION_BANDS = PRESCRIPTION_HORIZON_DAYS // 30 + 1  # 7: 180-151 days left, …, 0


def _d(d: dt.date) -> str:
    return f"{d:%d/%m/%Y}"


def priority_for(facts: PriorityFacts, *, as_of: dt.date) -> tuple[int, list[Reason]]:
    """(score, reasons): higher first; each reason says what it adds."""
    reasons: list[Reason] = []
    if facts.broken_promise_on and (as_of - facts.broken_promise_on).days <= BROKEN_PROMISE_DAYS:
        reasons.append(Reason("promesa_incumplida",
                              f"Promesa incumplida el {_d(facts.broken_promise_on)}",
                              BROKEN_PROMISE_POINTS))
    if facts.promise_due_on == as_of:
        reasons.append(Reason("promesa_hoy", "Promesa de pago vence hoy", PROMISE_TODAY_POINTS))
    if facts.first_contact_due and facts.first_contact_due < as_of:
        reasons.append(Reason("plazo_primer_contacto",
                              f"Plazo de primer contacto vencido el {_d(facts.first_contact_due)}",
                              DEADLINE_POINTS))
    elif facts.next_action_due and facts.next_action_due < as_of:
        reasons.append(Reason("plazo_gestion",
                              f"Sin gestión dentro del plazo (venció el {_d(facts.next_action_due)})",
                              DEADLINE_POINTS))
    if facts.prescription_date:
        left = (facts.prescription_date - as_of).days
        if 0 <= left <= PRESCRIPTION_HORIZON_DAYS:
            band = (PRESCRIPTION_HORIZON_DAYS - left) // 30 + 1
            points = MAX_PRESCRIPTION_POINTS * band // PRESCRIPTION_BANDS
            reasons.append(Reason("prescripcion",
                                  f"Pagaré prescribe el {_d(facts.prescription_date)}", points))
    if facts.days_past_due > 0:
        band = min(DPD_BANDS, (facts.days_past_due + 29) // 30)
        label = (f"Atraso de {30 * band - 29} a {30 * band} días" if band < DPD_BANDS
                 else f"Atraso de más de {30 * (DPD_BANDS - 1)} días")
        reasons.append(Reason("atraso", label, POINTS_PER_30_DPD * band))
    if facts.balance > 0:
        points = min(MAX_BALANCE_POINTS, int(facts.balance // BALANCE_PER_POINT))
        if points:
            reasons.append(Reason("saldo", f"Saldo para liquidar de "
                                           f"${points * BALANCE_PER_POINT:,.2f} o más", points))
    return sum(r.points for r in reasons), reasons


def add_business_days(start: dt.date, days: int, is_business_day) -> dt.date:  # type: ignore[no-untyped-def]
    """The date `days` business days after `start` (0: start itself, or the next business day)."""
    d = start
    if days <= 0:
        while not is_business_day(d):
            d += dt.timedelta(days=1)
        return d
    counted = 0
    while counted < days:
        d += dt.timedelta(days=1)
        if is_business_day(d):
            counted += 1
    return d
