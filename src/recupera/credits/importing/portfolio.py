"""The legacy portfolio layout (docs/import-layouts.md, "Cartera heredada") and its validation.

`validate_portfolio` reads every row of every file, checks it against the layout, the catalogs
and what the database already holds, and returns a `PortfolioPlan`: what would be created,
what already exists, and every problem found (all of them, located by file, row and column).
Nothing is written here; `writer.py` applies a plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from recupera.core.identifiers import normalize_email, normalize_phone
from recupera.credits.importing.cells import RowCheck, validation_text
from recupera.credits.importing.problems import Counts, Problem
from recupera.credits.importing.sources import Table, fold, read_csv, read_xlsx
from recupera.people.names import curp_birth_date

# The layout other programs rely on: file -> columns, exactly (docs/import-layouts.md).
LAYOUT: dict[str, tuple[str, ...]] = {
    "personas": ("curp", "nombre", "primer_apellido", "segundo_apellido", "fecha_nacimiento",
                 "telefono", "correo", "calle", "numero", "colonia", "municipio", "estado",
                 "codigo_postal"),
    "creditos": ("folio", "producto", "curp_acreditado", "curp_aval", "fecha_fin_estudios",
                 "meses_gracia", "plazo_meses", "tasa_anual", "tasa_moratoria_anual", "promedio",
                 "fecha_primer_pago"),
    "ministraciones": ("folio", "numero", "fecha", "importe", "pagare"),
    "pagos": ("folio", "fecha", "importe", "canal", "operacion"),
}
CSV_NAMES = {name: f"{name}.csv" for name in LAYOUT}

EARLIEST = dt.date(1990, 1, 1)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
FUTURE_YEARS = 10
SONORA = {"sonora", "son", "son."}
SONORA_NAME = "Sonora"
DEFAULT_CHANNEL = "importacion"
PHONE_SEPARATORS = (";", "/", "|")
CHUNK = 500  # ids per IN (…) query


# --------------------------------------------------------------------------- rows of a plan

@dataclass
class PersonRow:
    row: int
    curp: str
    first_name: str
    last_name: str
    second_last_name: str
    birth_date: dt.date | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    address: dict[str, str] | None


@dataclass
class CreditRow:
    row: int
    folio: str
    product: Any  # credits.Product
    borrower_curp: str
    guarantor_curp: str | None
    end_of_studies: dt.date | None
    grace_months: int | None
    term_months: int | None
    base_rate: Decimal | None
    late_rate: Decimal | None
    academic_average: Decimal | None
    first_due_date: dt.date | None


@dataclass
class DisbursementRow:
    row: int
    folio: str
    number: int
    date: dt.date
    amount: Decimal
    note_number: str


@dataclass
class PaymentRow:
    row: int
    folio: str
    date: dt.date
    amount: Decimal
    channel: str
    operation: str
    natural_key: str


@dataclass
class CreditBundle:
    """Everything the files say about one folio. `bad`: some row of it has a problem."""

    folio: str
    credit_row: CreditRow | None = None  # None when the credit is only in the database
    existing: Any = None  # credits.Credit already stored
    disbursements: list[DisbursementRow] = field(default_factory=list)  # new ones
    payments: list[PaymentRow] = field(default_factory=list)  # new ones
    bad: bool = False
    first_row: int | None = None  # row of creditos.csv that names the folio
    # CURPs its creditos rows name (valid or not): whose people are "its people".
    person_curps: set[str] = field(default_factory=set)


@dataclass
class PortfolioPlan:
    as_of: dt.date
    problems: list[Problem] = field(default_factory=list)
    file_problems: bool = False  # a file could not be read: nothing may be stored
    persons: dict[str, PersonRow] = field(default_factory=dict)  # new, valid, by CURP
    bad_curps: set[str] = field(default_factory=set)  # CURPs whose personas row has problems
    existing_persons: dict[str, Any] = field(default_factory=dict)  # CURP -> people.Person
    bundles: dict[str, CreditBundle] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    rows_total: int = 0
    labels: dict[str, str] = field(default_factory=lambda: dict(CSV_NAMES))  # file as shown

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    def good_bundles(self) -> list[CreditBundle]:
        return [b for b in self.bundles.values() if not b.bad]

    def persons_to_create(self) -> list[PersonRow]:
        """New persons used by a valid credit, or used by no credit at all in the files."""
        used_by_good: set[str] = set()
        used_by_any: set[str] = set()
        for bundle in self.bundles.values():
            used_by_any |= bundle.person_curps
            if not bundle.bad:
                used_by_good |= bundle.person_curps
        return [p for curp, p in self.persons.items()
                if curp in used_by_good or curp not in used_by_any]


# --------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class PortfolioSource:
    """A folder of CSV files (or the stored files of an upload), or one .xlsx."""

    csv_files: dict[str, Path] | None = None  # layout name -> file
    xlsx: Path | None = None
    labels: dict[str, str] = field(default_factory=dict)  # layout name / "xlsx" -> shown name

    @classmethod
    def from_path(cls, path: Path) -> PortfolioSource:
        if path.is_dir():
            return cls(csv_files={name: path / file for name, file in CSV_NAMES.items()})
        return cls(xlsx=path)


def read_portfolio(source: PortfolioSource) -> tuple[dict[str, Table], list[Problem]]:
    problems: list[Problem] = []
    tables: dict[str, Table] = {}
    if source.xlsx is not None:
        tables = read_xlsx(source.xlsx, layout=LAYOUT, label=source.labels.get("xlsx"), problems=problems)
    else:
        files = source.csv_files or {}
        for name, expected in LAYOUT.items():
            label = source.labels.get(name, CSV_NAMES[name])
            if name not in files:
                problems.append(Problem(label, None, "", _("falta el archivo %(file)s.") % {"file": label}))
                continue
            table = read_csv(files[name], name=name, expected=expected, label=label, problems=problems)
            if table is not None:
                tables[name] = table
    return tables, problems


# --------------------------------------------------------------------------- validation

def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # Feb 29
        return day.replace(year=day.year + years, day=28)


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _split(value: str, separators: tuple[str, ...]) -> list[str]:
    for sep in separators[1:]:
        value = value.replace(sep, separators[0])
    return [v.strip() for v in value.split(separators[0]) if v.strip()]


def payment_natural_key(*, folio: str, date: dt.date, amount: Decimal, channel: str,
                        operation: str, occurrence: int) -> str:
    """The ledger natural key of an imported payment: the bank operation when given, else a
    hash of its content (plus how many identical rows came before it, so two equal payments
    on the same day stay two)."""
    if operation:
        return f"cartera:op:{operation}"
    content = f"{folio}|{date.isoformat()}|{amount:.2f}|{channel}|{occurrence}"
    return "cartera:h:" + hashlib.sha256(content.encode()).hexdigest()[:40]


class _Validator:
    def __init__(self, tables: dict[str, Table], plan: PortfolioPlan, business_date: dt.date):
        self.tables = tables
        self.plan = plan
        self.as_of = plan.as_of
        # A payment's value date may not pass the business date (nor the cut date): the ledger
        # would hold money the engine ignores until that day comes.
        self.payment_limit = min(plan.as_of, business_date)
        self.future_limit = _years_after(plan.as_of, FUTURE_YEARS)
        self.problems = plan.problems
        self.person_rows: dict[str, int] = {}  # CURP -> personas row (first)
        self.credit_rows: dict[str, int] = {}  # folio -> creditos row (first)
        self.existing_credits: dict[str, Any] = {}
        self.existing_disbursements: dict[tuple[str, int], Any] = {}
        self.existing_payments: dict[tuple[str, str], Any] = {}

    # -- helpers
    def check(self, name: str, row: int, cells: dict[str, str]) -> RowCheck:
        return RowCheck(self.tables[name], row, cells, self.problems)

    def bundle(self, folio: str) -> CreditBundle:
        bundle = self.plan.bundles.get(folio)
        if bundle is None:
            bundle = self.plan.bundles[folio] = CreditBundle(folio=folio,
                                                             existing=self.existing_credits.get(folio))
        return bundle

    def rows(self, name: str) -> list[tuple[int, dict[str, str]]]:
        table = self.tables.get(name)
        return table.rows if table else []

    # -- the database, loaded once per import
    def load_database(self) -> None:
        from recupera.credits.models import Credit, CreditParty, Disbursement, LedgerEntry, Product
        from recupera.people.models import MEXICAN_STATES, Municipality, Person

        self.products = {fold(p.code): p for p in Product.objects.all()}
        self.municipalities = {fold(m.name): m.name for m in Municipality.objects.all()}
        self.states = {fold(name): name for name, _code in MEXICAN_STATES}
        self.states.update({fold(code): name for name, code in MEXICAN_STATES})
        curps = {c.get(col, "").strip().upper()
                 for name, cols in (("personas", ("curp",)), ("creditos", ("curp_acreditado", "curp_aval")))
                 for _row, c in self.rows(name) for col in cols}
        curps.discard("")
        for chunk in _chunks(curps):
            for person in Person.objects.filter(curp__in=chunk):
                self.plan.existing_persons[person.curp] = person
        folios = {c.get("folio", "").strip() for name in ("creditos", "ministraciones", "pagos")
                  for _row, c in self.rows(name)}
        folios.discard("")
        for chunk in _chunks(folios):
            for credit in Credit.objects.filter(folio__in=chunk).select_related("product", "borrower"):
                credit.import_guarantor_curps = set()
                self.existing_credits[credit.folio] = credit
        by_id = {c.pk: c for c in self.existing_credits.values()}
        ids = list(by_id)
        for i in range(0, len(ids), CHUNK):
            chunk_ids = ids[i:i + CHUNK]
            for credit_id, curp in CreditParty.objects.filter(
                    credit_id__in=chunk_ids, role=CreditParty.Role.GUARANTOR).values_list(
                    "credit_id", "person__curp"):
                by_id[credit_id].import_guarantor_curps.add(curp)
            for d in Disbursement.objects.filter(credit_id__in=chunk_ids):
                self.existing_disbursements[(by_id[d.credit_id].folio, d.number)] = d
            for e in LedgerEntry.objects.filter(credit_id__in=chunk_ids, natural_key__startswith="cartera:"):
                self.existing_payments[(by_id[e.credit_id].folio, e.natural_key)] = e

    # -- personas.csv
    def persons(self) -> None:
        seen: dict[str, tuple[int, tuple[Any, ...]]] = {}
        for row, cells in self.rows("personas"):
            self.plan.rows_total += 1
            c = self.check("personas", row, cells)
            curp = c.curp("curp")
            first_name = c.text("nombre", max_length=80, required=True)
            last_name = c.text("primer_apellido", max_length=80, required=True)
            second_last_name = c.text("segundo_apellido", max_length=80)
            birth_date = c.date("fecha_nacimiento", low=EARLIEST_BIRTH, high=self.as_of,
                                high_reason=_("no puede ser futura"))
            phones: list[str] = []
            for raw in _split(c.raw("telefono"), PHONE_SEPARATORS):
                try:
                    phones.append(normalize_phone(raw))
                except ValidationError as exc:
                    c.error("telefono", validation_text(exc))
            emails: list[str] = []
            for raw in _split(c.raw("correo"), (";", ",")):
                try:
                    emails.append(normalize_email(raw))
                except ValidationError as exc:
                    c.error("correo", validation_text(exc))
            if curp and birth_date and birth_date != curp_birth_date(curp):
                c.error("fecha_nacimiento", _("la fecha de nacimiento %(date)s no coincide con la de "
                                              "la CURP (%(curp_date)s).")
                        % {"date": birth_date.isoformat(), "curp_date": curp_birth_date(curp).isoformat()})
            address = self.address(c)
            if curp is None:
                self.plan.counts.add("personas", "con_error")
                continue
            signature = (first_name, last_name, second_last_name, birth_date, tuple(phones),
                         tuple(emails), tuple(sorted((address or {}).items())))
            if curp in seen:
                first_row, first_signature = seen[curp]
                if first_signature != signature:
                    c.error("curp", _("la CURP %(curp)s ya aparece en la fila %(row)s con otros datos.")
                            % {"curp": curp, "row": first_row})
                    self.plan.bad_curps.add(curp)
                    self.plan.persons.pop(curp, None)
                    self.plan.counts.add("personas", "con_error")
                continue  # an identical repeated row is the same person
            seen[curp] = (row, signature)
            self.person_rows[curp] = row
            if not c.ok:
                self.plan.bad_curps.add(curp)
                self.plan.counts.add("personas", "con_error")
            elif curp in self.plan.existing_persons:
                self.plan.counts.add("personas", "ya_existian")
            else:
                self.plan.persons[curp] = PersonRow(
                    row=row, curp=curp, first_name=first_name, last_name=last_name,
                    second_last_name=second_last_name, birth_date=birth_date, phones=tuple(phones),
                    emails=tuple(emails), address=address)

    def address(self, c: RowCheck) -> dict[str, str] | None:
        street = c.text("calle", max_length=120)
        number = c.text("numero", max_length=20)
        neighborhood = c.text("colonia", max_length=120)
        municipality = c.text("municipio", max_length=80)
        state = c.text("estado", max_length=40)
        postal_code = c.raw("codigo_postal")
        if postal_code and not (len(postal_code) == 5 and postal_code.isdigit()):
            c.error("codigo_postal", _("el código postal «%(value)s» debe tener 5 dígitos.") % {"value": postal_code})
            postal_code = ""
        if not any((street, number, neighborhood, municipality, state, postal_code)):
            return None
        if not state or fold(state) in SONORA:
            state = SONORA_NAME
        elif fold(state) in self.states:
            state = self.states[fold(state)]
        else:
            c.error("estado", _("«%(value)s» no es una entidad federativa de México; escriba su "
                                "nombre (por ejemplo Sonora o Sinaloa).") % {"value": state})
        if state == SONORA_NAME:
            if not municipality:
                c.error("municipio", _("el municipio es obligatorio en un domicilio de Sonora."))
            elif fold(municipality) not in self.municipalities:
                c.error("municipio", _("«%(value)s» no es un municipio de Sonora del catálogo; "
                                       "revise la ortografía.") % {"value": municipality})
            else:
                municipality = self.municipalities[fold(municipality)]
        elif not municipality:
            c.error("municipio", _("el municipio es obligatorio (el domicilio está fuera de Sonora)."))
        return {"street": street, "number": number, "neighborhood": neighborhood,
                "municipality": municipality, "state": state, "postal_code": postal_code}

    # -- creditos.csv
    def person_known(self, c: RowCheck, column: str, curp: str) -> None:
        if curp in self.plan.bad_curps:
            c.error(column, _("la persona con CURP %(curp)s tiene errores en %(file)s (fila "
                              "%(row)s); el crédito no se puede importar sin ella.")
                    % {"curp": curp, "file": self.plan.labels["personas"],
                       "row": self.person_rows.get(curp, "?")})
        elif curp not in self.plan.persons and curp not in self.plan.existing_persons:
            c.error(column, _("la persona con CURP %(curp)s no está en personas.csv ni en el sistema.")
                    % {"curp": curp})

    def credits(self) -> None:
        for row, cells in self.rows("creditos"):
            self.plan.rows_total += 1
            c = self.check("creditos", row, cells)
            folio = c.text("folio", max_length=20, required=True)
            duplicate = bool(folio) and folio in self.credit_rows
            if duplicate:
                c.error("folio", _("el folio %(folio)s está repetido (ya aparece en la fila %(row)s).")
                        % {"folio": folio, "row": self.credit_rows[folio]})
            code = c.raw("producto")
            product = None
            if not code:
                c.error("producto", _("el dato es obligatorio y está vacío."))
            else:
                product = self.products.get(fold(code))
                if product is None:
                    c.error("producto", _("el producto «%(code)s» no existe en el catálogo de productos.")
                            % {"code": code})
            borrower = c.curp("curp_acreditado")
            if borrower:
                self.person_known(c, "curp_acreditado", borrower)
            guarantor = c.curp("curp_aval", required=False)
            if guarantor:
                if guarantor == borrower:
                    c.error("curp_aval", _("el aval no puede ser el mismo acreditado."))
                else:
                    self.person_known(c, "curp_aval", guarantor)
            end_of_studies = c.date("fecha_fin_estudios", low=EARLIEST, high=self.future_limit,
                                    high_reason=_("más de %(n)s años después de la fecha de corte") % {"n": FUTURE_YEARS})
            grace = c.integer("meses_gracia", low=0, high=60)
            term = c.integer("plazo_meses", low=1, high=360)
            base_rate = c.rate("tasa_anual")
            late_rate = c.rate("tasa_moratoria_anual")
            average = c.percentage("promedio")
            first_due = c.date("fecha_primer_pago", low=EARLIEST, high=self.future_limit,
                               high_reason=_("más de %(n)s años después de la fecha de corte") % {"n": FUTURE_YEARS})
            if (end_of_studies is None and first_due is None and not c.raw("fecha_fin_estudios")
                    and not c.raw("fecha_primer_pago")):
                c.error("fecha_fin_estudios", _("indique la fecha de fin de estudios o la fecha del "
                                                "primer pago (fecha_primer_pago)."))
            if not folio:
                self.plan.counts.add("creditos", "con_error")
                continue
            self.bundle(folio).person_curps |= {
                c.raw(col).upper() for col in ("curp_acreditado", "curp_aval") if c.raw(col)}
            if duplicate:
                self.bundle(folio).bad = True
                self.plan.counts.add("creditos", "con_error")
                continue
            self.credit_rows[folio] = row
            bundle = self.bundle(folio)
            bundle.first_row = row
            if not c.ok:
                bundle.bad = True
                self.plan.counts.add("creditos", "con_error")
                continue
            credit_row = CreditRow(
                row=row, folio=folio, product=product, borrower_curp=borrower or "",
                guarantor_curp=guarantor, end_of_studies=end_of_studies, grace_months=grace,
                term_months=term, base_rate=base_rate, late_rate=late_rate,
                academic_average=average, first_due_date=first_due)
            bundle.credit_row = credit_row
            if bundle.existing is not None:
                self.compare_existing(c, credit_row, bundle.existing)
                if not c.ok:
                    bundle.bad = True
                    self.plan.counts.add("creditos", "con_error")
                else:
                    self.plan.counts.add("creditos", "ya_existian")

    def compare_existing(self, c: RowCheck, row: CreditRow, credit: Any) -> None:
        """A folio already stored is fine when the file says the same; else it is an error."""
        pairs = {
            "producto": (credit.product.code, row.product.code),
            "curp_acreditado": (credit.borrower.curp, row.borrower_curp),
            "curp_aval": (", ".join(sorted(credit.import_guarantor_curps)), row.guarantor_curp or ""),
            "fecha_fin_estudios": (credit.end_of_studies, row.end_of_studies),
            "meses_gracia": (credit.grace_months, row.grace_months),
            "plazo_meses": (credit.term_months, row.term_months),
            "tasa_anual": (credit.base_rate, row.base_rate),
            "tasa_moratoria_anual": (credit.late_rate, row.late_rate),
            "promedio": (credit.academic_average, row.academic_average),
            "fecha_primer_pago": (credit.first_due_date, row.first_due_date),
        }
        for column, (stored, given) in pairs.items():
            if stored != given:
                c.error(column, _("el folio %(folio)s ya existe en el sistema con otro valor en "
                                  "%(column)s (en el sistema: %(stored)s; en el archivo: %(given)s).")
                        % {"folio": row.folio, "column": column, "stored": _shown(stored),
                           "given": _shown(given)})

    def first_due_of(self, folio: str) -> dt.date | None:
        """The credit's first due date as the engine computes it (explicit, else end of
        studies + grace months), from its creditos row or from the stored credit."""
        from recupera import engine
        from recupera.credits import engine_io
        from recupera.credits.models import Credit

        bundle = self.plan.bundles.get(folio)
        credit = bundle.existing if bundle is not None else self.existing_credits.get(folio)
        row = bundle.credit_row if bundle is not None else None
        if credit is None and row is not None:
            credit = Credit(folio=row.folio, product=row.product, end_of_studies=row.end_of_studies,
                            grace_months=row.grace_months, term_months=row.term_months,
                            base_rate=row.base_rate, late_rate=row.late_rate,
                            academic_average=row.academic_average, first_due_date=row.first_due_date)
        if credit is None:
            return None
        try:
            return engine.first_due_date(engine_io.terms_for(credit))
        except ValueError:  # neither date: the creditos row already reports it
            return None

    def folio_of(self, c: RowCheck, what: str) -> str | None:
        folio = c.text("folio", max_length=20, required=True)
        if folio and folio not in self.plan.bundles and folio not in self.existing_credits:
            c.error("folio", _("no existe el crédito con folio %(folio)s (ni en creditos.csv ni en "
                               "el sistema) para %(what)s.") % {"folio": folio, "what": what})
            return None
        return folio or None

    # -- ministraciones.csv
    def disbursements(self) -> None:
        seen: dict[tuple[str, int], int] = {}
        notes: dict[tuple[str, str], int] = {}
        for row, cells in self.rows("ministraciones"):
            self.plan.rows_total += 1
            c = self.check("ministraciones", row, cells)
            folio = self.folio_of(c, _("esta ministración"))
            number = c.integer("numero", low=1, high=999, required=True)
            date = c.date("fecha", low=EARLIEST, high=self.as_of, required=True,
                          high_reason=_("no puede ser posterior a la fecha de corte"))
            amount = c.money("importe")
            note = c.text("pagare", max_length=40)
            first_due = self.first_due_of(folio) if folio and date else None
            if first_due is not None and date is not None and date > first_due:
                # Decision (docs/import-layouts.md): a disbursement after repayment started
                # would need a new schedule version; the import refuses it instead of storing
                # a disbursement the original schedule leaves out.
                c.error("fecha", _("la ministración del %(date)s es posterior a la fecha del primer "
                                   "pago del crédito %(folio)s (%(first_due)s): una ministración "
                                   "después de iniciado el pago no se puede importar; revise la "
                                   "fecha o la fecha del primer pago.")
                        % {"date": date.isoformat(), "folio": folio, "first_due": first_due.isoformat()})
            if folio and note:
                if (folio, note) in notes:
                    c.error("pagare", _("el pagaré %(note)s del folio %(folio)s está repetido (ya "
                                        "aparece en la fila %(row)s).")
                            % {"note": note, "folio": folio, "row": notes[(folio, note)]})
                else:
                    notes[(folio, note)] = row
            if folio and number is not None:
                key = (folio, number)
                if key in seen:
                    c.error("numero", _("la ministración %(n)s del folio %(folio)s está repetida (ya "
                                        "aparece en la fila %(row)s).") % {"n": number, "folio": folio, "row": seen[key]})
                else:
                    seen[key] = row
                stored = self.existing_disbursements.get(key)
                if stored is not None and c.ok and (stored.date != date or stored.amount != amount):
                    c.error("numero", _("la ministración %(n)s del folio %(folio)s ya existe en el "
                                        "sistema con otros datos (%(date)s, %(amount)s).")
                            % {"n": number, "folio": folio, "date": stored.date.isoformat(),
                               "amount": f"{stored.amount:.2f}"})
            if not folio:
                self.plan.counts.add("ministraciones", "con_error")
                continue
            bundle = self.bundle(folio)
            if not c.ok:
                bundle.bad = True
                self.plan.counts.add("ministraciones", "con_error")
            elif (folio, number) in self.existing_disbursements:
                self.plan.counts.add("ministraciones", "ya_existian")
            else:
                assert number is not None and date is not None and amount is not None
                bundle.disbursements.append(DisbursementRow(row=row, folio=folio, number=number,
                                                            date=date, amount=amount, note_number=note))

    # -- pagos.csv
    def payments(self) -> None:
        operations: dict[tuple[str, str], int] = {}
        occurrences: dict[tuple[Any, ...], int] = defaultdict(int)
        for row, cells in self.rows("pagos"):
            self.plan.rows_total += 1
            c = self.check("pagos", row, cells)
            folio = self.folio_of(c, _("este pago"))
            date = c.date("fecha", low=EARLIEST, high=self.payment_limit, required=True,
                          high_reason=_("un pago no puede ser posterior a la fecha de corte ni a la "
                                        "fecha de operación"))
            amount = c.money("importe")
            channel = c.text("canal", max_length=20) or DEFAULT_CHANNEL
            operation = c.text("operacion", max_length=80)
            key = None
            if folio and operation:
                if (folio, operation) in operations:
                    c.error("operacion", _("la operación %(op)s del folio %(folio)s está repetida (ya "
                                           "aparece en la fila %(row)s).")
                            % {"op": operation, "folio": folio, "row": operations[(folio, operation)]})
                else:
                    operations[(folio, operation)] = row
            if folio and date and amount is not None:
                content = (folio, date, amount, channel)
                key = payment_natural_key(folio=folio, date=date, amount=amount, channel=channel,
                                          operation=operation, occurrence=occurrences[content])
                if not operation:
                    occurrences[content] += 1
                stored = self.existing_payments.get((folio, key))
                if stored is not None and c.ok and (stored.value_date != date or stored.amount != amount):
                    c.error("operacion", _("el pago con operación %(op)s del folio %(folio)s ya existe "
                                           "en el sistema con otros datos (%(date)s, %(amount)s).")
                            % {"op": operation, "folio": folio, "date": stored.value_date.isoformat(),
                               "amount": f"{stored.amount:.2f}"})
            if not folio:
                self.plan.counts.add("pagos", "con_error")
                continue
            bundle = self.bundle(folio)
            if not c.ok or key is None:
                bundle.bad = True
                self.plan.counts.add("pagos", "con_error")
            elif (folio, key) in self.existing_payments:
                self.plan.counts.add("pagos", "ya_existian")
            else:
                assert date is not None and amount is not None
                bundle.payments.append(PaymentRow(row=row, folio=folio, date=date, amount=amount,
                                                  channel=channel, operation=operation, natural_key=key))

    def finish(self) -> None:
        """Rows of a bad credit are not stored in partial mode: count them as not imported."""
        for bundle in self.plan.bundles.values():
            bundle.payments.sort(key=lambda p: (p.date, p.row))
            if bundle.credit_row is None and bundle.existing is None:
                bundle.bad = True  # its creditos row had problems (or it has none)
            if bundle.bad:
                if bundle.credit_row is not None and bundle.existing is None:
                    self.plan.counts.add("creditos", "con_error")
                self.plan.counts.add("ministraciones", "con_error", len(bundle.disbursements))
                self.plan.counts.add("pagos", "con_error", len(bundle.payments))


def _shown(value: Any) -> str:
    if value is None or value == "":
        return _("vacío")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def validate_portfolio(source: PortfolioSource, *, as_of: dt.date,
                       business_date: dt.date | None = None) -> PortfolioPlan:
    """Read and check every row of a portfolio; write nothing. `business_date` defaults to the
    system's business date (core.services.business_date_get)."""
    if business_date is None:
        from recupera.core.services import business_date_get

        business_date = business_date_get()
    plan = PortfolioPlan(as_of=as_of)
    if as_of > business_date:
        plan.problems.append(Problem(_("fecha de corte"), None, "", _(
            "la fecha de corte %(as_of)s es posterior a la fecha de operación %(business)s; un "
            "crédito no se puede importar con su estado a una fecha que aún no llega.")
            % {"as_of": as_of.isoformat(), "business": business_date.isoformat()}))
        plan.file_problems = True
        return plan
    tables, problems = read_portfolio(source)
    plan.problems.extend(problems)
    plan.labels.update({name: table.label for name, table in tables.items()})
    if problems:
        plan.file_problems = True
        return plan
    validator = _Validator(tables, plan, business_date)
    validator.load_database()
    validator.persons()
    validator.credits()
    validator.disbursements()
    validator.payments()
    validator.finish()
    return plan
