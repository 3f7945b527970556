"""credit_state pauses the cyclic GC for the replay and leaves it as it found it."""

import gc
from datetime import date
from decimal import Decimal

import pytest

from recupera.engine import Disbursement, Event, Terms, credit_state

TERMS = Terms(base_rate=Decimal("0.06"), punctual_rate=Decimal("0.03"), late_rate=Decimal("0.09"),
              term_months=12, first_due_date=date(2026, 1, 15))
DISBURSED = (Disbursement(1, date(2025, 6, 1), Decimal("12000.00")),)
EVENTS = [Event(id="p1", kind="payment", value_date=date(2026, 1, 15), seq=1,
                amount=Decimal("1032.80"))]


def _state():
    return credit_state(terms=TERMS, disbursements=DISBURSED, events=EVENTS,
                        as_of=date(2026, 2, 1))


def test_gc_is_enabled_again_after_a_replay() -> None:
    assert gc.isenabled()
    _state()
    assert gc.isenabled()


def test_gc_left_disabled_when_the_caller_had_disabled_it() -> None:
    gc.disable()
    try:
        _state()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gc_is_enabled_again_when_the_replay_raises() -> None:
    with pytest.raises(AttributeError):
        credit_state(terms=TERMS, disbursements=DISBURSED, events=[object()],  # type: ignore[list-item]
                     as_of=date(2026, 2, 1))
    assert gc.isenabled()


def test_replay_result_is_the_same_with_and_without_the_collector() -> None:
    with_gc = _state()
    gc.disable()
    try:
        without = _state()
    finally:
        gc.enable()
    assert with_gc == without
    # A = 1,032.80 (12,000 at 0.5 % a month, 12 months); installment 1: interest 60.00, on time,
    # so its interest is 30.00 (rebate 30.00) and principal 972.80; the 30.00 left pays ahead.
    first, second = with_gc.installments[0], with_gc.installments[1]
    assert (first.paid_principal, first.paid_interest, first.rebate) == (
        Decimal("972.80"), Decimal("30.00"), Decimal("30.00"))
    assert second.paid_interest + second.paid_principal == Decimal("30.00")
