"""Helpers of the portfolio import tests: a copy of the valid portfolio to break, counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command

DATA = Path(__file__).parent / "data" / "cartera_valida"
FILES = ("personas", "creditos", "ministraciones", "pagos")
AS_OF = "2024-12-31"


def copy_portfolio(target: Path) -> Path:
    folder = target / "cartera"
    shutil.copytree(DATA, folder)
    return folder


def replace_in(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append_to(folder: Path, name: str, line: str) -> None:
    with (folder / f"{name}.csv").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def stored_counts() -> dict[str, int]:
    from recupera.credits.models import (
        Credit,
        CreditParty,
        Disbursement,
        LedgerEntry,
        PromissoryNote,
    )
    from recupera.people.models import Person

    return {m.__name__: m.objects.count()
            for m in (Person, Credit, CreditParty, Disbursement, PromissoryNote, LedgerEntry)}


def run_import(path: Path, *args: str) -> tuple[int, str]:
    """(exit code, output) of `recupera import portfolio PATH --as-of AS_OF …`."""
    out = io.StringIO()
    try:
        call_command("import", "portfolio", str(path), "--as-of", AS_OF, *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def _typed(column: str, value: str) -> object:
    """What Excel would hold: dates as dates, amounts and numbers as numbers."""
    if value == "":
        return None
    if column.startswith("fecha"):
        return dt.date.fromisoformat(value)
    if column in {"importe", "tasa_anual", "tasa_moratoria_anual", "promedio"}:
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(value)
    if column in {"numero", "meses_gracia", "plazo_meses"} and value.isdigit():
        return int(value)
    return value


def portfolio_xlsx(folder: Path, target: Path) -> Path:
    """The four CSV files of `folder` as one .xlsx with typed cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name in FILES:
        sheet = workbook.create_sheet(name)
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        sheet.append(header)
        for row in rows[1:]:
            sheet.append([_typed(col, value) for col, value in zip(header, row, strict=True)])
    workbook.save(target)
    return target
