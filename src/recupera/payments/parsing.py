"""Reading a payments file with its layout: rows of typed values, or Spanish problems.

Nothing here writes to the database. A problem of the whole file (an Excel book renamed .txt,
the wrong layout, a binary or UTF-16 file, a truncated last record) stops the file; a problem of
a row (a bad date or amount, a line of the wrong length, bytes that are not in the layout's
encoding) is reported with its row number and the row is not stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from recupera.core.money import to_money
from recupera.payments.models import BankAgreement, FileLayout

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
PDF_MAGIC = b"%PDF"
DECIMAL_RE = re.compile(r"^-?\d+(\.\d{1,2})?$")
# UTF-8 multi-byte sequences read as Latin-1 ("Ã±" for "ñ"): the file was not in Latin-1.
MOJIBAKE_RE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")
FORMAT_NAMES = {"%d": "DD", "%m": "MM", "%y": "AA", "%Y": "AAAA"}

ERROR = "error"
WARNING = "aviso"
DUPLICATE = "duplicado"


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based line number; None = the whole file
    column: str
    message: str
    severity: str = ERROR

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message,
                "severity": self.severity}

    def __str__(self) -> str:
        where = _("renglón %(row)s") % {"row": self.row} if self.row else _("archivo")
        if self.column:
            where += ", " + (_("campo %(column)s") % {"column": self.column})
        return f"{where}: {self.message}"


@dataclass
class ParsedRow:
    line_number: int
    agreement: BankAgreement
    operation_key: str
    value_date: dt.date
    amount: Decimal
    reference: str
    concept: str
    payment_type: str
    branch: str
    raw: str
    # Payroll deductions (layout `nomina`): matched by folio, then by employee number.
    folio: str = ""
    employee_number: str = ""
    # Filled by matching:
    credit_id: int | None = None
    match: str = ""
    unidentified_reason: str = ""


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_lines: int = 0
    file_rejected: bool = False  # a problem of the whole file: nothing is read

    @property
    def error_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.severity == ERROR and p.row is not None}


def human_date_format(fmt: str) -> str:
    for code, name in FORMAT_NAMES.items():
        fmt = fmt.replace(code, name)
    return fmt


def _whole_file(result: ParseResult, message: str) -> ParseResult:
    result.problems.append(Problem(None, "", message))
    result.file_rejected = True
    return result


def sniff_binary(content: bytes) -> str | None:
    """A Spanish message when the bytes are not a text file at all."""
    if content.startswith(ZIP_MAGIC):
        return _("el archivo es un libro de Excel (.xlsx) o un .zip, no un archivo de texto del "
                 "banco (aunque su nombre termine en .txt). Descargue del banco el archivo de texto "
                 "o guárdelo como CSV.")
    if content.startswith(OLE_MAGIC):
        return _("el archivo es un libro de Excel antiguo (.xls), no un archivo de texto del banco.")
    if content.startswith(PDF_MAGIC):
        return _("el archivo es un PDF, no un archivo de texto del banco.")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content[:4096]:
        return _("el archivo está en UTF-16 o es binario; guárdelo como texto UTF-8 o ANSI.")
    return None


def parse_file(content: bytes, layout: FileLayout, *, agreements: list[BankAgreement],
               business_date: dt.date | None = None) -> ParseResult:
    result = ParseResult()
    if not content.strip():
        return _whole_file(result, _("el archivo está vacío."))
    binary = sniff_binary(content)
    if binary:
        return _whole_file(result, binary)
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    lines = content.split(b"\n")
    ends_with_newline = lines[-1] == b""
    if ends_with_newline:
        lines.pop()
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    result.total_lines = sum(1 for line in lines if line.strip())
    context = _Context(layout, agreements, business_date, result)
    if layout.kind == FileLayout.Kind.FIXED:
        _parse_fixed(lines, ends_with_newline, context)
    else:
        _parse_delimited(lines, ends_with_newline, context)
    if not result.file_rejected:
        _mark_duplicates_within_file(result)
    return result


class _Context:
    def __init__(self, layout: FileLayout, agreements: list[BankAgreement],
                 business_date: dt.date | None, result: ParseResult) -> None:
        self.layout = layout
        self.result = result
        self.business_date = business_date
        self.by_number = {a.agreement_number: a for a in agreements if a.agreement_number}
        self.by_name: dict[str, BankAgreement] = {}
        for a in agreements:
            self.by_name[a.code.lower()] = a
            self.by_name.setdefault(a.bank.lower(), a)
        self.default = layout.default_agreement
        self.date_format = layout.date_format
        self.date_label = human_date_format(layout.date_format)

    def error(self, row: int | None, column: str, message: str) -> None:
        self.result.problems.append(Problem(row, column, message))

    def decode(self, row: int, raw: bytes) -> str | None:
        try:
            text = raw.decode(self.layout.encoding)
        except UnicodeDecodeError as exc:
            self.error(row, "", _("el renglón tiene bytes que no son %(enc)s (posición %(pos)s); "
                                  "el archivo está en otra codificación.")
                       % {"enc": self.layout.encoding.upper(), "pos": exc.start + 1})
            return None
        if MOJIBAKE_RE.search(text):
            self.error(row, "", _("el renglón tiene acentos o eñes en UTF-8, pero el formato "
                                  "%(layout)s se lee en %(enc)s; el archivo está en otra codificación.")
                       % {"layout": self.layout.name, "enc": self.layout.encoding.upper()})
            return None
        return text

    def build(self, row: int, values: dict[str, str], raw: str) -> ParsedRow | None:
        """Typed row from the layout's fields, or None after recording its problems."""
        errors_before = len(self.result.problems)
        if "date" not in self.layout.fields and "period" in self.layout.fields:
            value_date = self._period(row, values.get("period", "").strip())
        else:
            value_date = self._date(row, values.get("date", "").strip())
        amount = self._amount(row, values.get("amount", "").strip())
        agreement = self._agreement(row, values)
        key_parts = [values.get(name, "").strip() for name in self.layout.operation_key_fields]
        # The bank's operation id, when it is part of the key, is always required.
        required_missing = ("operation" in self.layout.operation_key_fields
                            and not values.get("operation", "").strip())
        if not any(key_parts) or required_missing:
            names = ", ".join(self.layout.operation_key_fields)
            self.error(row, names, _("falta el dato que identifica la operación del banco "
                                     "(%(fields)s).") % {"fields": names})
        if len(self.result.problems) > errors_before:
            return None
        assert value_date is not None and amount is not None and agreement is not None
        folio = values.get("folio", "").strip().upper()[:20]
        employee = values.get("employee_number", "").strip()[:30]
        concept = values.get("concept", "")
        if not concept and (folio or employee):
            concept = _("NOMINA %(period)s EMPLEADO %(emp)s FOLIO %(folio)s") % {
                "period": values.get("period", "").strip().upper(), "emp": employee or "-",
                "folio": folio or "-"}
        return ParsedRow(
            line_number=row, agreement=agreement, operation_key="|".join(key_parts)[:200],
            value_date=value_date, amount=amount,
            reference=values.get("reference", "").strip()[:40],
            concept=" ".join(concept.split())[:120],
            payment_type=values.get("payment_type", "").strip()[:10],
            branch=values.get("branch", "").strip()[:10], raw=raw[:400],
            folio=folio, employee_number=employee,
        )

    def _period(self, row: int, text: str) -> dt.date | None:
        """A pay period (AAAA-MM, AAAA-MM-Q1, AAAA-MM-Q2): its last day is the value date."""
        from recupera.payments.payroll import parse_period

        if not text:
            self.error(row, "period", _("falta el periodo."))
            return None
        try:
            period = parse_period(text)
        except ValueError as exc:
            self.error(row, "period", str(exc))
            return None
        if self.business_date and period.end > self.business_date:
            self.error(row, "period", _("el periodo %(p)s termina el %(end)s, después de la fecha de "
                                        "operación (%(today)s); cargue el archivo después del día "
                                        "de pago.") % {
                "p": period.code, "end": period.end.strftime("%d/%m/%Y"),
                "today": self.business_date.strftime("%d/%m/%Y")})
            return None
        return period.end

    def _date(self, row: int, text: str) -> dt.date | None:
        if not text:
            self.error(row, "date", _("falta la fecha."))
            return None
        try:
            value = dt.datetime.strptime(text, self.date_format).date()
        except ValueError:
            self.error(row, "date", _("«%(text)s» no es una fecha válida; se espera %(fmt)s.")
                       % {"text": text, "fmt": self.date_label})
            return None
        if self.business_date and value > self.business_date:
            self.error(row, "date", _("la fecha %(date)s es posterior a la fecha de operación "
                                      "(%(today)s).") % {"date": value.strftime("%d/%m/%Y"),
                                                          "today": self.business_date.strftime("%d/%m/%Y")})
            return None
        return value

    def _amount(self, row: int, text: str) -> Decimal | None:
        if not text:
            self.error(row, "amount", _("falta el importe."))
            return None
        if self.layout.amount_style == FileLayout.AmountStyle.IMPLIED_CENTS:
            if text.startswith("-"):
                self.error(row, "amount", _("el importe «%(text)s» es negativo; un pago debe ser "
                                            "mayor que cero.") % {"text": text})
                return None
            if not text.isdigit():
                self.error(row, "amount", _("el importe «%(text)s» debe tener solo dígitos (los dos "
                                            "últimos son centavos).") % {"text": text})
                return None
            value = Decimal(int(text)) / 100
        else:
            cleaned = text.replace("$", "").replace(" ", "")
            if "," in cleaned:
                self.error(row, "amount", _("el importe «%(text)s» lleva comas; escríbalo sin "
                                            "separador de miles y con punto decimal (1234.50).")
                           % {"text": text})
                return None
            if not DECIMAL_RE.match(cleaned):
                self.error(row, "amount", _("«%(text)s» no es un importe válido; escríbalo con punto "
                                            "decimal y a lo más dos decimales (1234.50).") % {"text": text})
                return None
            try:
                value = Decimal(cleaned)
            except InvalidOperation:  # pragma: no cover - the regex already checked
                self.error(row, "amount", _("«%(text)s» no es un importe válido.") % {"text": text})
                return None
        if value < 0:
            self.error(row, "amount", _("el importe %(text)s es negativo; un pago debe ser mayor que "
                                        "cero.") % {"text": text})
            return None
        if value == 0:
            self.error(row, "amount", _("el importe es cero; un pago debe ser mayor que cero."))
            return None
        if value >= Decimal("1000000000000"):
            self.error(row, "amount", _("el importe %(text)s es demasiado grande.") % {"text": text})
            return None
        return to_money(value)

    def _agreement(self, row: int, values: dict[str, str]) -> BankAgreement | None:
        number = values.get("agreement", "").strip()
        bank = values.get("bank", "").strip()
        if number:
            found = self.by_number.get(number) or self.by_number.get(number.lstrip("0"))
            if found is None:
                self.error(row, "agreement", _("el convenio %(n)s no está registrado en Recupera.")
                           % {"n": number})
            return found
        if bank:
            found = self.by_name.get(bank.lower())
            if found is None:
                self.error(row, "bank", _("el banco «%(b)s» no corresponde a ningún convenio "
                                          "registrado.") % {"b": bank})
            return found
        if self.default is None:
            self.error(row, "agreement", _("el renglón no dice a qué convenio pertenece y el formato "
                                           "no tiene convenio por omisión."))
        return self.default


