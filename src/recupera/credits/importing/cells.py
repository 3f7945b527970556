"""Checking the cells of one row: each check parses a cell or records a Spanish problem."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from recupera.core.identifiers import validate_curp
from recupera.credits.importing.problems import Problem, lower_first
from recupera.credits.importing.sources import Table

DECIMAL_RE = re.compile(r"-?\d+(\.\d+)?")
INTEGER_RE = re.compile(r"-?\d+")


def validation_text(exc: ValidationError) -> str:
    return lower_first(" ".join(exc.messages))


def date_text(value: dt.date) -> str:
    return value.isoformat()


class RowCheck:
    """The cells of one row and the problems found in them (all of them, not the first)."""

    def __init__(self, table: Table, row: int, cells: dict[str, str], problems: list[Problem]):
        self.table = table
        self.row = row
        self.cells = cells
        self.problems = problems
        self.errors = 0

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def error(self, column: str, message: str) -> None:
        self.errors += 1
        self.problems.append(Problem(self.table.label, self.row, column, message))

    def raw(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def _missing(self, column: str) -> None:
        self.error(column, _("el dato es obligatorio y está vacío."))

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        value = " ".join(self.raw(column).split())
        if not value:
            if required:
                self._missing(column)
            return ""
        if len(value) > max_length:
            self.error(column, _("el texto tiene %(n)s caracteres; el máximo es %(max)s.")
                       % {"n": len(value), "max": max_length})
            return value[:max_length]
        return value

    def curp(self, column: str, *, required: bool = True) -> str | None:
        value = self.raw(column)
        if not value:
            if required:
                self._missing(column)
            return None
        try:
            return validate_curp(value)
        except ValidationError as exc:
            self.error(column, validation_text(exc))
            return None

    def date(self, column: str, *, low: dt.date, high: dt.date, high_reason: str,
             required: bool = False) -> dt.date | None:
        value = self.raw(column)
        if not value:
            if required:
                self._missing(column)
            return None
        try:
            parsed = dt.date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            parsed = None
        if parsed is None:
            self.error(column, _("«%(value)s» no es una fecha válida; escríbala como AAAA-MM-DD "
                                 "(por ejemplo 2024-03-15).") % {"value": value})
            return None
        if parsed < low:
            self.error(column, _("la fecha %(date)s es anterior a %(low)s; revísela.")
                       % {"date": date_text(parsed), "low": date_text(low)})
            return None
        if parsed > high:
            self.error(column, _("la fecha %(date)s es posterior a %(high)s (%(reason)s).")
                       % {"date": date_text(parsed), "high": date_text(high), "reason": high_reason})
            return None
        return parsed

    def _decimal(self, column: str, value: str) -> Decimal | None:
        if not DECIMAL_RE.fullmatch(value):
            hint = ""
            if "," in value:
                hint = _(" Use punto decimal y no use separador de miles (1234.50).")
            elif "$" in value or " " in value:
                hint = _(" Escriba solo el número, sin signo de pesos ni espacios (1234.50).")
            self.error(column, _("«%(value)s» no es un número válido.%(hint)s") % {"value": value, "hint": hint})
            return None
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes it
            self.error(column, _("«%(value)s» no es un número válido.") % {"value": value})
            return None

    def money(self, column: str, *, required: bool = True) -> Decimal | None:
        value = self.raw(column)
        if not value:
            if required:
                self._missing(column)
            return None
        amount = self._decimal(column, value)
        if amount is None:
            return None
        if amount <= 0:
            self.error(column, _("el importe %(value)s debe ser mayor que cero.") % {"value": value})
            return None
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            self.error(column, _("el importe %(value)s tiene más de dos decimales.") % {"value": value})
            return None
        if amount >= Decimal("1000000000000"):
            self.error(column, _("el importe %(value)s es demasiado grande.") % {"value": value})
            return None
        return amount.quantize(Decimal("0.01"))

    def integer(self, column: str, *, low: int, high: int, required: bool = False) -> int | None:
        value = self.raw(column)
        if not value:
            if required:
                self._missing(column)
            return None
        if not INTEGER_RE.fullmatch(value):
            self.error(column, _("«%(value)s» no es un número entero.") % {"value": value})
            return None
        number = int(value)
        if not low <= number <= high:
            self.error(column, _("%(value)s está fuera de rango (de %(low)s a %(high)s).")
                       % {"value": value, "low": low, "high": high})
            return None
        return number

    def rate(self, column: str) -> Decimal | None:
        """An annual rate as a fraction: 0.06 is 6 %."""
        value = self.raw(column)
        if not value:
            return None
        rate = self._decimal(column, value)
        if rate is None:
            return None
        if rate < 0 or rate >= 1:
            hint = (_(" La tasa se escribe como fracción: 0.06 es 6 %.") if rate >= 1 else "")
            self.error(column, _("la tasa %(value)s está fuera de rango (de 0 a menos de 1).%(hint)s")
                       % {"value": value, "hint": hint})
            return None
        if rate.as_tuple().exponent < -6:  # type: ignore[operator]
            self.error(column, _("la tasa %(value)s tiene más de seis decimales.") % {"value": value})
            return None
        return rate

    def percentage(self, column: str) -> Decimal | None:
        value = self.raw(column)
        if not value:
            return None
        number = self._decimal(column, value)
        if number is None:
            return None
        if number < 0 or number > 100:
            self.error(column, _("el promedio %(value)s está fuera de rango (de 0 a 100).") % {"value": value})
            return None
        if number.as_tuple().exponent < -2:  # type: ignore[operator]
            self.error(column, _("el promedio %(value)s tiene más de dos decimales.") % {"value": value})
            return None
        return number
