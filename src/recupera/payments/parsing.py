"""Reading a payments file with its layout: rows of typed values, or Spanish problems.

Nothing here writes to the database. A problem of the whole file (an Excel book renamed .txt,
the wrong layout, a binary or UTF-16 file, a truncated last record) stops the file; a problem of
a row (a bad date or amount, a line of the wrong length, bytes that are not in the layout's
encoding) is reported with its row number and the row is not stored.
"""

from __future__ import annotations

import csv
import datetime as dt
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
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
# Limits of what one file may hold (docs/import-layouts.md, «Límites»).
MAX_LINES = 100_000  # data lines in one file
MAX_LINE_CHARS = 2_000  # characters in one line (a bank record is under 200)
MAX_AMOUNT_HARD = Decimal("1000000000000")  # 10^12: not even storable as a payment
RAW_KEPT = 1_000  # characters of a rejected line kept for correction
MAX_KEY = 200  # BankOperation.operation_key
TEXT_LIMITS = {"reference": 40, "folio": 20, "employee_number": 30, "payment_type": 10,
               "branch": 10}  # the columns of BankOperation / the folio and employee number
# Spanish names of the canonical fields, for the report (the JSON keeps the canonical name).
FIELD_LABELS = {
    "date": "fecha", "period": "periodo", "agreement": "convenio", "payment_type": "tipo de pago",
    "branch": "sucursal", "guide": "guía", "reference": "referencia", "concept": "concepto",
    "amount": "importe", "operation": "operación", "bank": "banco", "folio": "folio",
    "employee_number": "número de empleado",
}

ERROR = "error"
WARNING = "aviso"
DUPLICATE = "duplicado"


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based line number; None = the whole file
    column: str  # canonical field name ("amount"); `label` is what a person reads
    message: str
    severity: str = ERROR
    label: str = ""  # the column as the file names it: «importe», «amount_deducted», «pos. 79-89»
    raw: str = ""  # the rejected line as read (errors only), for correction and re-submission

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "column": self.column, "message": self.message,
                                "severity": self.severity}
        if self.column:
            data["column_label"] = self.label or column_label(self.column)
        if self.raw:
            data["raw"] = self.raw
        return data

    def __str__(self) -> str:
        return where_text(self.row, self.label or column_label(self.column)) + f": {self.message}"


def column_label(column: str) -> str:
    """The Spanish name of canonical field names ("date, amount" -> "fecha, importe")."""
    return ", ".join(FIELD_LABELS.get(name.strip(), name.strip())
                     for name in column.split(",")) if column else ""


def where_text(row: int | None, label: str) -> str:
    """«renglón 3, columna importe» / «archivo»: where a problem is, for people."""
    where = _("renglón %(row)s") % {"row": row} if row else _("archivo")
    if label:
        where += ", " + (_("columna %(column)s") % {"column": label})
    return where


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
    # Set when the row must be reviewed by a person instead of posted (an amount out of the
    # layout's bounds, a last line that may be cut): stored in the unidentified queue with it.
    hold_reason: str = ""


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
    """Read the whole file: decoded at once in the layout's encoding (a file that is not in it
    is refused as a whole, never half read), split on any line ending (CRLF, LF or CR alone),
    then each line by the layout. Integrity data of the layout is checked before any row
    counts: fixed record length, the control record (trailer) with its line count and total."""
    result = ParseResult()
    if not content.strip():
        return _whole_file(result, _("el archivo está vacío."))
    binary = sniff_binary(content)
    if binary:
        return _whole_file(result, binary)
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    text = _decode_whole(content, layout, result)
    if text is None:
        return result
    lines = LINE_BREAK_RE.split(text)
    ends_with_newline = lines[-1] == ""
    if ends_with_newline:
        lines.pop()
    result.total_lines = sum(1 for line in lines if line.strip())
    limit = MAX_LINES + (1 if layout.has_header else 0) + (1 if layout.trailer else 0)
    if result.total_lines > limit:
        return _whole_file(result, _("el archivo tiene %(n)s renglones; el máximo por archivo es "
                                     "%(max)s. Divídalo en archivos más chicos.")
                           % {"n": f"{result.total_lines:,}", "max": f"{MAX_LINES:,}"})
    context = _Context(layout, agreements, business_date, result)
    trailer = _take_trailer(lines, context)
    if result.file_rejected:
        return result
    if layout.kind == FileLayout.Kind.FIXED:
        _parse_fixed(lines, ends_with_newline, context)
    else:
        _parse_delimited(lines, ends_with_newline, context)
    if result.file_rejected:
        return result
    if trailer is not None:
        _check_trailer(trailer, context)
        if result.file_rejected:
            result.rows.clear()
            return result
    _mark_duplicates_within_file(result)
    return result


