"""Negotiated agreements: the pure arithmetic of offers (docs/domain.md §3.11, §3.14, §3.15).

Standard library only. Frozen dataclasses in and out; dates are passed in.

Definitions used by every offer:

* The **debt** at date D is the engine's payoff amount at D (monto para liquidar), split into
  principal (all unpaid principal), interest (overdue interest + reduced interest of installments
  payable on time + the current period's interest), late interest and fees, less the credit
  balance. ``debt_breakdown`` derives the split from a ``CreditState``.
* A **discount** (quita / condonación) forgives a percentage of a component; the discountable
  interest is the interest of installments already overdue (the current period's interest is
  never a row of the schedule, so it cannot be forgiven by a discount entry).
* ``quote_with_discounts`` replays the credit with the discount entries it would post and
  returns what the debtor pays (the payoff after the discounts) and what is forgiven. Forgiving
  overdue amounts may make the credit current, which lowers the period interest to the punctual
  rate: that difference is reported as ``interest_adjustment`` and is part of what is forgiven,
  so ``pays + forgiven == debt`` always holds to the cent.
* A payment plan splits what the debtor pays into a down payment and N monthly installments;
  the installments are level (rounded to cents, ROUND_HALF_UP) and the last one takes the
  remainder exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .calendar import WEEKENDS_ONLY, BusinessCalendar
from .dates import add_months
from .replay import credit_state
from .schedule import amortize
from .types import Component, CreditState, Disbursement, Event, Terms

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# Order in which discount entries are posted (late interest first: it never closes principal).
DISCOUNT_ORDER: tuple[Component, ...] = ("late_interest", "fees", "interest", "principal")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def pct_of(amount: Decimal, pct: Decimal) -> Decimal:
    """`pct` percent of `amount`, rounded to cents (pct in 0..100)."""
    return cents(amount * pct / HUNDRED)


@dataclass(frozen=True)
class DebtBreakdown:
    principal: Decimal
    interest: Decimal  # overdue + on-time current + current period interest
    overdue_interest: Decimal  # the discountable part of `interest`
    late_interest: Decimal
    fees: Decimal
    credit_balance: Decimal
    total: Decimal  # the payoff amount

    def component(self, name: str) -> Decimal:
        return {
            "principal": self.principal,
            "interest": self.overdue_interest,
            "late_interest": self.late_interest,
            "fees": self.fees,
        }[name]


def debt_breakdown(state: CreditState) -> DebtBreakdown:
    """The payoff amount of `state` split by component (see the module docstring)."""
    principal = state.principal_outstanding
    late = state.late_interest
    fees = state.fees_due
    interest = state.payoff_amount + state.credit_balance - principal - late - fees
    if interest < ZERO:
        interest = ZERO
    return DebtBreakdown(
        principal=principal,
        interest=interest,
        overdue_interest=min(state.overdue_interest, interest),
        late_interest=late,
        fees=fees,
        credit_balance=state.credit_balance,
        total=state.payoff_amount,
    )


@dataclass(frozen=True)
class DiscountPercents:
    """Percentages (0..100) of each component to forgive."""

    late_interest: Decimal = ZERO
    interest: Decimal = ZERO
    principal: Decimal = ZERO
    fees: Decimal = ZERO


@dataclass(frozen=True)
class Discounts:
    late_interest: Decimal = ZERO
    interest: Decimal = ZERO
    principal: Decimal = ZERO
    fees: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.late_interest + self.interest + self.principal + self.fees

    def items(self) -> list[tuple[Component, Decimal]]:
        """(component, amount) in posting order, only the amounts above zero."""
        return [(c, getattr(self, c)) for c in DISCOUNT_ORDER if getattr(self, c) > ZERO]


def discounts_for(debt: DebtBreakdown, percents: DiscountPercents) -> Discounts:
    """Each component's percentage, rounded to cents, never more than the component owes."""
    return Discounts(**{c: min(pct_of(debt.component(c), getattr(percents, c)), debt.component(c))
                        for c in DISCOUNT_ORDER})


def percents_of(debt: DebtBreakdown, discounts: Discounts) -> DiscountPercents:
    """The percentage each discount is of its component (for checking against a policy)."""

    def pct(c: str) -> Decimal:
        base = debt.component(c)
        amount: Decimal = getattr(discounts, c)
        if amount <= ZERO:
            return ZERO
        if base <= ZERO:
            return Decimal("100.01")  # forgiving what is not owed: beyond any policy
        return (amount * HUNDRED / base).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    return DiscountPercents(**{c: pct(c) for c in DISCOUNT_ORDER})


