"""The bridge between the credits app's rows and the pure engine.

Rows in (product + credit overrides, disbursements, ledger entries), engine dataclasses out, and
back: `state_json` is the one JSON shape of a credit's state (CLI `credit show --json`, API).
Nothing here computes money: the engine does.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from typing import Any

from recupera import engine
from recupera.core.money import money_json
from recupera.credits.models import Credit, LedgerEntry

# Engine financial status -> the credit's displayed status (Credit.Status values).
FINANCIAL_TO_STATUS: dict[str, str] = {
    "studying": Credit.Status.STUDYING,
    "grace": Credit.Status.GRACE,
    "current": Credit.Status.REPAYING,
    "overdue": Credit.Status.OVERDUE,
    "paid_off": Credit.Status.PAID_OFF,
    "written_off": Credit.Status.WRITTEN_OFF,
}

# --- the business calendar, cached per process -------------------------------------------------
_calendar_lock = threading.Lock()
_calendar_cache: dict[str, Any] = {"closed": None, "calendar": None}


def business_calendar() -> engine.BusinessCalendar:
    """core.calendar.business_calendar(), rebuilt only when the bank-closure days change.

    One small query (the configured closure days) tells whether the cached calendar is still
    right, so a closure day added by another process is seen on the next call.
    """
    from recupera.core.calendar import business_calendar as build
    from recupera.core.models import BankClosureDay

    closed = frozenset(BankClosureDay.objects.values_list("date", flat=True))
    with _calendar_lock:
        if _calendar_cache["calendar"] is None or _calendar_cache["closed"] != closed:
            _calendar_cache["calendar"] = build()
            _calendar_cache["closed"] = closed
        return _calendar_cache["calendar"]


def calendar_invalidate(**_kwargs: Any) -> None:
    """Forget the cached calendar (connected to BankClosureDay saves and deletes)."""
    with _calendar_lock:
        _calendar_cache["calendar"] = None
        _calendar_cache["closed"] = None


# --- rows -> engine ---------------------------------------------------------------------------
def _order(product: Any) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in (product.allocation_order or "").split(",") if p.strip())
    return parts or engine.DEFAULT_ALLOCATION_ORDER


def terms_for(credit: Credit) -> engine.Terms:
    """The engine Terms: the product's settings with the credit's overrides applied."""
    product = credit.product

    def pick(own: Any, default: Any) -> Any:
        return default if own is None else own

    return engine.Terms(
        base_rate=pick(credit.base_rate, product.base_rate),
        punctual_rate=product.punctual_rate,
        late_rate=pick(credit.late_rate, product.late_rate),
        term_months=int(pick(credit.term_months, product.default_term_months)),
        grace_months=int(pick(credit.grace_months, product.grace_months)),
        end_of_studies=credit.end_of_studies,
        first_due_date=credit.first_due_date,
        excellence_rate=product.excellence_rate,
        excellence_threshold=product.excellence_threshold,
        academic_average=credit.academic_average,
        interest_before_repayment=product.interest_before_repayment,
        allocation_order=_order(product),  # type: ignore[arg-type]
        tolerance=product.dpd_tolerance,
    )


def disbursements_for(credit: Credit) -> list[engine.Disbursement]:
    """The credit's disbursements (uses a prefetch when the caller made one)."""
    return [engine.Disbursement(number=d.number, date=d.date, amount=d.amount)
            for d in credit.disbursements.all()]


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(str(value))


# The LedgerEntry columns an Event is made of, in event_from_values' order.
EVENT_FIELDS = ("id", "kind", "value_date", "amount", "reverses_id", "params", "channel")


def event_from_values(pk: int, kind: str, value_date: dt.date, amount: Decimal,
                      reverses_id: int | None, params: dict[str, Any] | None,
                      channel: str) -> engine.Event:
    """One ledger entry's columns (EVENT_FIELDS) as an engine Event. id = the entry's id;
    seq = the entry's id (the posting order); `params` carries mode (prepayment), component
    (discount) and new_* / capitalize_interest (restructure)."""
    p = params or {}
    term = p.get("new_term_months")
    return engine.Event(
        id=str(pk),
        kind=kind,  # type: ignore[arg-type]
        value_date=value_date,
        seq=pk,
        amount=amount,
        reverses=str(reverses_id) if reverses_id else None,
        mode=p.get("mode") or None,
        component=p.get("component") or None,
        channel=channel or "",
        new_rate=_decimal(p.get("new_rate")),
        new_term_months=int(term) if term not in (None, "") else None,
        new_first_due_date=_date(p.get("new_first_due_date")),
        new_principal=_decimal(p.get("new_principal")),
        capitalize_interest=bool(p.get("capitalize_interest", False)),
    )


def events_query(credit_ids: list[int]) -> Any:
    """The ledger entries of these credits as rows for event_from_row, in replay-load order
    (credit, id): `params` read as its JSON text, so the common empty object costs no decoding."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    return (LedgerEntry.objects.filter(credit_id__in=credit_ids).order_by("credit_id", "id")
            .annotate(params_text=Cast("params", TextField()))
            .values_list("credit_id", "id", "kind", "value_date", "amount", "reverses_id",
                         "params_text", "channel"))


def event_from_row(pk: int, kind: str, value_date: dt.date, amount: Decimal,
                   reverses_id: int | None, params_text: str | None, channel: str) -> engine.Event:
    """event_from_values of a row of events_query (params as JSON text). A payment-like entry
    with no params (most of them) is built directly: the same Event, without the decoding."""
    if params_text in (None, "{}") and not reverses_id:
        return engine.Event(id=str(pk), kind=kind, value_date=value_date,  # type: ignore[arg-type]
                            seq=pk, amount=amount, channel=channel or "")
    return event_from_values(pk, kind, value_date, amount, reverses_id,
                             json.loads(params_text) if params_text else None, channel)


def event_for(entry: LedgerEntry) -> engine.Event:
    """One ledger entry as an engine Event (event_from_values of its columns)."""
    return event_from_values(entry.pk, entry.kind, entry.value_date, entry.amount,
                             entry.reverses_id, entry.params, entry.channel)


def entry_id_of(event_id: str) -> int:
    """The LedgerEntry id behind a posting: "42" or a derived posting's "42/rebate"."""
    return int(event_id.split("/", 1)[0])


