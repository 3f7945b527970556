"""Cells of every CSV or Excel file Recupera writes, made safe to open in a spreadsheet.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(…)``, ``+cmd|…``), and a leading tab or carriage return hides such a start. A
debtor's name or a bank concept is typed by someone outside the institute, so every export
passes its cells through :func:`safe_cell`: such a text gets a leading apostrophe, which the
spreadsheet shows as text and does not run. Plain numbers (``-12.50``, ``+3``) are left as
they are: they are data, not formulas, and money columns must stay numeric.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def safe_cell(value: Any) -> Any:
    """The value as a cell that a spreadsheet shows and never runs."""
    if not isinstance(value, str) or not value or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


class SafeCsvWriter:
    """``csv.writer`` whose every row goes through :func:`safe_row`."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(out: Any, **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(out, **kwargs)


def xlsx_append(sheet: Any, row: Iterable[Any]) -> None:
    """Appends a row to an openpyxl worksheet with its cells made safe."""
    sheet.append(safe_row(row))