@dataclass(frozen=True)
class Quote:
    as_of: date
    debt: DebtBreakdown
    discounts: Discounts  # as applied by the engine
    interest_adjustment: Decimal  # period interest lowered because the credit became current
    pays: Decimal  # what the debtor pays (the payoff after the discounts)

    @property
    def forgiven(self) -> Decimal:
        return self.discounts.total + self.interest_adjustment


def discount_events(discounts: Discounts, *, value_date: date, first_seq: int,
                    prefix: str = "offer") -> list[Event]:
    """The discount events an agreement posts, in DISCOUNT_ORDER."""
    return [
        Event(id=f"{prefix}:{component}", kind="discount", value_date=value_date,
              seq=first_seq + i, amount=amount, component=component)
        for i, (component, amount) in enumerate(discounts.items())
    ]


def quote_with_discounts(
    *,
    terms: Terms,
    disbursements: Iterable[Disbursement],
    events: Sequence[Event],
    discounts: Discounts,
    as_of: date,
    calendar: BusinessCalendar = WEEKENDS_ONLY,
) -> Quote:
    """Replay the credit with the discount entries at `as_of`: what the debtor pays and what is
    forgiven. Discounts the engine could not apply (nothing owed) are not counted."""
    disbursements = tuple(disbursements)
    before = credit_state(terms=terms, disbursements=disbursements, events=events,
                          calendar=calendar, as_of=as_of)
    debt = debt_breakdown(before)
    first_seq = max((e.seq for e in events), default=0) + 1
    extra = discount_events(discounts, value_date=as_of, first_seq=first_seq)
    if not extra:
        return Quote(as_of, debt, Discounts(), ZERO, debt.total)
    after = credit_state(terms=terms, disbursements=disbursements, events=[*events, *extra],
                         calendar=calendar, as_of=as_of)
    ids = {e.id for e in extra}
    applied: dict[str, Decimal] = {c: ZERO for c in DISCOUNT_ORDER}
    for posting in after.postings:
        if posting.event_id in ids:
            for allocation in posting.allocations:
                if allocation.component.startswith("discount_"):
                    applied[allocation.component.removeprefix("discount_")] += allocation.amount
    applied_discounts = Discounts(**applied)
    adjustment = debt.total - applied_discounts.total - after.payoff_amount
    return Quote(as_of, debt, applied_discounts, adjustment, after.payoff_amount)


@dataclass(frozen=True)
class PlanInstallment:
    number: int  # 0 = down payment
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class PlanSplit:
    total: Decimal
    down_payment: Decimal
    installments: tuple[PlanInstallment, ...]  # the down payment (number 0) first when > 0

    @property
    def installment_amount(self) -> Decimal:
        regular = [i for i in self.installments if i.number > 0]
        return regular[0].amount if regular else ZERO


def plan_split(*, total: Decimal, down_payment: Decimal, installments: int,
               down_payment_date: date, first_due_date: date) -> PlanSplit:
    """Down payment on its date, then `installments` monthly level amounts from
    `first_due_date` (anchored on its day); the last takes the remainder exactly."""
    if installments < 1:
        raise ValueError("a payment plan needs at least one installment")
    if down_payment < ZERO or down_payment > total:
        raise ValueError("the down payment must be between zero and the total")
    rest = total - down_payment
    level = cents(rest / installments)
    rows: list[PlanInstallment] = []
    if down_payment > ZERO:
        rows.append(PlanInstallment(0, down_payment_date, down_payment))
    for k in range(1, installments + 1):
        amount = level if k < installments else rest - level * (installments - 1)
        rows.append(PlanInstallment(k, add_months(first_due_date, k - 1, first_due_date.day),
                                    amount))
    return PlanSplit(total, down_payment, tuple(rows))


def plan_progress(split: PlanSplit, paid: Decimal, as_of: date,
                  tolerance_days: int = 0) -> tuple[int, Decimal]:
    """(missed installments, amount behind) at `as_of`: an installment is missed when its due
    date + tolerance has passed and the money received since the agreement does not cover the
    plan up to and including it (payments count toward the oldest installments first)."""
    due_so_far = ZERO
    missed = 0
    for row in split.installments:
        due_so_far += row.amount
        passed = (as_of - row.due_date).days > tolerance_days
        if passed and paid < due_so_far:
            missed += 1
    required = sum((r.amount for r in split.installments
                    if (as_of - r.due_date).days > tolerance_days), ZERO)
    behind = required - paid
    return missed, behind if behind > ZERO else ZERO