def _parse_fixed(lines: list[bytes], ends_with_newline: bool, ctx: _Context) -> None:
    layout = ctx.layout
    length = layout.record_length
    spans = {name: (int(pos[0]), int(pos[1])) for name, pos in layout.fields.items()}
    nonblank = [(i, line) for i, line in enumerate(lines, start=1) if line.strip()]
    if length and nonblank:
        # Wrong layout: no line has the record length and the lines look delimited.
        sized = sum(1 for _i, line in nonblank if len(line) == length)
        if sized == 0:
            sample = nonblank[0][1]
            hint = ""
            if sample.count(b",") >= 3:
                hint = _(" Parece un archivo CSV (formato generic-csv).")
            elif sample.count(b"|") >= 3:
                hint = _(" Parece un archivo separado por «|».")
            _whole_file(ctx.result, _("el archivo no corresponde al formato %(layout)s: ningún "
                                      "renglón mide %(n)s caracteres.%(hint)s")
                        % {"layout": layout.name, "n": length, "hint": hint})
            return
        last_i, last = nonblank[-1]
        if not ends_with_newline and len(last) < length and last_i == len(lines):
            _whole_file(ctx.result, _("el archivo está truncado: el último renglón (%(row)s) mide "
                                      "%(got)s caracteres de %(n)s. Pida al banco el archivo completo.")
                        % {"row": last_i, "got": len(last), "n": length})
            return
    for row, raw in nonblank:
        text = ctx.decode(row, raw)
        if text is None:
            continue
        if length and len(text) != length:
            ctx.error(row, "", _("el renglón mide %(got)s caracteres; el formato %(layout)s exige "
                                 "%(n)s.") % {"got": len(text), "layout": layout.name, "n": length})
            continue
        values = {name: text[a:b] for name, (a, b) in spans.items()}
        parsed = ctx.build(row, values, text)
        if parsed is not None:
            ctx.result.rows.append(parsed)


