"""The audit log for people: an entry's values before and after as a readable list.

Field names become the model's Spanish field names, choice codes their labels, ISO dates
26/11/2026, timestamps Sonora's local time (26/11/2026 14:05), amounts es-MX money ($1,234.50)
when the field is a money field (a DecimalField with two decimals) or its name says so; lists
are joined with commas and nested values flattened one level. The object's type is the model's
Spanish name. Models are found through Django's app registry (no app is imported here)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from recupera.core.money import format_mxn

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_AMOUNT = re.compile(r"^-?\d+\.\d{2}$")
_MONEY_WORDS = ("amount", "importe", "balance", "saldo", "principal", "interest", "payoff", "overdue",
                "fee", "monto", "total", "discount", "descuento", "paid", "due_amount")


@dataclass(frozen=True)
class AuditValue:
    label: str
    value: str


@lru_cache(maxsize=256)
def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


@lru_cache(maxsize=1)
def _all_choice_labels() -> dict[str, str]:
    """Every choice code of Recupera's models with its label (codes that look like codes)."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("recupera."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    labels.setdefault(value, str(label))
    return labels


def object_type_label(object_type: str) -> str:
    """"payments.paymentimport" → «Importación de pagos» (the model's Spanish name)."""
    model = _model(object_type)
    if model is None:
        return object_type.split(".")[-1].replace("_", " ")
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


def _field(model: type[models.Model] | None, key: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except Exception:  # noqa: BLE001 - any name that is not a field
        return None


def _key_label(field: Any, key: str) -> str:
    if field is not None and getattr(field, "verbose_name", None):
        name = str(field.verbose_name)
    else:
        name = key.replace("_", " ")
    return name[:1].upper() + name[1:]


def _is_money(field: Any, key: str) -> bool:
    if isinstance(field, models.DecimalField):
        return field.decimal_places == 2
    return any(word in key.lower() for word in _MONEY_WORDS)


def format_value(value: Any, *, field: Any = None, key: str = "") -> str:
    """One value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v, field=field, key=key) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{_key_label(None, str(k))}: {format_value(v, key=str(k))}"
                         for k, v in value.items()) or "—"
    if field is not None and getattr(field, "flatchoices", None):
        for code, label in field.flatchoices:
            if str(code) == str(value):
                return str(label)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if _is_money(field, key) and not isinstance(field, models.IntegerField | models.ForeignKey):
            return format_mxn(Decimal(str(value)))
        return str(value)
    text = str(value)
    if _ISO_DATETIME.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%d/%m/%Y %H:%M")
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    if _AMOUNT.match(text) and _is_money(field, key):
        try:
            return format_mxn(Decimal(text))
        except InvalidOperation:
            return text
    return _all_choice_labels().get(text, text)


def audit_values(values: Any, object_type: str) -> list[AuditValue]:
    """An entry's `before` or `after` as (Spanish field name, readable value) pairs."""
    if values in (None, "", {}, []):
        return []
    if not isinstance(values, dict):
        return [AuditValue(label="", value=format_value(values))]
    model = _model(object_type)
    rows = []
    for key, value in values.items():
        field = _field(model, str(key))
        rows.append(AuditValue(label=_key_label(field, str(key)), value=format_value(value, field=field, key=str(key))))
    return rows