@dataclass(frozen=True)
class Limits:
    """What one authority level may grant (percentages 0..100)."""

    late_interest: Decimal
    interest: Decimal
    principal: Decimal
    min_down_payment: Decimal
    max_installments: int


def exceeds(limits: Limits, percents: DiscountPercents, *, down_payment_pct: Decimal | None = None,
            installments: int | None = None) -> list[str]:
    """The names of the limits an offer exceeds (empty: within these limits)."""
    out: list[str] = []
    if percents.late_interest > limits.late_interest:
        out.append("late_interest")
    if percents.interest > limits.interest:
        out.append("interest")
    if percents.principal > limits.principal:
        out.append("principal")
    if percents.fees > limits.late_interest:  # fees follow the late-interest waiver limit
        out.append("fees")
    if down_payment_pct is not None and down_payment_pct < limits.min_down_payment:
        out.append("min_down_payment")
    if installments is not None and installments > limits.max_installments:
        out.append("max_installments")
    return out


def required_level(levels: Sequence[tuple[int, Limits]], percents: DiscountPercents, *,
                   down_payment_pct: Decimal | None = None,
                   installments: int | None = None) -> int | None:
    """The lowest authority level (levels sorted by number) whose limits cover the offer;
    None when no level does (the offer is outside policy)."""
    for level, limits in sorted(levels, key=lambda item: item[0]):
        if not exceeds(limits, percents, down_payment_pct=down_payment_pct,
                       installments=installments):
            return level
    return None


# --- what an agreement forgives (the authority it needs) ---------------------------------------
@dataclass(frozen=True)
class RestructureTerms:
    """The new schedule of a restructure. With `capitalize_interest` the new principal is
    everything still owed after the agreed discounts (principal, interest including the current
    period's, late interest and fees): nothing is waived by the restructure itself. Without it
    the restructure waives the interest, late interest and fees owed (engine.replay) and that
    money counts as forgiven."""

    capitalize_interest: bool = False
    new_rate: Decimal | None = None
    new_term_months: int | None = None
    new_first_due_date: date | None = None


@dataclass(frozen=True)
class Forgiveness:
    """What an agreement forgives at its date, per component, as the engine applies it.

    * ``forgiven`` holds every amount that leaves the debt: the discount entries, what a
      restructure waives (``waived_*`` allocations) and what the change of the period's interest
      takes off (the credit becoming current lowers it to the punctual rate; a restructure
      drops the interest of the current period when it does not capitalize it). The interest
      component is the part of ``total`` not explained by the other three, so
      ``pays + total == debt.total`` to the cent.
    * ``pays`` is what stays owed at the date (the payoff amount after the agreement; for a
      restructure: the new principal less the credit balance).
    * ``unapplied`` is discount money the engine could not apply (nothing owed of it).
    """

    as_of: date
    debt: DebtBreakdown
    discounts: Discounts
    forgiven: Discounts
    pays: Decimal
    new_principal: Decimal | None = None
    unapplied: Decimal = ZERO
    # A restructure at a rate below the credit's: the interest of the new schedule at the old
    # rate and how much of it the lower rate gives up (future interest, not part of `total`).
    future_interest: Decimal = ZERO
    rate_cut: Decimal = ZERO
    # What earlier agreements on the credit already forgave (discounts still in force since the
    # last restructure): the limits hold the sum (`forgiveness_limits`).
    prior: Discounts = Discounts()

    @property
    def total(self) -> Decimal:
        return self.forgiven.total

    @property
    def interest_adjustment(self) -> Decimal:
        """What is forgiven beyond the discount entries (restructure waivers, period interest)."""
        return self.total - self.discounts.total


