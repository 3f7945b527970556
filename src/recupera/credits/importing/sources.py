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

# Limits of every path (CLI, upload screen, task): the defaults, each overridable in settings.
# A legacy portfolio bigger than the row limit is imported in parts (personas and creditos
# first, then pagos split into files of up to the limit: stored credits are recognized).
DEFAULT_LIMITS = {
    "PORTFOLIO_IMPORT_MAX_ROWS": 200_000,  # data rows per CSV file or per sheet
    "PORTFOLIO_IMPORT_MAX_CSV_BYTES": 64 * 2**20,  # per CSV file
    "PORTFOLIO_IMPORT_MAX_XLSX_BYTES": 32 * 2**20,  # the .xlsx as stored (compressed)
    "PORTFOLIO_IMPORT_MAX_XLSX_UNPACKED_BYTES": 512 * 2**20,  # its parts once unzipped
}
MAX_CELL_CHARS = 1000  # no cell of the layout needs more (the longest column allows 120)


def limit(name: str) -> int:
    from django.conf import settings

    return int(getattr(settings, name, DEFAULT_LIMITS[name]))


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


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
    max_rows = limit("PORTFOLIO_IMPORT_MAX_ROWS")
    data_rows = 0
    for index, record in enumerate(iterator, start=2):
        cells = [c.strip() for c in record]
        if not any(cells):
            continue  # blank line
        data_rows += 1
        if data_rows > max_rows:  # stop reading: the rest is not even parsed
            problems.append(Problem(table.label, index, "", _(
                "el archivo tiene más de %(max)s filas de datos, el máximo por archivo; divídalo en "
                "partes de hasta %(max)s filas e impórtelas una tras otra (lo ya importado se "
                "reconoce y no se duplica).") % {"max": f"{max_rows:,}"}))
            return False
        if len(cells) > width and not any(cells[width:]):
            cells = cells[:width]
        if len(cells) != width:
            problems.append(Problem(table.label, index, "", _(
                "la fila tiene %(n)s valores y el encabezado %(m)s columnas (¿una coma de más o "
                "de menos?).") % {"n": len(cells), "m": width}))
            continue
        long_cells = [(name, len(cell)) for name, cell in zip(names, cells, strict=True)
                      if len(cell) > MAX_CELL_CHARS]
        for name, length in long_cells:
            problems.append(Problem(table.label, index, name, _(
                "el dato tiene %(n)s caracteres; ningún dato de este formato puede pasar de "
                "%(max)s (¿falta una comilla de cierre?).") % {"n": f"{length:,}", "max": MAX_CELL_CHARS}))
        if long_cells:
            continue
        table.rows.append((index, dict(zip(names, cells, strict=True))))
    return True


def _long_field(text: str, line: int, limit_chars: int) -> int:
    """The 0-based field index, in physical line `line` (1-based) of `text`, where a field
    passes `limit_chars` (the csv module's error does not say which); counts commas outside
    double quotes from the start of that line."""
    start = 0
    for _n in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return 0
    field, length, quoted = 0, 0, False
    for ch in text[start:start + limit_chars * 4 + 1]:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            field, length = field + 1, 0
            continue
        length += 1
        if length > limit_chars:
            return field
    return field


def _csv_records(text: str, label: str, expected: Sequence[str],
                 problems: list[Problem]) -> list[list[str]] | None:
    """The records of a CSV text, or None with a Spanish problem naming the row (and the
    column when it can be told) where the csv module gave up."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    max_rows = limit("PORTFOLIO_IMPORT_MAX_ROWS")
    first_line = 1  # physical line where the record being read starts
    try:
        for record in reader:
            records.append(record)
            first_line = reader.line_num + 1
            if len(records) > max_rows + 1:  # header + rows: _rows_from_records reports it
                break
    except csv.Error as exc:
        row = len(records) + 1  # the record that failed, numbered as in a spreadsheet
        detail = str(exc)
        column = ""
        if "field larger than field limit" in detail:
            header = records[0] if records else []
            index = _long_field(text, first_line, csv.field_size_limit())
            names = [fold(h).replace(" ", "_") for h in header]
            column = names[index] if index < len(names) else ""
            message = _("un dato tiene más de %(n)s caracteres (¿falta una comilla de cierre o se "
                        "pegó un texto enorme?); ningún dato de este formato pasa de %(max)s.") % {
                "n": f"{csv.field_size_limit():,}", "max": MAX_CELL_CHARS}
        elif "unexpected end of data" in detail:
            message = _("el archivo termina dentro de un texto entre comillas: falta la comilla de "
                        "cierre de un dato que empieza en esta fila o antes.")
        elif "new-line character seen in unquoted field" in detail:
            message = _("hay un salto de línea dentro de un dato sin comillas.")
        else:
            message = _("la fila no es CSV válido: hay una comilla doble mal puesta (un texto con "
                        "comillas debe ir completo entre comillas y las comillas internas, dobles: \"\").")
        problems.append(Problem(label, row, column, _("el archivo CSV está mal formado: %(what)s")
                                % {"what": message}))
        return None
    return records


def read_csv(path: Path, *, name: str, expected: Sequence[str], label: str | None = None,
             problems: list[Problem]) -> Table | None:
    """One CSV file of the layout, or None (with problems added) when it cannot be read."""
    label = label or path.name
    table = Table(name=name, label=label)
    max_bytes = limit("PORTFOLIO_IMPORT_MAX_CSV_BYTES")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            problems.append(Problem(label, None, "", _(
                "el archivo pesa %(size)s; el máximo es %(max)s. Divídalo en partes e impórtelas una "
                "tras otra.") % {"size": _megabytes(size), "max": _megabytes(max_bytes)}))
            return None
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
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
    records = _csv_records(text, label, expected, problems)
    if records is None:
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
    max_bytes = limit("PORTFOLIO_IMPORT_MAX_XLSX_BYTES")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            data_start = fh.read(4)
    except (FileNotFoundError, IsADirectoryError):
        problems.append(Problem(label, None, "", _("no existe el archivo %(file)s.") % {"file": label}))
        return {}
    if data_start != ZIP_MAGIC:
        problems.append(Problem(label, None, "", _(
            "el archivo no es un libro de Excel .xlsx válido (¿es un .xls antiguo o un CSV con la "
            "extensión cambiada?).")))
        return {}
    if size > max_bytes:
        problems.append(Problem(label, None, "", _(
            "el libro pesa %(size)s; el máximo es %(max)s. Divídalo en varios libros o use los "
            "archivos CSV.") % {"size": _megabytes(size), "max": _megabytes(max_bytes)}))
        return {}
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        unpacked = 0  # load_workbook below reports the damaged file
    max_unpacked = limit("PORTFOLIO_IMPORT_MAX_XLSX_UNPACKED_BYTES")
    if unpacked > max_unpacked:
        problems.append(Problem(label, None, "", _(
            "el libro ocupa %(size)s una vez descomprimido; el máximo es %(max)s. Divídalo en varios "
            "libros o use los archivos CSV.") % {"size": _megabytes(unpacked), "max": _megabytes(max_unpacked)}))
        return {}
    try:
        # read_only: rows stream from the zip as they are iterated (_rows_from_records stops at
        # the row limit), instead of the whole workbook being built in memory first.
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        problems.append(Problem(label, None, "", _(
            "no se pudo abrir el libro de Excel: el archivo está dañado o no es un .xlsx guardado "
            "por Excel. Ábralo en Excel y guárdelo de nuevo como «Libro de Excel (.xlsx)».")))
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
