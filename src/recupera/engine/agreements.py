"""Negotiated agreements: the pure arithmetic of offers (DOMAIN.md §3.11, §3.14, §3.15).

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
