"""Fast construction of the contract's frozen dataclasses, for the replay's hot paths.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, which
dominates the cost of freezing a replay (hundreds of objects per credit). These helpers build
the very same objects by giving them their complete `__dict__` at once; the result compares,
hashes and prints exactly like a normally constructed instance
(tests/engine/test_frozen_helpers.py pins that). Every field must be given.

The hottest classes get their `__dict__` through the class's own `__dict__` descriptor
(`_set_*_dict(obj, values)`), which skips `object.__setattr__`'s attribute lookup: about 15 %
less per object, and a replay makes hundreds of them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from .types import Allocation, InstallmentState, Posting, ScheduledInstallment

T = TypeVar("T")

_new = object.__new__
_set = object.__setattr__


def dict_setter(cls: type[Any]) -> Any:
    """The setter of `cls`'s instance `__dict__` (a getset descriptor of the class itself)."""
    return cls.__dict__["__dict__"].__set__


set_allocation_dict = dict_setter(Allocation)
set_posting_dict = dict_setter(Posting)
set_installment_state_dict = dict_setter(InstallmentState)
set_scheduled_installment_dict = dict_setter(ScheduledInstallment)


def build(cls: type[T], values: dict[str, Any]) -> T:
    """`cls(**values)` without the per-field `object.__setattr__` calls of a frozen init."""
    obj = _new(cls)
    _set(obj, "__dict__", values)
    return obj


def allocation(
    installment: int | None, component: str, amount: Decimal, schedule_version: int = 1
) -> Allocation:
    obj = _new(Allocation)
    set_allocation_dict(
        obj,
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
    set_posting_dict(
        obj,
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
