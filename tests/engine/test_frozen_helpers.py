"""The fast constructors build objects identical to the dataclasses' own constructors."""

from datetime import date
from decimal import Decimal

from recupera.engine.frozen import allocation, build, posting
from recupera.engine.types import Allocation, Posting, ScheduledInstallment


def test_fast_constructors_equal_normal_construction() -> None:
    a = Allocation(1, "interest", Decimal("1.00"), 2)
    assert allocation(1, "interest", Decimal("1.00"), 2) == a
    assert hash(allocation(1, "interest", Decimal("1.00"), 2)) == hash(a)
    assert repr(allocation(1, "interest", Decimal("1.00"), 2)) == repr(a)
    p = Posting("e", "payment", date(2025, 1, 1), Decimal("1.00"), "caja", (a,))
    assert posting("e", "payment", date(2025, 1, 1), Decimal("1.00"), "caja", (a,)) == p
    s = ScheduledInstallment(1, date(2025, 1, 1), date(2025, 1, 1), Decimal("1"), Decimal("2"))
    built = build(
        ScheduledInstallment,
        {
            "number": 1,
            "due_date": date(2025, 1, 1),
            "effective_due_date": date(2025, 1, 1),
            "principal": Decimal("1"),
            "interest": Decimal("2"),
        },
    )
    assert built == s and built.total == Decimal("3")


def test_fast_constructors_fill_the_same_instance_dict() -> None:
    """The hot paths fill `obj.__dict__` key by key: same keys, same order, same values."""
    a = Allocation(1, "interest", Decimal("1.00"), 2)
    fast = allocation(1, "interest", Decimal("1.00"), 2)
    assert list(vars(fast).items()) == list(vars(a).items())
    p = Posting("e", "payment", date(2025, 1, 1), Decimal("1.00"), "caja", (a,), None)
    fast_p = posting("e", "payment", date(2025, 1, 1), Decimal("1.00"), "caja", (a,))
    assert list(vars(fast_p).items()) == list(vars(p).items())