def events_for(credit: Credit) -> list[engine.Event]:
    """The credit's ledger entries as engine Events (uses a prefetch when present)."""
    return [event_for(e) for e in credit.ledger_entries.all()]


def state_from_rows(
    credit: Credit,
    *,
    disbursements: list[engine.Disbursement],
    events: list[engine.Event],
    calendar: engine.BusinessCalendar,
    as_of: dt.date,
) -> engine.CreditState:
    """Replay with already-loaded rows (batch callers load many credits at once)."""
    return engine.credit_state(terms=terms_for(credit), disbursements=disbursements,
                               events=events, calendar=calendar, as_of=as_of)


def credit_state(credit: Credit, *, as_of: dt.date,
                 calendar: engine.BusinessCalendar | None = None) -> engine.CreditState:
    """The credit as the engine sees it at `as_of`.

    Queries: product (unless select_related), disbursements and ledger entries (unless
    prefetched), bank-closure days (unless `calendar` is given): at most four.
    """
    return state_from_rows(
        credit,
        disbursements=disbursements_for(credit),
        events=events_for(credit),
        calendar=calendar or business_calendar(),
        as_of=as_of,
    )


# --- engine -> the credit's displayed status and JSON ---------------------------------------
def status_for(credit: Credit, state: engine.CreditState) -> str:
    """The displayed status: the administrative status if set, else the engine's mapped one.
    A credit with nothing disbursed yet is "en estudios"."""
    return status_from(credit.administrative_status, state)


def status_from(administrative_status: str, state: engine.CreditState) -> str:
    """status_for with the credit's administrative status given (no model needed)."""
    if administrative_status:
        return administrative_status
    if state.principal_disbursed == 0 and not any(s.installments for s in state.schedules):
        return Credit.Status.STUDYING
    return FINANCIAL_TO_STATUS[state.status]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _borrower(credit: Credit) -> dict[str, str]:
    person = credit.borrower
    return {"curp": person.curp, "name": person.full_name}


def state_json(credit: Credit, state: engine.CreditState) -> dict[str, Any]:
    """The credit's state as JSON (docs/interfaces.md, `credit show --json`): money as "1234.50",
    dates ISO, installment statuses as the engine's codes."""
    from recupera.payments.references import payment_reference_for

    natural_keys = {e.pk: e.natural_key for e in credit.ledger_entries.all()}
    return {
        "folio": credit.folio,
        "payment_reference": payment_reference_for(credit),
        "as_of": state.as_of.isoformat(),
        "status": str(status_for(credit, state)),
        "financial_status": state.status,
        "days_past_due": state.days_past_due,
        "bucket": state.bucket,
        "principal_disbursed": money_json(state.principal_disbursed),
        "principal_outstanding": money_json(state.principal_outstanding),
        "overdue_principal": money_json(state.overdue_principal),
        "overdue_interest": money_json(state.overdue_interest),
        "late_interest": money_json(state.late_interest),
        "fees_due": money_json(state.fees_due),
        "total_overdue": money_json(state.total_overdue),
        "payoff_amount": money_json(state.payoff_amount),
        "credit_balance": money_json(state.credit_balance),
        "written_off": money_json(state.written_off),
        "written_off_on": _iso(state.written_off_on),
        "next_due_date": _iso(state.next_due_date),
        "first_due_date": _iso(state.first_due_date),
        "installment_amount": money_json(state.installment_amount),
        "schedule_version": state.schedule_version,
        "borrower": _borrower(credit),
        "installments": [
            {
                "number": i.number,
                "schedule_version": i.schedule_version,
                "due_date": i.due_date.isoformat(),
                "effective_due_date": i.effective_due_date.isoformat(),
                "principal": money_json(i.principal),
                "interest": money_json(i.interest),
                "rebate": money_json(i.rebate),
                "fees": money_json(i.fees),
                "paid_principal": money_json(i.paid_principal),
                "paid_interest": money_json(i.paid_interest),
                "paid_late_interest": money_json(i.paid_late_interest),
                "paid_fees": money_json(i.paid_fees),
                "late_interest_accrued": money_json(i.late_interest_accrued),
                "status": i.status,
                "paid_on": _iso(i.paid_on),
            }
            for i in state.installments
        ],
        "payments": [
            {
                "date": p.value_date.isoformat(),
                "kind": p.kind,
                "amount": money_json(p.amount),
                "channel": p.channel,
                "natural_key": natural_keys.get(entry_id_of(p.event_id), ""),
                "rejected_reason": p.rejected_reason,
                "allocations": [
                    {
                        "installment": a.installment,
                        "schedule_version": a.schedule_version,
                        "component": a.component,
                        "amount": money_json(a.amount),
                    }
                    for a in p.allocations
                ],
            }
            for p in state.postings
        ],
    }
