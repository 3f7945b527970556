from __future__ import annotations

from decimal import Decimal

from django import template

from recupera.core.identifiers import format_phone
from recupera.core.money import format_mxn
from recupera.core.words import amount_in_words

register = template.Library()


@register.filter
def money(value: Decimal | str | None) -> str:
    """$1,234.50"""
    if value is None or value == "":
        return ""
    return format_mxn(Decimal(str(value)))


@register.filter
def in_words(value: Decimal | str | None) -> str:
    """DOCE MIL PESOS 50/100 M.N."""
    if value is None or value == "":
        return ""
    return amount_in_words(Decimal(str(value)))


@register.filter
def phone(value: str | None) -> str:
    return format_phone(value) if value else ""
