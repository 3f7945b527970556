"""The legal clock of the pagarés (docs/legal.md): when the direct action on each pagaré in
force prescribes.

The rule (LGTOC art. 165; Código de Comercio arts. 1041 and 1042), for one pagaré:

- every installment prescribes 3 years after its own due date; installments not yet due when
  the institute declares the whole debt due (vencimiento anticipado, `accelerated_on`) are due
  from that declaration;
- an acknowledgment of the debt (a payment, a signed agreement, an interruption recorded on the
  pagaré) interrupts it: the 3 years start again from the act;
- while a lawsuit on it is pending (status «en juicio») the clock is stopped: no date;
- the date of the pagaré is the earliest among its unpaid installments: 3 years after the later
  of the first unpaid due date (or the declaration, if earlier) and the last acknowledgment.

"Unpaid" is the engine's answer: the due date of the first installment not settled
(`cob.CreditAging.first_open_due`, written from the replay by the daily close); for a credit the
close has not aged yet, the first installment of the schedule in force whose principal the
stored allocations have not covered. `note_clocks` reads the facts in one query; the daily
close's priority UPDATE on PostgreSQL repeats the rule in SQL
(collections.services._priorities_sql_update, compared by tests/collections/test_priorities_sql.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

TERM_YEARS = 3  # LGTOC art. 165
IN_FORCE = ("vigente", "en_juicio")
IN_LAWSUIT = "en_juicio"
# Ledger entries that acknowledge the debt (a payment of any kind), unless reversed.
ACKNOWLEDGING_ENTRIES = ("payment", "prepayment", "payoff")
# Agreements the borrower signed that took effect (the write-off and the waiver are the
# institute's decisions, not the debtor's acknowledgment).
ACKNOWLEDGING_AGREEMENT_KINDS = ("liquidacion", "convenio", "reestructura")
ACKNOWLEDGING_AGREEMENT_STATUSES = ("vigente", "cumplido", "incumplido", "aplicado")
CHUNK = 2000


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` plus whole years; Feb 29 becomes Feb 28 when the target year has none (as
    PostgreSQL's `date + interval 'n years'`)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def start_cutoff(horizon: dt.date) -> dt.date:
    """The latest term start whose prescription can fall on or before `horizon` (a superset by
    one day around Feb 29: callers still compare the exact date)."""
    return add_years(horizon, -TERM_YEARS) + dt.timedelta(days=1)


def term_start(*, first_unpaid_due: dt.date | None, accelerated_on: dt.date | None,
               acknowledged: Iterable[dt.date | None] = ()) -> dt.date | None:
    """The day the 3 years of the earliest unpaid installment run from; None when nothing is
    unpaid."""
    if first_unpaid_due is None:
        return None
    start = min(first_unpaid_due, accelerated_on) if accelerated_on else first_unpaid_due
    for day in acknowledged:
        if day is not None and day > start:
            start = day
    return start


def prescription_date(*, first_unpaid_due: dt.date | None, accelerated_on: dt.date | None = None,
                      acknowledged: Iterable[dt.date | None] = (), in_lawsuit: bool = False
                      ) -> dt.date | None:
    """The date the pagaré prescribes (None: nothing unpaid, or stopped by a pending lawsuit)."""
    if in_lawsuit:
        return None
    start = term_start(first_unpaid_due=first_unpaid_due, accelerated_on=accelerated_on,
                       acknowledged=acknowledged)
    return add_years(start, TERM_YEARS) if start else None


@dataclass(frozen=True)
class NoteClock:
    """The facts of one pagaré in force and the date they give."""

    note_id: int
    credit_id: int
    number: str
    status: str
    first_unpaid_due: dt.date | None
    accelerated_on: dt.date | None
    interrupted_on: dt.date | None
    last_payment_on: dt.date | None
    last_agreement_on: dt.date | None

    @property
    def in_lawsuit(self) -> bool:
        return self.status == IN_LAWSUIT

    @property
    def last_acknowledgment(self) -> dt.date | None:
        days = [d for d in (self.interrupted_on, self.last_payment_on, self.last_agreement_on) if d]
        return max(days) if days else None

    @property
    def date(self) -> dt.date | None:
        return prescription_date(first_unpaid_due=self.first_unpaid_due,
                                 accelerated_on=self.accelerated_on,
                                 acknowledged=(self.last_acknowledgment,), in_lawsuit=self.in_lawsuit)


def _day(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value)[:10])


def _tables() -> dict[str, str]:
    from recupera.agreements.models import Agreement
    from recupera.cob.models import CreditAging
    from recupera.credits.models import (
        Allocation,
        Credit,
        Installment,
        LedgerEntry,
        PromissoryNote,
        ScheduleVersion,
    )

    q = connection.ops.quote_name
    return {"note": q(PromissoryNote._meta.db_table), "aging": q(CreditAging._meta.db_table),
            "installment": q(Installment._meta.db_table), "schedule": q(ScheduleVersion._meta.db_table),
            "allocation": q(Allocation._meta.db_table), "ledger": q(LedgerEntry._meta.db_table),
            "agreement": q(Agreement._meta.db_table),
            "credit": q(Credit._meta.db_table)}


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def fact_columns(credit: str = "n.credit_id") -> dict[str, str]:
    """SQL (SQLite and PostgreSQL) of the facts per credit, correlated on the column `credit`:
    the first unpaid due date (the close's aging facts, a primary-key lookup; the fallback on
    the stored projection only runs for a credit without them), the last payment not reversed,
    the last signed agreement."""
    t = _tables()
    aging = f"FROM {t['aging']} a WHERE a.credit_id = {credit}"
    fallback = f"""(SELECT MIN(i.due_date) FROM {t['installment']} i
        JOIN {t['schedule']} s ON s.id = i.schedule_id
        WHERE s.credit_id = {credit}
          AND s.version = (SELECT MAX(s2.version) FROM {t['schedule']} s2 WHERE s2.credit_id = {credit})
          AND i.principal > COALESCE((SELECT SUM(al.amount) FROM {t['allocation']} al
                WHERE al.credit_id = {credit} AND al.schedule_version = s.version
                  AND al.installment = i.number AND al.component = 'principal'), 0))"""
    return {
        "first_unpaid_due": (f"CASE WHEN EXISTS (SELECT 1 {aging}) THEN (SELECT a.first_open_due {aging}) "
                             f"ELSE {fallback} END"),
        "last_payment_on": f"""(SELECT MAX(le.value_date) FROM {t['ledger']} le
            WHERE le.credit_id = {credit} AND le.kind IN {_in(ACKNOWLEDGING_ENTRIES)}
              AND NOT EXISTS (SELECT 1 FROM {t['ledger']} r WHERE r.reverses_id = le.id))""",
        "last_agreement_on": f"""(SELECT MAX(g.as_of) FROM {t['agreement']} g
            WHERE g.credit_id = {credit} AND g.kind IN {_in(ACKNOWLEDGING_AGREEMENT_KINDS)}
              AND g.status IN {_in(ACKNOWLEDGING_AGREEMENT_STATUSES)})""",
    }


def note_clocks(credit_ids: Iterable[int]) -> list[NoteClock]:
    """The clock of every pagaré in force of `credit_ids` (one query per 2,000 credits), in
    credit and pagaré order."""
    ids = sorted(set(credit_ids))
    if not ids:
        return []
    t = _tables()
    cols = fact_columns()
    out: list[NoteClock] = []
    with connection.cursor() as cur:
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            marks = ", ".join(["%s"] * len(part))
            cur.execute(f"""
                SELECT n.id, n.credit_id, n.number, n.status, {cols['first_unpaid_due']},
                       n.accelerated_on, n.interrupted_on, {cols['last_payment_on']},
                       {cols['last_agreement_on']}
                FROM {t['note']} n
                WHERE n.status IN {_in(IN_FORCE)} AND n.credit_id IN ({marks})
                ORDER BY n.credit_id, n.id""", part)
            for row in cur.fetchall():
                out.append(NoteClock(row[0], row[1], row[2], row[3], *(_day(v) for v in row[4:])))
    return out


def earliest_by_credit(credit_ids: Iterable[int]) -> dict[int, dt.date]:
    """The date that matters for each credit: the earliest prescription among its pagarés in
    force (credits with none, or all stopped by a lawsuit, are left out)."""
    earliest: dict[int, dt.date] = {}
    for clock in note_clocks(credit_ids):
        day = clock.date
        if day and (clock.credit_id not in earliest or day < earliest[clock.credit_id]):
            earliest[clock.credit_id] = day
    return earliest


def credits_that_may_prescribe(horizon: dt.date) -> list[int]:
    """A superset of the credits with a pagaré in force that prescribes by `horizon`: those
    whose first unpaid installment (the aging facts) or a declaration of the whole debt due
    falls on or before the cutoff, and those the close has not aged yet. Acknowledgments only
    move a date later, so they are checked afterwards, on these alone."""
    t = _tables()
    cutoff = start_cutoff(horizon)
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT a.credit_id FROM {t['aging']} a WHERE a.first_open_due <= %s
            UNION SELECT n.credit_id FROM {t['note']} n
                WHERE n.accelerated_on IS NOT NULL AND n.accelerated_on <= %s AND n.status = 'vigente'
            UNION SELECT c.id FROM {t['credit']} c
                WHERE NOT EXISTS (SELECT 1 FROM {t['aging']} a2 WHERE a2.credit_id = c.id)""",
                    [cutoff, cutoff])
        return sorted(r[0] for r in cur.fetchall())
