"""The state of a credit at any date: replay of its ledger (docs/domain.md §3.13, §3.16).

`credit_state` builds the original schedule from the disbursements made by `as_of`, then applies
the events with value_date ≤ as_of in (value_date, seq) order. A late-arriving payment with an
earlier value date is therefore applied in its place and every later event is re-allocated.

Interpretations (the precise readings of docs/domain.md §3 where its wording leaves room):

* Reversal (§3.13): the reversed event is skipped, so every financial figure is exactly the one
  of a ledger that never had it. Its posting stays, in its place, with no allocations and
  rejected_reason "reversado"; the reversal has its own posting. A reversal of a reversal
  reinstates the original. A reversal whose target is unknown is rejected.
* "Overdue" (prepayment, payoff rate): some open installment is past its effective due date with
  anything unpaid (no tolerance; the tolerance applies to days past due only).
* Prepayment (§3.10): rejected while anything is overdue (the money becomes credit balance and
  the posting says why in Spanish). Otherwise it re-amortizes the *untouched future block*: the
  trailing installments due after the value date that have no payment, fee or discount on them.
  Future installments already paid ahead (fully or partly) are kept exactly as they are, so no
  money already allocated moves. The prepayment reduces the block's principal (allocation
  component "prepaid_principal", installment None); the block is replaced by a new schedule
  version (same rate, same due dates anchor, numbering continues) with `keep_installment`
  (default: same installment, fewer months; the last one takes the remainder) or `keep_term`
  (same number of months, lower installment). Money beyond the block's principal is applied as
  an ordinary payment (to installments still due, then credit balance).
* Payoff operation (§3.11): the credit balance counts toward the payoff; if the amount plus the
  credit balance reaches the payoff amount everything is paid (future installments: principal
  and the period interest, the rest of their interest cancelled, status "cancelled"), and the
  excess is credit balance. Otherwise the amount is an ordinary payment and the posting's
  rejected_reason says it did not settle the credit.
* Fee: charged to the oldest open installment (the one due, or the next one when none is due);
  on a fully paid credit, to the last installment, which opens again.
* Discount (§3.14): forgives up to what is owed of the component, oldest installment first
  (interest of an installment not yet overdue is its reduced interest); any part that found
  nothing to forgive is not applied and rejected_reason says so.
* Restructure (§3.15): at its value date every open installment is replaced (status
  "cancelled"); fully paid ones are kept. New principal = `new_principal` if given, else the
  unpaid principal, plus — only when `capitalize_interest` — the unpaid interest of
  installments already due (in full), late interest to the value date and fees. Without
  capitalization those amounts are waived by the restructure itself; the restructure posting
  lists every amount as restructured_principal and capitalized_* or waived_*. Interest of
  installments not yet due is dropped (it was never earned). Defaults: rate = the schedule's,
  term = the number of replaced installments, first due date = value date + 1 month.
  New installments are numbered from 1 in the new version.
* Write-off (castigo), recoveries after it, and the death or disability waiver: see
  `write_off.py`. Once a write-off is in force every later event but a reversal goes to
  `write_off.after_write_off`.
* Disbursements dated after `as_of` are not part of the state at `as_of`.
* Credit balance is a refund liability: it is not applied automatically to later
  installments (only a payoff operation uses it).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, localcontext
from operator import attrgetter

from .aging import bucket_for, days_past_due
from .allocation import allocate, forgive, normalize_order, to_rows_in_default_order
from .calendar import WEEKENDS_ONLY, BusinessCalendar
from .dates import add_months
from .frozen import allocation as new_allocation
from .frozen import posting as new_posting
from .late_interest import accrue, exact_daily_rate
from .money import CENT, ENGINE_CONTEXT, ZERO, round_cents
from .payoff import quote, settle, use_credit_balance
from .rows import Ledger, Row
from .schedule import (
    amortize_with_rows,
    build_schedule_with_rows,
    first_due_date,
    rebate_factor,
    tier_rate,
)
from .types import (
    Allocation,
    CreditState,
    Disbursement,
    Event,
    InstallmentState,
    InstallmentStatus,
    Posting,
    Schedule,
    ScheduledInstallment,
    Terms,
)
from .write_off import after_write_off, write_off, written_off_left

REVERSED = "reversado"
_new = object.__new__
_EVENT_ORDER = attrgetter("value_date", "seq", "id")


def credit_state(
    *,
    terms: Terms,
    disbursements: Iterable[Disbursement],
    events: Iterable[Event],
    calendar: BusinessCalendar = WEEKENDS_ONLY,
    as_of: date,
    installments: bool = True,
) -> CreditState:
    """The complete state of a credit as of `as_of` (see the module docstring).

    `installments=False` leaves `CreditState.installments` empty (every other field is the
    same): for callers that store only the credit's totals, postings and schedules (the
    projections), freezing the per-installment states is a third of a short replay.

    The cyclic garbage collector is paused for the replay (`_gc_paused`): a replay allocates
    hundreds of short-lived, acyclic objects (rows, allocations, postings) whose allocation
    count alone triggers young-generation collections that find nothing to free (about 6 % of
    a 60-payment replay)."""
    with _gc_paused(), localcontext(ENGINE_CONTEXT):
        ledger = replay(
            terms=terms, disbursements=disbursements, events=events, calendar=calendar, as_of=as_of
        )
        return freeze(ledger, as_of, installments=installments)


class _gc_paused:  # noqa: N801 - used as a context manager, named like one
    """Disable the cyclic GC for a block and re-enable it after, only if it was enabled.

    Reference counting still frees everything the replay drops; only the cycle detector waits,
    and nothing here makes cycles. Nested or concurrent uses are safe: whoever found it enabled
    re-enables it, and a collection that was due simply runs after the block."""

    __slots__ = ("was_enabled",)

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        if self.was_enabled:
            gc.disable()

    def __exit__(self, *_exc: object) -> None:
        if self.was_enabled:
            gc.enable()


# -- replay ------------------------------------------------------------------------------------
def replay(
    *,
    terms: Terms,
    disbursements: Iterable[Disbursement],
    events: Iterable[Event],
    calendar: BusinessCalendar,
    as_of: date,
) -> Ledger:
    disbursed = tuple(
        sorted((d for d in disbursements if d.date <= as_of), key=lambda d: (d.date, d.number))
    )
    first_due = first_due_date(terms)
    ledger = Ledger(
        terms, calendar, normalize_order(terms.allocation_order), tier_rate(terms), first_due
    )
    ledger.disbursements = disbursed
    ledger.late_daily = exact_daily_rate(terms.late_rate)
    schedule, rows = build_schedule_with_rows(
        terms, disbursed, calendar, factor=rebate_factor(terms.base_rate, ledger.tier)
    )
    install(ledger, schedule, rows, first=True)

    ordered = [e for e in events if e.value_date <= as_of]
    ordered.sort(key=_EVENT_ORDER)
    reversed_ids = _reversed_ids(ordered)
    by_id: dict[str, Event] | None = None  # made on the first reversal: most ledgers have none
    post = ledger.postings.append
    for event in ordered:
        if reversed_ids and event.id in reversed_ids:
            post(_posting(event, (), REVERSED))
            continue
        kind = event.kind
        if ledger.written_off is not None and kind != "reversal":
            after_write_off(ledger, event)
        elif kind == "payment":
            _payment(ledger, event)
        elif kind == "reversal":
            if by_id is None:
                by_id = {e.id: e for e in ordered}
            target = by_id.get(event.reverses or "")
            if target is None or target.id not in reversed_ids:
                post(_posting(event, (), "No existe el movimiento a reversar en esta fecha"))
            else:
                post(Posting(event.id, kind, event.value_date, target.amount, event.channel, ()))
        elif kind == "prepayment":
            _prepayment(ledger, event)
        elif kind == "payoff":
            _payoff(ledger, event)
        elif kind == "fee":
            _fee(ledger, event)
        elif kind == "discount":
            _discount(ledger, event)
        elif kind == "restructure":
            _restructure(ledger, event)
        elif kind == "write_off" or kind == "waiver":
            write_off(ledger, event)
        else:
            post(_posting(event, (), f"Tipo de movimiento desconocido: {kind}"))
        # Inlined _track_paid_off (once per event).
        if ledger.first_open >= len(ledger.active) and ledger.rows:
            if ledger.paid_off_on is None:
                ledger.paid_off_on = event.value_date
        else:
            ledger.paid_off_on = None
    return ledger


def _reversed_ids(events: list[Event]) -> set[str]:
    """Ids skipped by the replay: targets of reversals that are themselves in force."""
    reversal_of = {e.id: e.reverses for e in events if e.kind == "reversal" and e.reverses}
    reversed_by: dict[str, list[str]] = {}
    for rid, target in reversal_of.items():
        reversed_by.setdefault(target, []).append(rid)
    memo: dict[str, bool] = {}

    def in_force(rid: str, depth: int = 0) -> bool:
        if rid not in memo:
            memo[rid] = depth > 50 or not any(
                in_force(other, depth + 1) for other in reversed_by.get(rid, ())
            )
        return memo[rid]

    return {target for rid, target in reversal_of.items() if in_force(rid)}


def install(ledger: Ledger, schedule: Schedule, rows: list[Row], *, first: bool = False) -> None:
    """Add a schedule version and its rows (the caller places them in `active` unless
    `first`)."""
    ledger.schedules.append(schedule)
    ledger.rows.extend(rows)
    if first:
        ledger.active = list(rows)
        ledger.first_open = 0


def _posting(
    event: Event,
    allocations: tuple[Allocation, ...] | list[Allocation],
    rejected_reason: str | None = None,
    amount: Decimal | None = None,
) -> Posting:
    return new_posting(
        event.id,
        event.kind,
        event.value_date,
        event.amount if amount is None else amount,
        event.channel,
        tuple(allocations),
        rejected_reason,
    )


def _derived(ledger: Ledger, event: Event, kind: str, allocations: list[Allocation]) -> None:
    if allocations:
        total = allocations[0].amount
        for extra in allocations[1:]:
            total += extra.amount
        ledger.postings.append(
            new_posting(f"{event.id}/{kind}", kind, event.value_date, total, "", tuple(allocations))
        )


def _invalid_amount(event: Event) -> str | None:
    amount = event.amount
    if amount <= ZERO:
        return "El importe debe ser mayor que cero"
    if amount != amount.quantize(CENT):
        return "El importe debe expresarse en pesos y centavos (dos decimales)"
    return None


def _has_overdue(ledger: Ledger, d: date) -> bool:
    for row in ledger.active[ledger.first_open :]:
        if row.eff >= d:
            return False
        if not row.settled and row.owed(d) > ZERO:
            return True
    return False


def _payment(ledger: Ledger, event: Event, note: str | None = None) -> None:
    amount = event.amount
    # _invalid_amount's tests, inline: this runs for every payment.
    # (round_cents: any rounding tells whether there is anything beyond the cents)
    if amount <= ZERO or amount != round_cents(amount, CENT):
        ledger.postings.append(_posting(event, (), _invalid_amount(event)))
        return
    d = event.value_date
    active = ledger.active
    first = ledger.first_open
    # Late interest accrues only on rows already overdue at `d`; the oldest open row tells.
    if first < len(active) and active[first].eff < d:
        accrue(ledger, d)
    allocations: list[Allocation] = []
    rebates: list[Allocation] = []
    if ledger.default_order:
        # allocate(ledger, d, amount, allocations, rebates), inline for the default order.
        left = to_rows_in_default_order(ledger, d, amount, allocations, rebates)
        ledger.advance_first_open()
        if left:  # never negative
            ledger.credit_balance += left
            allocations.append(new_allocation(None, "credit_balance", left))
    else:
        allocate(ledger, d, amount, allocations, rebates)
    postings = ledger.postings
    postings.append(
        new_posting(event.id, event.kind, d, amount, event.channel, tuple(allocations), note)
    )
    if rebates:
        # _derived(ledger, event, "rebate", rebates), inline: most payments close a row on time.
        total = rebates[0].amount
        for extra in rebates[1:]:
            total += extra.amount
        postings.append(
            new_posting(f"{event.id}/rebate", "rebate", d, total, "", tuple(rebates), None)
        )


def _to_credit_balance(ledger: Ledger, event: Event, reason: str) -> None:
    ledger.credit_balance += event.amount
    allocation = new_allocation(None, "credit_balance", event.amount)
    ledger.postings.append(_posting(event, (allocation,), reason))


def _prepayment(ledger: Ledger, event: Event) -> None:
    problem = _invalid_amount(event)
    if problem:
        ledger.postings.append(_posting(event, (), problem))
        return
    d = event.value_date
    accrue(ledger, d)
    if _has_overdue(ledger, d):
        _to_credit_balance(
            ledger,
            event,
            f"Pago anticipado a capital no aplicado: el crédito tiene adeudo vencido al "
            f"{d.isoformat()}; el importe quedó como saldo a favor.",
        )
        return
    active = ledger.active
    j = len(active)
    while j > ledger.first_open and active[j - 1].due > d and not active[j - 1].touched():
        j -= 1
    block = active[j:]
    if not block:
        _payment(
            ledger,
            event,
            "Sin mensualidades futuras por re-amortizar: se aplicó como pago ordinario",
        )
        return
    current = ledger.schedule
    block_principal = sum((r.principal for r in block), ZERO)
    applied = min(event.amount, block_principal)
    new_principal = block_principal - applied
    for row in block:
        row.replaced = True
        row.cancel_interest()
    anchor = current.anchor_day
    mode = event.mode or "keep_installment"
    version = len(ledger.schedules) + 1
    factor = rebate_factor(current.rate, ledger.tier)
    a = ZERO
    insts: tuple[ScheduledInstallment, ...] = ()
    new_rows: list[Row] = []
    if new_principal > ZERO:
        try:
            if mode == "keep_installment":
                a, insts, new_rows = amortize_with_rows(
                    new_principal,
                    current.rate,
                    block[0].due,
                    ledger.calendar,
                    installment_amount=current.installment_amount,
                    anchor_day=anchor,
                    first_number=block[0].number,
                    version=version,
                    factor=factor,
                )
            else:
                raise ValueError("keep_term")
        except ValueError:
            a, insts, new_rows = amortize_with_rows(
                new_principal,
                current.rate,
                block[0].due,
                ledger.calendar,
                n=len(block),
                anchor_day=anchor,
                first_number=block[0].number,
                version=version,
                factor=factor,
            )
    schedule = Schedule(
        version=version,
        starts_on=d,
        principal=new_principal,
        rate=current.rate,
        installment_amount=a,
        installments=insts,
        reason="prepayment",
        anchor_day=anchor,
        event_id=event.id,
    )
    install(ledger, schedule, new_rows)
    ledger.active = active[:j] + new_rows
    ledger.advance_first_open()
    allocations = [Allocation(None, "prepaid_principal", applied)]
    rebates: list[Allocation] = []
    excess = event.amount - applied
    if excess > ZERO:
        allocate(ledger, d, excess, allocations, rebates)
    ledger.postings.append(_posting(event, allocations))
    _derived(ledger, event, "rebate", rebates)


def _payoff(ledger: Ledger, event: Event) -> None:
    problem = _invalid_amount(event)
    if problem:
        ledger.postings.append(_posting(event, (), problem))
        return
    d = event.value_date
    accrue(ledger, d)
    q = quote(ledger, d)
    net = q.net(ledger.credit_balance)
    if not (q.current or q.future):
        _payment(ledger, event, "El crédito no tiene adeudo: el importe quedó como saldo a favor")
        return
    if event.amount < net:
        _payment(
            ledger,
            event,
            f"El importe {event.amount} no alcanza el monto para liquidar {net}: "
            f"se aplicó como pago ordinario y el crédito no quedó liquidado",
        )
        return
    allocations: list[Allocation] = []
    used = use_credit_balance(ledger, q, allocations)
    rebates: list[Allocation] = []
    cancellations: list[Allocation] = []
    settle(ledger, d, q, allocations, rebates, cancellations)
    excess = event.amount - (q.gross - used)
    if excess > ZERO:
        ledger.credit_balance += excess
        allocations.append(Allocation(None, "credit_balance", excess))
    ledger.postings.append(_posting(event, allocations))
    _derived(ledger, event, "rebate", rebates)
    _derived(ledger, event, "cancelled_capitalized_interest", cancellations)


def _fee(ledger: Ledger, event: Event) -> None:
    problem = _invalid_amount(event)
    if problem:
        ledger.postings.append(_posting(event, (), problem))
        return
    active = ledger.active
    if not active:
        ledger.postings.append(_posting(event, (), "El crédito no tiene mensualidades"))
        return
    if ledger.first_open < len(active):
        row = active[ledger.first_open]
    else:
        row = active[-1]
        row.settled = False
        row.paid_on = None
        ledger.first_open = len(active) - 1
    row.charge_fee(event.amount)
    allocation = Allocation(row.number, "fees", event.amount, row.version)
    ledger.postings.append(_posting(event, (allocation,)))


def _discount(ledger: Ledger, event: Event) -> None:
    problem = _invalid_amount(event)
    if problem:
        ledger.postings.append(_posting(event, (), problem))
        return
    component = event.component
    if component is None:
        ledger.postings.append(_posting(event, (), "El descuento no indica el concepto"))
        return
    d = event.value_date
    accrue(ledger, d)
    allocations: list[Allocation] = []
    rebates: list[Allocation] = []
    left = forgive(ledger, d, component, event.amount, allocations, rebates)
    note = None
    if left > ZERO:
        note = f"El descuento excede el adeudo de {component}: no se aplicaron {left}"
    ledger.postings.append(_posting(event, allocations, note))
    _derived(ledger, event, "rebate", rebates)


def _restructure(ledger: Ledger, event: Event) -> None:
    d = event.value_date
    accrue(ledger, d)
    current = ledger.schedule
    kept: list[Row] = []
    replaced: list[Row] = []
    for row in ledger.active:
        (kept if row.settled else replaced).append(row)
    label = "capitalized" if event.capitalize_interest else "waived"
    allocations: list[Allocation] = []
    total_principal = ZERO
    total_other = ZERO
    for row in replaced:
        parts = (
            ("restructured_principal", row.unpaid_principal()),
            (f"{label}_interest", row.full_interest_owed() if row.due <= d else ZERO),
            (f"{label}_late_interest", row.late_owed()),
            (f"{label}_fees", row.fees_owed()),
        )
        for name, amount in parts:
            if amount > ZERO:
                allocations.append(Allocation(row.number, name, amount, row.version))
        total_principal += parts[0][1]
        total_other += parts[1][1] + parts[2][1] + parts[3][1]
        row.cancel_interest()
        row.replaced = True
    if event.new_principal is not None:
        principal = event.new_principal
    elif event.capitalize_interest:
        principal = total_principal + total_other
    else:
        principal = total_principal
    rate = current.rate if event.new_rate is None else event.new_rate
    n = event.new_term_months or max(1, len(replaced))
    first = event.new_first_due_date or add_months(d, 1)
    version = len(ledger.schedules) + 1
    a, insts, new_rows = amortize_with_rows(
        principal,
        rate,
        first,
        ledger.calendar,
        n=n,
        version=version,
        factor=rebate_factor(rate, ledger.tier),
    )
    schedule = Schedule(
        version=version,
        starts_on=d,
        principal=principal,
        rate=rate,
        installment_amount=a,
        installments=insts,
        reason="restructure",
        anchor_day=first.day,
        event_id=event.id,
    )
    install(ledger, schedule, new_rows)
    ledger.active = sorted(kept + new_rows, key=lambda r: (r.due, r.version))
    ledger.first_open = 0
    ledger.advance_first_open()
    ledger.postings.append(_posting(event, allocations, amount=principal))


# -- freeze ------------------------------------------------------------------------------------
def _row_status(row: Row, as_of: date) -> InstallmentStatus:
    if row.replaced or row.closed_by_payoff:
        return "cancelled"
    if row.settled:
        return "paid" if row.paid_on is not None and row.paid_on <= row.eff else "paid_late"
    if as_of > row.eff:
        return "overdue"
    if row.paid_p or row.paid_i or row.paid_fees or row.paid_late or row.disc_p or row.disc_i:
        return "partial"
    return "pending"


def freeze(ledger: Ledger, as_of: date, *, installments: bool = True) -> CreditState:
    """Freeze the working ledger into the public `CreditState` at `as_of` (without the
    per-installment states when `installments` is False)."""
    accrue(ledger, as_of)
    terms = ledger.terms
    overdue_principal = overdue_interest = late_total = fees_due = outstanding = ZERO
    next_due: date | None = None
    for row in ledger.active[ledger.first_open :]:
        if row.settled:
            continue
        # unpaid_principal(), fees_owed() and (when anything accrued) late_owed(), read
        # inline: this loop visits every open installment of every credit replayed.
        unpaid = row.p_left
        outstanding += unpaid
        if row.late_exact:
            late_total += row.late_owed()
        fees_due += row.f_left
        if row.eff < as_of:
            overdue_principal += unpaid
            overdue_interest += row.full_interest_owed()
        elif next_due is None and row.due >= as_of:
            next_due = row.due
    if next_due is None:
        for row in ledger.active[ledger.first_open :]:
            if not row.settled and row.due >= as_of:
                next_due = row.due
                break

    # With one schedule version every row is active; only then is the set of ids skipped.
    active_ids = {id(r) for r in ledger.active} if len(ledger.schedules) > 1 else None
    frozen: list[InstallmentState] = []
    append = frozen.append
    for row in ledger.rows if installments else ():
        if row.settled:
            amount_due = ZERO
            row_status: InstallmentStatus
            if row.replaced or row.closed_by_payoff:
                row_status = "cancelled"
            else:  # _row_status, inline for the common case
                paid_on = row.paid_on
                row_status = "paid" if paid_on is not None and paid_on <= row.eff else "paid_late"
        else:
            live = active_ids is None or id(row) in active_ids
            amount_due = row.owed(as_of) if live else ZERO
            row_status = _row_status(row, as_of)
        state = _new(InstallmentState)
        values = state.__dict__  # filled in field order: see frozen.py
        values["number"] = row.number
        values["due_date"] = row.due
        values["effective_due_date"] = row.eff
        values["principal"] = row.principal
        values["interest"] = row.interest
        values["rebate"] = row.rebate
        values["fees"] = row.fees
        values["paid_principal"] = row.paid_p
        values["paid_interest"] = row.paid_i
        values["paid_late_interest"] = row.paid_late
        values["paid_fees"] = row.paid_fees
        values["late_interest_accrued"] = row.late_owed() if row.late_exact else ZERO
        values["status"] = row_status
        values["paid_on"] = row.paid_on
        values["schedule_version"] = row.version
        values["punctual_rebate"] = row.rebate_k
        values["amount_due"] = amount_due
        values["discount_principal"] = row.disc_p
        values["discount_interest"] = row.disc_i
        values["discount_late_interest"] = row.disc_late
        values["discount_fees"] = row.disc_fees
        values["cancelled_interest"] = row.cancelled_interest
        append(state)

    # Rows before first_open are all settled: days_past_due would only skip them.
    dpd = days_past_due(ledger.active[ledger.first_open :], as_of, terms.tolerance)
    payoff = quote(ledger, as_of).net(ledger.credit_balance)
    disbursed = sum((d.amount for d in ledger.disbursements), ZERO)
    nothing_owed = bool(ledger.rows) and ledger.first_open >= len(ledger.active)
    status: str
    if nothing_owed:
        status = "paid_off" if ledger.written_off is None else "written_off"
    elif as_of < ledger.first_due and dpd == 0:
        studying = terms.end_of_studies is not None and as_of < terms.end_of_studies
        status = "studying" if studying else "grace"
    elif dpd > 0:
        status = "overdue"
    else:
        status = "current"
    schedule = ledger.schedule
    return CreditState(
        as_of=as_of,
        status=status,  # type: ignore[arg-type]
        days_past_due=dpd,
        bucket=bucket_for(dpd),
        principal_disbursed=disbursed,
        principal_outstanding=outstanding,
        overdue_principal=overdue_principal,
        overdue_interest=overdue_interest,
        late_interest=late_total,
        fees_due=fees_due,
        total_overdue=overdue_principal + overdue_interest + late_total + fees_due,
        payoff_amount=payoff,
        credit_balance=ledger.credit_balance,
        installment_amount=schedule.installment_amount,
        next_due_date=next_due,
        installments=tuple(frozen),
        postings=tuple(ledger.postings),
        schedules=tuple(ledger.schedules),
        first_due_date=ledger.first_due,
        schedule_version=schedule.version,
        paid_off_on=ledger.paid_off_on if status == "paid_off" else None,
        written_off=written_off_left(ledger),
        written_off_on=ledger.written_off_on,
    )