def _parse_delimited(lines: list[bytes], ends_with_newline: bool, ctx: _Context) -> None:
    layout = ctx.layout
    delimiter = layout.delimiter or ","
    decoded: list[tuple[int, str]] = []
    for row, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        text = ctx.decode(row, raw)
        if text is not None:
            decoded.append((row, text))
    if not decoded:
        if not ctx.result.problems:
            _whole_file(ctx.result, _("el archivo no tiene renglones."))
        return
    first_row = decoded[0][1]
    if first_row.count(delimiter) == 0:
        other = next((d for d in (",", "|", ";", "\t") if d != delimiter and d in first_row), None)
        hint = _(" Sus columnas están separadas por «%(d)s».") % {"d": other} if other else ""
        if len(first_row) in (89, 90) and first_row[:6].isdigit():
            hint = _(" Parece un archivo de ancho fijo (formato bbva-cie).")
        _whole_file(ctx.result, _("el archivo no corresponde al formato %(layout)s: sus columnas "
                                  "deben separarse por «%(d)s».%(hint)s")
                    % {"layout": layout.name, "d": delimiter, "hint": hint})
        return
    fields: dict[str, Any] = dict(layout.fields)
    positions: dict[str, int] = {}
    start = 0
    if layout.has_header:
        header_row, header_text = decoded[0]
        header = [h.strip().lower() for h in next(csv.reader([header_text], delimiter=delimiter))]
        missing = [str(col) for col in fields.values() if str(col).lower() not in header]
        if missing:
            _whole_file(ctx.result, _("el encabezado no corresponde al formato %(layout)s: faltan las "
                                      "columnas %(cols)s. Las columnas deben ser: %(expected)s.")
                        % {"layout": layout.name, "cols": ", ".join(missing),
                           "expected": ", ".join(str(c) for c in fields.values())})
            return
        positions = {name: header.index(str(col).lower()) for name, col in fields.items()}
        start = 1
    else:
        positions = {name: int(col) for name, col in fields.items()}
    width = max(positions.values()) + 1 if positions else 0
    body = decoded[start:]
    for index, (row, text) in enumerate(body):
        cells = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
        if len(cells) < width:
            is_last = index == len(body) - 1 and row == len(lines)
            if is_last and not ends_with_newline:
                _whole_file(ctx.result, _("el archivo está truncado: el último renglón (%(row)s) "
                                          "tiene %(got)s columnas de %(n)s. Pida el archivo completo.")
                            % {"row": row, "got": len(cells), "n": width})
                ctx.result.rows.clear()
                return
            ctx.error(row, "", _("el renglón tiene %(got)s columnas; el formato %(layout)s pide "
                                 "%(n)s.") % {"got": len(cells), "layout": layout.name, "n": width})
            continue
        values = {name: cells[pos] for name, pos in positions.items()}
        parsed = ctx.build(row, values, text)
        if parsed is not None:
            ctx.result.rows.append(parsed)


def _mark_duplicates_within_file(result: ParseResult) -> None:
    """The same bank operation twice in one file: applied once, the repetition reported."""
    seen: dict[tuple[int, str], int] = {}
    kept: list[ParsedRow] = []
    for row in result.rows:
        key = (row.agreement.pk, row.operation_key)
        first = seen.get(key)
        if first is not None:
            result.problems.append(Problem(row.line_number, "", _(
                "renglón duplicado: la misma operación está en el renglón %(first)s; se aplica una "
                "sola vez.") % {"first": first}, DUPLICATE))
            continue
        seen[key] = row.line_number
        kept.append(row)
    result.rows = kept
