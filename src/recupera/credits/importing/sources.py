"""Reading import files into tables of text cells: CSV (UTF-8) or one .xlsx with sheets.

Both sources give the same thing (`Table`: header + rows of strings keyed by column), so the
validation that follows knows nothing about where a cell came from. Every problem that makes a
file unreadable is reported as a `Problem` of that file; nothing here raises on bad input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from recupera.credits.importing.problems import Problem

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls


@dataclass
class Table:
    """One file (or sheet) of an import: `rows` are (spreadsheet row number, cells)."""

    name: str  # layout name: "personas"
    label: str  # as the user knows it: "personas.csv" or "cartera.xlsx, hoja personas"
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower case without accents or surrounding blanks: for names the user typed."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _check_header(label: str, header: Sequence[str], expected: Sequence[str]) -> list[Problem]:
    names = [fold(h).replace(" ", "_") for h in header]
    problems: list[Problem] = []
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    missing = [c for c in expected if c not in names]
    unexpected = [h for h, n in zip(header, names, strict=True) if n and n not in expected]
    if missing or unexpected or repeated:
        parts = []
        if missing:
            parts.append(_("faltan las columnas %(cols)s") % {"cols": ", ".join(missing)})
        if unexpected:
            parts.append(_("sobran las columnas %(cols)s") % {"cols": ", ".join(unexpected)})
        if repeated:
            parts.append(_("se repiten las columnas %(cols)s") % {"cols": ", ".join(repeated)})
        problems.append(Problem(label, 1, "", _(
            "el encabezado no corresponde al formato: %(what)s. Las columnas deben ser "
            "exactamente: %(expected)s.") % {"what": "; ".join(parts), "expected": ", ".join(expected)}))
    return problems


def _rows_from_records(
    table: Table, records: Iterable[Sequence[str]], expected: Sequence[str], problems: list[Problem]
) -> bool:
    """Fill `table` from header + records. False when the header is unusable."""
    iterator = iter(records)
    header = next(iterator, None)
    if header is None or not any(h.strip() for h in header):
        problems.append(Problem(table.label, None, "", _(
            "el archivo está vacío: debe tener al menos la fila de encabezados.")))
        return False
    header = list(header)
    while header and not header[-1].strip():
        header.pop()
    if len(header) == 1 and (";" in header[0] or "\t" in header[0] or "|" in header[0]):
        sep = next(s for s in (";", "\t", "|") if s in header[0])
        problems.append(Problem(table.label, 1, "", _(
            "las columnas están separadas por «%(sep)s»; deben separarse por comas (guarde el "
            "archivo como «CSV UTF-8 (delimitado por comas)»).") % {"sep": "tabulador" if sep == "\t" else sep}))
        return False
    header_problems = _check_header(table.label, header, expected)
    if header_problems:
        problems.extend(header_problems)
        return False
    names = [fold(h).replace(" ", "_") for h in header]
    width = len(names)
    for index, record in enumerate(iterator, start=2):
        cells = [c.strip() for c in record]
        if not any(cells):
            continue  # blank line
        if len(cells) > width and not any(cells[width:]):
            cells = cells[:width]
        if len(cells) != width:
            problems.append(Problem(table.label, index, "", _(
                "la fila tiene %(n)s valores y el encabezado %(m)s columnas (¿una coma de más o "
                "de menos?).") % {"n": len(cells), "m": width}))
            continue
        table.rows.append((index, dict(zip(names, cells, strict=True))))
    return True


def read_csv(path: Path, *, name: str, expected: Sequence[str], label: str | None = None,
             problems: list[Problem]) -> Table | None:
    """One CSV file of the layout, or None (with problems added) when it cannot be read."""
    label = label or path.name
    table = Table(name=name, label=label)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(label, None, "", _("falta el archivo %(file)s.") % {"file": label}))
        return None
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        problems.append(Problem(label, None, "", _(
            "el archivo es un libro de Excel con la extensión cambiada a .csv; súbalo como .xlsx o "
            "guárdelo desde Excel como «CSV UTF-8 (delimitado por comas)».")))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(label, row, "", _(
            "el archivo no está codificado en UTF-8 (hay un carácter inválido en esta fila); "
            "guárdelo como «CSV UTF-8 (delimitado por comas)».")))
        return None
    if not text.strip():
        problems.append(Problem(label, None, "", _(
            "el archivo está vacío: debe tener al menos la fila de encabezados.")))
        return None
    if "\x00" in text:
        problems.append(Problem(label, None, "", _(
            "el archivo no es texto CSV (contiene caracteres nulos; ¿UTF-16?); guárdelo como "
            "«CSV UTF-8 (delimitado por comas)».")))
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        problems.append(Problem(label, None, "", _("el archivo CSV está mal formado: %(error)s.")
                                % {"error": str(exc)}))
        return None
    return table if _rows_from_records(table, records, expected, problems) else None


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold (dates ISO, numbers exact)."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel keeps numbers as binary floats; repr is the shortest text that reads back the
        # same number ("1234.5"), which is what the user typed. Never used as money as a float.
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


def read_xlsx(path: Path, *, layout: dict[str, Sequence[str]], label: str | None = None,
              problems: list[Problem]) -> dict[str, Table]:
    """The sheets of one .xlsx named as the layout's files (without .csv)."""
    from openpyxl import load_workbook

    label = label or path.name
    try:
        data_start = path.read_bytes()[:4]
    except FileNotFoundError:
        problems.append(Problem(label, None, "", _("no existe el archivo %(file)s.") % {"file": label}))
        return {}
    if data_start != ZIP_MAGIC:
        problems.append(Problem(label, None, "", _(
            "el archivo no es un libro de Excel .xlsx válido (¿es un .xls antiguo o un CSV con la "
            "extensión cambiada?).")))
        return {}
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        problems.append(Problem(label, None, "", _("no se pudo abrir el libro de Excel: %(error)s.")
                                % {"error": str(exc)}))
        return {}
    tables: dict[str, Table] = {}
    try:
        sheets = {fold(ws.title): ws for ws in workbook.worksheets}
        for name, expected in layout.items():
            sheet_label = _("%(file)s, hoja %(sheet)s") % {"file": label, "sheet": name}
            ws = sheets.get(name)
            if ws is None:
                problems.append(Problem(label, None, "", _(
                    "falta la hoja «%(sheet)s» (el libro debe tener las hojas %(sheets)s).")
                    % {"sheet": name, "sheets": ", ".join(layout)}))
                continue
            records = ([cell_text(v) for v in row] for row in ws.iter_rows(values_only=True))
            table = Table(name=name, label=sheet_label)
            if _rows_from_records(table, records, expected, problems):
                tables[name] = table
    finally:
        workbook.close()
    return tables
