from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from recupera.core.audit_display import audit_values
from recupera.core.audit_display import object_type_label as _object_type_label
from recupera.core.identifiers import format_phone
from recupera.core.money import format_mxn
from recupera.core.words import amount_in_words

register = template.Library()


@register.filter
def money(value: Decimal | str | None) -> str:
    """$1,234.50"""
    if value is None or value == "":
        return ""
    return format_mxn(value if isinstance(value, Decimal) else Decimal(str(value)))


@register.filter
def dmy(value: dt.date | None) -> str:
    """26/11/2026: the same text as |date:"d/m/Y", without the general formatter (long tables
    of dates: the schedule, the movements). Aware datetimes are shown in local time."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


@register.filter
def in_words(value: Decimal | str | None) -> str:
    """DOCE MIL PESOS 50/100 M.N."""
    if value is None or value == "":
        return ""
    return amount_in_words(Decimal(str(value)))


@register.filter
def phone(value: str | None) -> str:
    return format_phone(value) if value else ""


@register.filter
def staff_name(user: Any) -> str:
    """A staff member as people know them: the full name («Lucía Mora»), the user name only
    when no name was given; "—" for nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def audit_before(entry: Any) -> list[Any]:
    """The entry's values before, readable (core/audit_display.py)."""
    return audit_values(entry.before, entry.object_type)


@register.filter
def audit_after(entry: Any) -> list[Any]:
    return audit_values(entry.after, entry.object_type)


@register.filter
def object_type_label(value: str) -> str:
    """«Importación de pagos», not payments.paymentimport."""
    return _object_type_label(value)