def _decode_whole(content: bytes, layout: FileLayout, result: ParseResult) -> str | None:
    encoding = layout.encoding.upper()
    try:
        text = content.decode(layout.encoding)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        _whole_file(result, _("el archivo no está en %(enc)s (el formato %(layout)s se lee en "
                              "%(enc)s): el renglón %(row)s tiene bytes de otra codificación "
                              "(probablemente Latin-1/ANSI). No se leyó ningún renglón; guarde el "
                              "archivo como %(enc)s y cárguelo de nuevo.")
                    % {"enc": encoding, "layout": layout.name, "row": line})
        return None
    found = MOJIBAKE_RE.search(text)
    if found and layout.encoding.lower().replace("_", "-") in ("latin-1", "latin1", "iso-8859-1",
                                                                "cp1252", "windows-1252"):
        line = text.count("\n", 0, found.start()) + 1
        _whole_file(result, _("el archivo está en UTF-8, pero el formato «%(layout)s» se lee en "
                              "%(enc)s: el renglón %(row)s tiene acentos o eñes en UTF-8. No se "
                              "leyó ningún renglón; guárdelo como %(enc)s (ANSI) y cárguelo de "
                              "nuevo.") % {"layout": layout.label, "enc": encoding, "row": line})
        return None
    return text


@dataclass
class _Trailer:
    row: int
    count: str
    amount: str


def _take_trailer(lines: list[str], ctx: _Context) -> _Trailer | None:
    """Remove the layout's control record (the last non-blank line, starting with its marker)
    from `lines` and return it; a required one that is missing refuses the file."""
    spec = ctx.layout.trailer or {}
    marker = str(spec.get("marker", ""))
    if not marker:
        return None
    last = max((i for i, line in enumerate(lines) if line.strip()), default=None)
    if last is None or not lines[last].startswith(marker):
        if spec.get("required", True):
            _whole_file(ctx.result, _("falta el registro de control (el último renglón debe empezar "
                                      "con «%(m)s» y traer el número de renglones y el importe "
                                      "total): el archivo puede estar incompleto. Pida al banco el "
                                      "archivo completo.") % {"m": marker})
        return None
    line = lines[last]
    count_at, amount_at = spec.get("count"), spec.get("amount")
    if ctx.layout.kind == FileLayout.Kind.FIXED:
        count = line[int(count_at[0]):int(count_at[1])] if count_at else ""
        amount = line[int(amount_at[0]):int(amount_at[1])] if amount_at else ""
    else:
        cells = line.split(ctx.layout.delimiter or ",")
        count = cells[int(count_at)] if count_at is not None and int(count_at) < len(cells) else ""
        amount = (cells[int(amount_at)] if amount_at is not None and int(amount_at) < len(cells)
                  else "")
    lines[last] = ""  # not a data line
    return _Trailer(row=last + 1, count=count.strip(), amount=amount.strip())


