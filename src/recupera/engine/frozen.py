"""Fast construction of the contract's frozen dataclasses, for the replay's hot paths.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, which
dominates the cost of freezing a replay (hundreds of objects per credit). These helpers build
the very same objects by giving them their complete `__dict__` at once; the result compares,
hashes and prints exactly like a normally constructed instance
(tests/engine/test_frozen_helpers.py pins that). Every field must be given.

The hot paths fill the new object's own `__dict__` key by key in field order
(`obj.__dict__["field"] = value`): on CPython 3.11+ the instance's attributes then live in the
class's shared-key storage, and that is about a fifth cheaper than handing the object a fresh
dict (the `_set_*_dict` setters below, kept for callers that have a complete dict already).
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
    values = obj.__dict__
    values["installment"] = installment
    values["component"] = component
    values["amount"] = amount
    values["schedule_version"] = schedule_version
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
    values = obj.__dict__
    values["event_id"] = event_id
    values["kind"] = kind
    values["value_date"] = value_date
    values["amount"] = amount
    values["channel"] = channel
    values["allocations"] = allocations
    values["rejected_reason"] = rejected_reason
    return obj