def _applied(postings: Iterable, ids: set[str], prefix: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {c: ZERO for c in DISCOUNT_ORDER}
    for posting in postings:
        if posting.event_id in ids:
            for allocation in posting.allocations:
                name = allocation.component
                if name.startswith(prefix) and name.removeprefix(prefix) in out:
                    out[name.removeprefix(prefix)] += allocation.amount
    return out


def assess(
    *,
    terms: Terms,
    disbursements: Iterable[Disbursement],
    events: Sequence[Event],
    discounts: Discounts,
    as_of: date,
    restructure: RestructureTerms | None = None,
    calendar: BusinessCalendar = WEEKENDS_ONLY,
    prior: Discounts = Discounts(),
) -> Forgiveness:
    """Replay the credit with the entries an agreement posts at `as_of` (its discounts and, for
    a restructure, the restructure entry) and measure, per component, the money it forgives.
    This is the one figure the simulator shows, the proposal stores and the approval enforces
    (``required_level_for``)."""
    disbursements = tuple(disbursements)
    before = credit_state(terms=terms, disbursements=disbursements, events=events,
                          calendar=calendar, as_of=as_of)
    debt = debt_breakdown(before)
    first_seq = max((e.seq for e in events), default=0) + 1
    extra = discount_events(discounts, value_date=as_of, first_seq=first_seq)
    ids = {e.id for e in extra}
    future_interest = rate_cut = ZERO
    after = before
    if extra:
        after = credit_state(terms=terms, disbursements=disbursements, events=[*events, *extra],
                             calendar=calendar, as_of=as_of)
    applied = Discounts(**_applied(after.postings, ids, "discount_"))
    new_principal: Decimal | None = None
    waived = {c: ZERO for c in DISCOUNT_ORDER}
    principal_short = ZERO
    if restructure is not None:
        if restructure.capitalize_interest:
            # Everything still owed after the discounts becomes the new principal.
            new_principal = after.payoff_amount + after.credit_balance
        event = Event(id="offer:restructure", kind="restructure", value_date=as_of,
                      seq=first_seq + len(extra), new_rate=restructure.new_rate,
                      new_term_months=restructure.new_term_months,
                      new_first_due_date=restructure.new_first_due_date,
                      new_principal=new_principal,
                      capitalize_interest=restructure.capitalize_interest)
        after = credit_state(terms=terms, disbursements=disbursements,
                             events=[*events, *extra, event], calendar=calendar, as_of=as_of)
        waived = _applied(after.postings, {event.id}, "waived_")
        posting = next(p for p in after.postings if p.event_id == event.id)
        carried = sum((a.amount for a in posting.allocations
                       if a.component == "restructured_principal"
                       or a.component.startswith("capitalized_")), ZERO)
        new_principal = posting.amount
        principal_short = max(carried - posting.amount, ZERO)
        old_rate = before.schedules[-1].rate if before.schedules else terms.base_rate
        new_schedule = after.schedules[-1]
        if restructure.new_rate is not None and restructure.new_rate < old_rate:
            n = len(new_schedule.installments)
            future_interest = level_interest(new_principal, old_rate, n)
            rate_cut = future_interest - level_interest(new_principal, restructure.new_rate, n)
    total = debt.total - after.payoff_amount
    late = applied.late_interest + waived["late_interest"]
    fees = applied.fees + waived["fees"]
    principal = applied.principal + waived["principal"] + principal_short
    forgiven = Discounts(late_interest=late, fees=fees, principal=principal,
                         interest=total - late - fees - principal)
    return Forgiveness(as_of=as_of, debt=debt, discounts=applied, forgiven=forgiven,
                       pays=after.payoff_amount, new_principal=new_principal,
                       unapplied=discounts.total - applied.total, future_interest=future_interest,
                       rate_cut=rate_cut, prior=prior)


def prior_forgiveness(events: Sequence[Event], agreement_entry_ids: Iterable[str]) -> Discounts:
    """What earlier agreements forgave on the credit, per component: their discount entries
    (`agreement_entry_ids`) that are not reversed and are dated after the credit's last
    restructure (a restructure starts a new debt and its own discounts belong to the old one)."""
    ids = set(agreement_entry_ids)
    reversed_ids = {e.reverses for e in events if e.kind == "reversal" and e.reverses}
    restructured = max((e.value_date for e in events if e.kind == "restructure"
                        and e.id not in reversed_ids), default=None)
    out: dict[str, Decimal] = {c: ZERO for c in DISCOUNT_ORDER}
    for e in events:
        if e.kind == "discount" and e.id in ids and e.id not in reversed_ids and e.component in out \
                and (restructured is None or e.value_date > restructured):
            out[e.component] += e.amount
    return Discounts(**out)


def level_interest(principal: Decimal, rate: Decimal, n: int) -> Decimal:
    """The total interest of a level (French) schedule of `n` monthly installments at the annual
    `rate`: the interest column of schedule.amortize (due dates do not change it)."""
    if n < 1 or principal <= ZERO or rate <= ZERO:
        return ZERO
    _installment, rows = amortize(principal, rate, date(2000, 1, 31), n=n)
    return sum((row.interest for row in rows), ZERO)


def off_books(debt: DebtBreakdown, as_of: date) -> Forgiveness:
    """A write-off or a death/disability waiver: the whole debt at `as_of` leaves the books."""
    whole = Discounts(late_interest=debt.late_interest, fees=debt.fees, interest=debt.interest,
                      principal=debt.principal)
    return Forgiveness(as_of=as_of, debt=debt, discounts=Discounts(), forgiven=whole, pays=ZERO)


def forgiveness_limits(limits: Limits, debt: DebtBreakdown, prior: Discounts = Discounts()) -> Discounts:
    """The most money one level may forgive of this debt, per component: its percentage of
    what is owed (interest: all interest in the debt, the current period's included), rounded
    to cents like the discounts. Fees follow the late-interest limit. What earlier agreements
    forgave (`prior`) counts: the percentage applies to what was owed before them, less what
    they forgave (it may be negative: nothing more may be forgiven at this level)."""
    def cap(owed: Decimal, pct: Decimal, before: Decimal) -> Decimal:
        return pct_of(owed + before, pct) - before

    return Discounts(late_interest=cap(debt.late_interest, limits.late_interest, prior.late_interest),
                     interest=cap(debt.interest, limits.interest, prior.interest),
                     principal=cap(debt.principal, limits.principal, prior.principal),
                     fees=cap(debt.fees, limits.late_interest, prior.fees))


def exceeds_money(limits: Limits, forgiveness: Forgiveness, *,
                  down_payment_pct: Decimal | None = None,
                  installments: int | None = None) -> list[str]:
    """The names of the limits an agreement exceeds, comparing the money it forgives with the
    money the level may forgive (empty: within these limits)."""
    cap = forgiveness_limits(limits, forgiveness.debt, forgiveness.prior)
    out = [c for c in ("late_interest", "interest", "principal", "fees")
           if getattr(forgiveness.forgiven, c) > ZERO and getattr(forgiveness.forgiven, c) > getattr(cap, c)]
    # a lower rate gives up future interest: under the same interest limit, as a share of the
    # new schedule's interest at the credit's rate
    if forgiveness.rate_cut > pct_of(forgiveness.future_interest, limits.interest):
        out.append("rate")
    if down_payment_pct is not None and down_payment_pct < limits.min_down_payment:
        out.append("min_down_payment")
    if installments is not None and installments > limits.max_installments:
        out.append("max_installments")
    return out


def required_level_for(levels: Sequence[tuple[int, Limits]], forgiveness: Forgiveness, *,
                       down_payment_pct: Decimal | None = None,
                       installments: int | None = None) -> int | None:
    """The lowest authority level whose limits cover the money the agreement forgives (and its
    down payment and number of payments); None when no level does (outside policy)."""
    for level, limits in sorted(levels, key=lambda item: item[0]):
        if not exceeds_money(limits, forgiveness, down_payment_pct=down_payment_pct,
                             installments=installments):
            return level
    return None


def settlement_at(
    *,
    terms: Terms,
    disbursements: Iterable[Disbursement],
    events: Sequence[Event],
    discounts: Discounts,
    pays: Decimal,
    value_date: date,
    calendar: BusinessCalendar = WEEKENDS_ONLY,
    prior: Discounts = Discounts(),
) -> Forgiveness | None:
    """A settlement agreed at `pays` and paid on `value_date` (up to the offer's validity): the
    late interest accrued since the agreement date is forgiven on top of the agreed discounts so
    that the debtor pays exactly the agreed amount. Returns what is then forgiven at
    `value_date` (the figure whose authority the settlement needs), or None when the agreed
    amount no longer settles the credit (the debt grew by more than late interest)."""
    disbursements = tuple(disbursements)
    kw = {"terms": terms, "disbursements": disbursements, "events": events, "calendar": calendar,
          "prior": prior}
    first = assess(discounts=discounts, as_of=value_date, **kw)
    extra = first.pays - pays
    if extra <= ZERO:
        return first
    room = first.debt.late_interest - first.discounts.late_interest
    if extra > room:
        return None
    more = Discounts(late_interest=discounts.late_interest + extra, interest=discounts.interest,
                     principal=discounts.principal, fees=discounts.fees)
    return assess(discounts=more, as_of=value_date, **kw)