def _check_trailer(trailer: _Trailer, ctx: _Context) -> None:
    """The control record's line count and total against the data lines read."""
    result = ctx.result
    data_lines = result.total_lines - 1 - (1 if ctx.layout.has_header else 0)
    problems: list[str] = []
    if trailer.count:
        if not trailer.count.isdigit() or int(trailer.count) != data_lines:
            problems.append(_("dice %(said)s renglones y el archivo trae %(got)s")
                            % {"said": trailer.count, "got": data_lines})
    if trailer.amount:
        said = ctx.parse_amount_quietly(trailer.amount)
        got = ctx.amount_total
        if said is None or said != got:
            problems.append(_("dice un total de %(said)s y los renglones suman %(got)s") % {
                "said": f"${said:,.2f}" if said is not None else f"«{trailer.amount}»",
                "got": f"${got:,.2f}"})
    if problems:
        _whole_file(result, _("el registro de control (renglón %(row)s) no cuadra: %(what)s. El "
                              "archivo está incompleto o alterado; no se aplicó ningún pago. Pida "
                              "al banco el archivo completo.")
                    % {"row": trailer.row, "what": "; ".join(problems)})


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
        self.labels = _labels(layout)
        self.raw = ""  # the line being read (kept with its errors)
        self.amount_total = Decimal("0")  # of every amount read, for the control record

    def error(self, row: int | None, column: str, message: str) -> None:
        label = ", ".join(self.labels.get(n.strip(), column_label(n)) for n in column.split(",")
                          ) if column else ""
        self.result.problems.append(Problem(row, column, message, ERROR, label,
                                            self.raw[:RAW_KEPT] if row is not None else ""))

    def parse_amount_quietly(self, text: str) -> Decimal | None:
        before = len(self.result.problems)
        value = self._amount(None, text, count=False)
        del self.result.problems[before:]
        return value

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
        elif len("|".join(key_parts)) > MAX_KEY:
            names = ", ".join(self.layout.operation_key_fields)
            self.error(row, names, _("el identificador de la operación mide %(n)s caracteres; el "
                                     "máximo es %(max)s.") % {"n": len("|".join(key_parts)),
                                                             "max": MAX_KEY})
        # Text fields are bounded: a value longer than its column is an error, never cut (a cut
        # folio or reference could match another credit, a cut key another operation).
        for name, limit in TEXT_LIMITS.items():
            value = values.get(name, "").strip()
            if len(value) > limit:
                self.error(row, name, _("mide %(n)s caracteres; el máximo es %(max)s.")
                           % {"n": len(value), "max": limit})
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

    def _amount(self, row: int | None, text: str, *, count: bool = True) -> Decimal | None:
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
        if value >= MAX_AMOUNT_HARD:
            self.error(row, "amount", _("el importe %(text)s es demasiado grande.") % {"text": text})
            return None
        value = to_money(value)
        if count:
            self.amount_total += value
        return value

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


def _labels(layout: FileLayout) -> dict[str, str]:
    """Each field as the file names it: the header's column («importe»), the column number
    («importe (columna 3)») or the positions («importe (posiciones 79-89)»)."""
    labels: dict[str, str] = {}
    for name, where in (layout.fields or {}).items():
        spanish = FIELD_LABELS.get(name, name)
        if layout.kind == FileLayout.Kind.FIXED:
            labels[name] = _("%(f)s (posiciones %(a)s-%(b)s)") % {
                "f": spanish, "a": int(where[0]) + 1, "b": int(where[1])}
        elif layout.has_header:
            labels[name] = str(where)
        else:
            labels[name] = _("%(f)s (columna %(n)s)") % {"f": spanish, "n": int(where) + 1}
    return labels


def _too_long(row: int, text: str, ctx: _Context) -> bool:
    if len(text) <= MAX_LINE_CHARS:
        return False
    ctx.error(row, "", _("el renglón mide %(n)s caracteres; un renglón de un archivo de pagos "
                         "mide a lo más %(max)s. No se leyó.")
              % {"n": f"{len(text):,}", "max": f"{MAX_LINE_CHARS:,}"})
    return True


def _hold_last_line(parsed: ParsedRow) -> None:
    parsed.hold_reason = _("último renglón sin fin de línea y el formato no trae registro de "
                           "control: el archivo pudo llegar cortado; revise el importe contra el "
                           "banco antes de asignarlo")


def _parse_fixed(lines: list[str], ends_with_newline: bool, ctx: _Context) -> None:
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
            if sample.count(",") >= 3:
                hint = _(" Parece un archivo CSV: elija el formato «CSV genérico UTF-8 con encabezado».")
            elif sample.count("|") >= 3:
                hint = _(" Parece un archivo separado por «|».")
            _whole_file(ctx.result, _("el archivo no corresponde al formato «%(layout)s»: ningún "
                                      "renglón mide %(n)s caracteres.%(hint)s")
                        % {"layout": layout.label, "n": length, "hint": hint})
            return
        last_i, last = nonblank[-1]
        if not ends_with_newline and len(last) < length and last_i == len(lines):
            _whole_file(ctx.result, _("el archivo está truncado: el último renglón (%(row)s) mide "
                                      "%(got)s caracteres de %(n)s. Pida al banco el archivo completo.")
                        % {"row": last_i, "got": len(last), "n": length})
            return
    for row, text in nonblank:
        ctx.raw = text
        if _too_long(row, text, ctx):
            continue
        if length and len(text) != length:
            ctx.error(row, "", _("el renglón mide %(got)s caracteres; el formato %(layout)s exige "
                                 "%(n)s.") % {"got": len(text), "layout": layout.name, "n": length})
            continue
        values = {name: text[a:b] for name, (a, b) in spans.items()}
        parsed = ctx.build(row, values, text)
        if parsed is not None:
            ctx.result.rows.append(parsed)


