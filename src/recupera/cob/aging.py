"""The facts the set-based daily step needs, read from the engine's answer for a credit.

Nothing here computes money: it reads the engine's installment states (what each installment
still owes at full interest, DOMAIN §3.12) and keeps the effective due date of the oldest one
above the tolerance. While no event happens to the credit, DPD at any later date D is
D − that date (0 if it is on or after D): the same rule `engine.aging.days_past_due` applies.
`facts_for` checks itself against the engine at the state's date; a credit it cannot reproduce
is marked volatile and replayed by the engine at every close.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from recupera import engine

SETTLED = frozenset({"paid", "paid_late", "cancelled"})
ZERO = Decimal("0")


@dataclass(frozen=True)
class AgingFacts:
    oldest_unpaid_eff: dt.date | None
    first_open_due: dt.date | None
    first_due_date: dt.date | None
    schedule_version: int
    fixed_status: str
    volatile: bool


def dpd_at(oldest_unpaid_eff: dt.date | None, d: dt.date) -> int:
    """Days past due at `d` from the cached fact (the SQL of the daily step says the same)."""
    if oldest_unpaid_eff is None or oldest_unpaid_eff >= d:
        return 0
    return (d - oldest_unpaid_eff).days


def next_due_at(state: engine.CreditState, first_open_due: dt.date | None, d: dt.date) -> dt.date | None:
    """Next due date at `d`: the first due date of the schedule in force on or after both `d`
    and the first installment still open (the SQL of the daily step says the same)."""
    if first_open_due is None:
        return None
    floor = max(d, first_open_due)
    dues = [i.due_date for i in state.installments
            if i.schedule_version == state.schedule_version and i.due_date >= floor]
    return min(dues) if dues else None


def status_at(facts: AgingFacts, d: dt.date, end_of_studies: dt.date | None) -> str:
    """The engine's financial status at `d` (before the administrative status and the display
    mapping): the rule of `engine.replay.freeze`, on the cached facts (SQL says the same)."""
    if facts.fixed_status:
        return facts.fixed_status
    dpd = dpd_at(facts.oldest_unpaid_eff, d)
    if dpd > 0:
        return "overdue"
    if facts.first_due_date is not None and d < facts.first_due_date:
        return "studying" if end_of_studies is not None and d < end_of_studies else "grace"
    return "current"


def facts_for(state: engine.CreditState, *, tolerance: Decimal,
              end_of_studies: dt.date | None) -> AgingFacts:
    oldest: dt.date | None = None
    first_open: dt.date | None = None
    for inst in sorted(state.installments, key=lambda i: (i.due_date, i.schedule_version)):
        if inst.status in SETTLED:
            continue
        if first_open is None:
            first_open = inst.due_date
        principal_left = inst.principal - inst.paid_principal - inst.discount_principal
        interest_left = (inst.interest - inst.paid_interest - inst.discount_interest
                         - inst.rebate - inst.cancelled_interest)
        if principal_left + max(interest_left, ZERO) > tolerance:
            oldest = inst.effective_due_date
            break
    fixed_status = ""
    if state.principal_disbursed == 0 and not state.installments:
        fixed_status = "nothing_disbursed"  # displayed "en estudios" (engine_io.status_for)
    elif state.status in ("paid_off", "written_off"):
        fixed_status = state.status
    facts = AgingFacts(oldest_unpaid_eff=oldest, first_open_due=first_open,
                       first_due_date=state.first_due_date, schedule_version=state.schedule_version,
                       fixed_status=fixed_status, volatile=False)
    d = state.as_of
    agrees = (dpd_at(oldest, d) == state.days_past_due
              and (fixed_status == "nothing_disbursed" or status_at(facts, d, end_of_studies) == state.status)
              and (bool(fixed_status) or next_due_at(state, first_open, d) == state.next_due_date))
    if agrees:
        return facts
    return AgingFacts(oldest_unpaid_eff=oldest, first_open_due=first_open,
                      first_due_date=state.first_due_date, schedule_version=state.schedule_version,
                      fixed_status=fixed_status, volatile=True)


def close_facts(state: engine.CreditState, terms: engine.Terms) -> AgingFacts:
    """facts_for with the credit's DPD tolerance and end of studies taken from its engine
    Terms: the `extra` of credits.services.credits_replay_batch (it runs in the replay workers,
    so it is a module-level function)."""
    return facts_for(state, tolerance=terms.tolerance, end_of_studies=terms.end_of_studies)
