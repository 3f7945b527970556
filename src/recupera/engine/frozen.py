"""Fast construction of the contract's frozen dataclasses, for the replay's hot paths.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, which
dominates the cost of freezing a replay (hundreds of objects per credit). These helpers build
the very same objects by giving them their complete `__dict__` at once; the result compares,
hashes and prints exactly like a normally constructed instance
(tests/engine/test_frozen_helpers.py pins that). Every field must be given.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from .types import Allocation, Posting

T = TypeVar("T")

_new = object.__new__
_set = object.__setattr__


def build(cls: type[T], values: dict[str, Any]) -> T:
    """`cls(**values)` without the per-field `object.__setattr__` calls of a frozen init."""
    obj = _new(cls)
    _set(obj, "__dict__", values)
    return obj


def allocation(
    installment: int | None, component: str, amount: Decimal, schedule_version: int = 1
) -> Allocation:
    obj = _new(Allocation)
    _set(
        obj,
        "__dict__",
        {
            "installment": installment,
            "component": component,
            "amount": amount,
            "schedule_version": schedule_version,
        },
    )
    return obj


def posting(
    event_id: str,
    kind: str,
    value_date: date,
    amount: Decimal,
    channel: str,
    allocations: tuple[Allocation, ...],
    rejected_reason: str | None = None,
) -> Posting:
    obj = _new(Posting)
    _set(
        obj,
        "__dict__",
        {
            "event_id": event_id,
            "kind": kind,
            "value_date": value_date,
            "amount": amount,
            "channel": channel,
            "allocations": allocations,
            "rejected_reason": rejected_reason,
        },
    )
    return obj