def _cells(row: int, text: str, delimiter: str, ctx: _Context) -> list[str] | None:
    """The line's cells (quotes as in CSV), or None after a Spanish problem for the row."""
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error as exc:
        message = str(exc)
        if "field larger" in message:
            detail = _("tiene un campo demasiado largo")
        elif "quote" in message or "delimiter" in message or "end of data" in message:
            detail = _("tiene comillas sin cerrar o mal puestas")
        else:
            detail = _("no se puede leer como renglón separado por «%(d)s»") % {"d": delimiter}
        ctx.error(row, "", _("el renglón %(detail)s.") % {"detail": detail})
        return None


def _parse_delimited(lines: list[str], ends_with_newline: bool, ctx: _Context) -> None:
    layout = ctx.layout
    delimiter = layout.delimiter or ","
    decoded = [(row, text) for row, text in enumerate(lines, start=1) if text.strip()]
    if not decoded:
        if not ctx.result.problems:
            _whole_file(ctx.result, _("el archivo no tiene renglones."))
        return
    first_row = decoded[0][1]
    if first_row.count(delimiter) == 0:
        other = next((d for d in (",", "|", ";", "\t") if d != delimiter and d in first_row), None)
        hint = _(" Sus columnas están separadas por «%(d)s».") % {"d": other} if other else ""
        if len(first_row) in (89, 90) and first_row[:6].isdigit():
            hint = _(" Parece un archivo de ancho fijo: elija el formato «BBVA CIE».")
        _whole_file(ctx.result, _("el archivo no corresponde al formato «%(layout)s»: sus columnas "
                                  "deben separarse por «%(d)s».%(hint)s")
                    % {"layout": layout.label, "d": delimiter, "hint": hint})
        return
    fields: dict[str, Any] = dict(layout.fields)
    positions: dict[str, int] = {}
    start = 0
    if layout.has_header:
        header_row, header_text = decoded[0]
        if len(header_text) > MAX_LINE_CHARS:
            _whole_file(ctx.result, _("el encabezado mide %(n)s caracteres; no es un archivo del "
                                      "formato %(layout)s.") % {"n": f"{len(header_text):,}",
                                                                "layout": layout.name})
            return
        ctx.raw = header_text
        cells = _cells(header_row, header_text, delimiter, ctx)
        header = [h.strip().lower() for h in cells or []]
        missing = [str(col) for col in fields.values() if str(col).lower() not in header]
        if missing or cells is None:
            ctx.result.problems.clear()
            _whole_file(ctx.result, _("el encabezado no corresponde al formato «%(layout)s»: faltan las "
                                      "columnas %(cols)s. Las columnas deben ser: %(expected)s.")
                        % {"layout": layout.label, "cols": ", ".join(missing),
                           "expected": ", ".join(str(c) for c in fields.values())})
            return
        positions = {name: header.index(str(col).lower()) for name, col in fields.items()}
        width = len(header)  # every row has exactly the header's columns
        start = 1
    else:
        positions = {name: int(col) for name, col in fields.items()}
        width = max(positions.values()) + 1 if positions else 0
    body = decoded[start:]
    for index, (row, text) in enumerate(body):
        ctx.raw = text
        is_last = index == len(body) - 1 and row == len(lines)
        if _too_long(row, text, ctx):
            continue
        cells = _cells(row, text, delimiter, ctx)
        if cells is None:
            continue
        if len(cells) < width and is_last and not ends_with_newline:
            _whole_file(ctx.result, _("el archivo está truncado: el último renglón (%(row)s) "
                                      "tiene %(got)s columnas de %(n)s. Pida el archivo completo.")
                        % {"row": row, "got": len(cells), "n": width})
            ctx.result.rows.clear()
            return
        if len(cells) != width:
            hint = ""
            if len(cells) > width and "amount" in positions and layout.amount_style == \
                    FileLayout.AmountStyle.DECIMAL and delimiter == ",":
                hint = _(" ¿El importe lleva coma decimal (1234,50)? Escríbalo con punto "
                         "(1234.50) o entre comillas.")
            ctx.error(row, "", _("el renglón tiene %(got)s columnas; el formato %(layout)s tiene "
                                 "%(n)s. No se aplicó.%(hint)s")
                      % {"got": len(cells), "layout": layout.name, "n": width, "hint": hint})
            continue
        values = {name: cells[pos] for name, pos in positions.items()}
        parsed = ctx.build(row, values, text)
        if parsed is not None:
            if is_last and not ends_with_newline and not layout.trailer:
                _hold_last_line(parsed)
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
