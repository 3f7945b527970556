"""Every write on credits: keyword-only arguments, `actor=` first, one transaction, an audit row.

Ledger entries are the truth; after each posting the credit is replayed through the engine and
its projections (schedule versions and installments, allocations, cached columns on Credit) are
rewritten by `credit_refresh` in the same transaction.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import multiprocessing
import os
import signal
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from recupera import engine
from recupera.core.audit import audit_record, snapshot
from recupera.core.models import AuditEntry
from recupera.core.money import to_money
from recupera.core.pgarrays import array_literal
from recupera.credits import engine_io
from recupera.credits.models import (
    Allocation,
    Credit,
    CreditParty,
    Disbursement,
    Installment,
    LedgerEntry,
    Product,
    Program,
    PromissoryNote,
    ScheduleVersion,
)

ZERO = Decimal("0")
BATCH = 500
# Entry kinds that carry money received or charged: their amount must be positive.
MONEY_KINDS = {LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.PREPAYMENT, LedgerEntry.Kind.PAYOFF,
               LedgerEntry.Kind.FEE, LedgerEntry.Kind.DISCOUNT}
COMPONENTS = ("fees", "late_interest", "interest", "principal")
PREPAYMENT_MODES = ("keep_installment", "keep_term")
# The cached columns credit_refresh writes on Credit.
CACHED_FIELDS = ["status", "state_as_of", "days_past_due", "bucket", "principal_disbursed",
                 "principal_outstanding", "total_overdue", "payoff_amount", "credit_balance",
                 "next_due_date", "has_new_events", "allocations_count", "allocations_digest"]


# --- locking ------------------------------------------------------------------------------------
def lock_credits(ids: Iterable[int]) -> dict[int, Credit]:
    """Lock the credits' rows (SELECT … FOR UPDATE) always in ascending id order, so two
    postings that touch the same credits cannot deadlock. Call inside a transaction.
    Returns {id: fresh Credit with its product}."""
    ordered = sorted(set(ids))
    rows = (Credit.objects.select_for_update(of=("self",)).select_related("product")
            .filter(pk__in=ordered).order_by("pk"))
    return {c.pk: c for c in rows}


def lookups_by_index(*, asynchronous_commit: bool = False) -> None:
    """For the rest of this transaction (PostgreSQL): plan every lookup through its index.

    Batch writers look rows up by the ids or keys of one batch (≤ a few thousand), for which an
    index scan is always right; but a big file changes the tables faster than statistics follow
    (autovacuum's analyze lags, or is off), and with stale statistics the planner chose
    sequential scans of the whole allocation and operation tables for every batch, which made a
    100,000-line import quadratic. `enable_seqscan = off` only makes sequential scans
    expensive: a statement without a usable index still runs. `asynchronous_commit`: see
    credits_bulk_refresh (only for transactions that write projections alone)."""
    if not _postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan TO off")
        if asynchronous_commit:
            cursor.execute("SET LOCAL synchronous_commit TO off")


def lock_credit_ids(ids: Iterable[int]) -> set[int]:
    """lock_credits without loading the rows: SELECT id … FOR UPDATE in ascending id order.
    Returns the ids that exist."""
    ordered = sorted(set(ids))
    return set(Credit.objects.select_for_update().filter(pk__in=ordered).order_by("pk")
               .values_list("pk", flat=True))


# --- credits ----------------------------------------------------------------------------------
@transaction.atomic
def credit_create(
    *,
    actor: Any,
    folio: str,
    product: Product,
    borrower: Any,
    guarantors: Sequence[Any] = (),
    references: Sequence[Any] = (),
    program: Program | None = None,
    school: str = "",
    career: str = "",
    end_of_studies: dt.date | None = None,
    academic_average: Decimal | None = None,
    base_rate: Decimal | None = None,
    late_rate: Decimal | None = None,
    grace_months: int | None = None,
    term_months: int | None = None,
    first_due_date: dt.date | None = None,
) -> Credit:
    """A new credit with its parties (borrower, guarantors, personal references)."""
    folio = (folio or "").strip()
    errors: dict[str, str] = {}
    if not folio:
        errors["folio"] = _("El folio es obligatorio.")
    elif Credit.objects.filter(folio=folio).exists():
        errors["folio"] = _("Ya existe un crédito con el folio {folio}.").format(folio=folio)
    if end_of_studies is None and first_due_date is None:
        errors["end_of_studies"] = _(
            "Indique la fecha de fin de estudios o la fecha del primer pago.")
    if academic_average is not None and not (0 <= academic_average <= 100):
        errors["academic_average"] = _("El promedio debe estar entre 0 y 100.")
    for field, rate in (("base_rate", base_rate), ("late_rate", late_rate)):
        if rate is not None and not (0 <= rate < 1):
            errors[field] = _("La tasa es una fracción anual entre 0 y 1 (por ejemplo 0.06).")
    if term_months is not None and term_months < 1:
        errors["term_months"] = _("El plazo debe ser de al menos un mes.")
    guarantor_ids = {p.pk for p in guarantors}
    if borrower.pk in guarantor_ids:
        errors["guarantors"] = _("El aval no puede ser el mismo acreditado.")
    if errors:
        raise ValidationError(errors)
    credit = Credit.objects.create(
        folio=folio, product=product, program=program or product.program, borrower=borrower,
        school=school, career=career, end_of_studies=end_of_studies,
        academic_average=academic_average, base_rate=base_rate, late_rate=late_rate,
        grace_months=grace_months, term_months=term_months, first_due_date=first_due_date,
    )
    parties = [CreditParty(credit=credit, person=borrower, role=CreditParty.Role.BORROWER)]
    seen = {(borrower.pk, CreditParty.Role.BORROWER)}
    for role, people in ((CreditParty.Role.GUARANTOR, guarantors),
                         (CreditParty.Role.REFERENCE, references)):
        for person in people:
            if (person.pk, role) not in seen:
                seen.add((person.pk, role))
                parties.append(CreditParty(credit=credit, person=person, role=role))
    CreditParty.objects.bulk_create(parties)
    audit_record(actor=actor, action="credito.alta", obj=credit, after={
        **snapshot(credit, ["folio", "product_id", "borrower_id", "end_of_studies", "first_due_date",
                            "academic_average", "base_rate", "late_rate", "grace_months",
                            "term_months"]),
        "guarantors": sorted(guarantor_ids), "references": sorted(p.pk for p in references),
    })
    return credit


def note_due_date(credit: Credit) -> dt.date | None:
    """The due date written on a disbursement's pagaré.

    Which installment a disbursement's principal falls on is not well defined (the schedule
    amortizes the sum of all disbursements), so every pagaré of the credit is due on the
    credit's last scheduled due date: first due date + (term − 1) months (docs/domain.md §3.3–3.4).
    """
    terms = engine_io.terms_for(credit)
    try:
        first = engine.first_due_date(terms)
    except ValueError:
        return None
    return engine.add_months(first, terms.term_months - 1)


@transaction.atomic
def disbursement_add(
    *,
    actor: Any,
    credit: Credit,
    number: int,
    date: dt.date,
    amount: Decimal | str,
    note_number: str = "",
    destination: str = Disbursement.Destination.STUDENT,
    as_of: dt.date | None = None,
) -> Disbursement:
    """A disbursement (ministración) and its contrato-pagaré. The credit is replayed at `as_of`
    (or at its last computed date) when given."""
    locked = lock_credits([credit.pk])[credit.pk]
    errors: dict[str, str] = {}
    try:
        amount = to_money(amount)
    except (TypeError, ValueError):
        errors["amount"] = _("El importe «{value}» no es un importe válido.").format(value=amount)
        amount = ZERO
    if not errors and amount <= 0:
        errors["amount"] = _("El importe de la ministración debe ser mayor que cero.")
    if number is None or int(number) < 1:
        errors["number"] = _("El número de ministración debe ser 1 o mayor.")
    elif Disbursement.objects.filter(credit=locked, number=number).exists():
        errors["number"] = _("El crédito {folio} ya tiene la ministración número {n}.").format(
            folio=locked.folio, n=number)
    if destination not in Disbursement.Destination.values:
        errors["destination"] = _("Destino desconocido: «{value}».").format(value=destination)
    note_number = (note_number or f"{locked.folio}-{int(number or 0):02d}").strip()
    if PromissoryNote.objects.filter(credit=locked, number=note_number).exists():
        errors["note_number"] = _("El pagaré {n} ya existe en este crédito.").format(n=note_number)
    if errors:
        raise ValidationError(errors)
    disbursement = Disbursement.objects.create(credit=locked, number=number, date=date,
                                               amount=amount, destination=destination)
    note = PromissoryNote.objects.create(
        credit=locked, disbursement=disbursement, number=note_number, amount=amount,
        signed_on=date, due_date=note_due_date(locked))
    audit_record(actor=actor, action="ministracion.alta", obj=disbursement, after={
        **snapshot(disbursement, ["credit_id", "number", "date", "amount", "destination"]),
        "note": note.number, "note_due_date": note.due_date,
    })
    refresh_at = as_of or locked.state_as_of
    if refresh_at is not None:
        credit_refresh(credit=locked, as_of=refresh_at, actor=actor)
        _copy_cached(locked, credit)
    return disbursement


# --- the ledger -------------------------------------------------------------------------------
def _jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, float):
            raise TypeError("params never carry floats")
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out


def _check_params(kind: str, params: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    params = dict(params)
    if kind == LedgerEntry.Kind.PREPAYMENT:
        params.setdefault("mode", "keep_installment")
        if params["mode"] not in PREPAYMENT_MODES:
            errors["params"] = _("Modalidad de pago anticipado desconocida: «{value}» (use "
                                 "keep_installment o keep_term).").format(value=params["mode"])
    elif kind == LedgerEntry.Kind.DISCOUNT:
        if params.get("component") not in COMPONENTS:
            errors["params"] = _("Indique el componente de la quita: fees, late_interest, "
                                 "interest o principal.")
    elif kind == LedgerEntry.Kind.RESTRUCTURE:
        try:
            for key in ("new_rate", "new_principal"):
                if params.get(key) not in (None, ""):
                    Decimal(str(params[key]))
            if params.get("new_term_months") not in (None, "") and int(params["new_term_months"]) < 1:
                raise ValueError
            if params.get("new_first_due_date") not in (None, ""):
                value = params["new_first_due_date"]
                if not isinstance(value, dt.date):
                    dt.date.fromisoformat(str(value))
        except (ValueError, ArithmeticError):
            errors["params"] = _("Los datos de la reestructura no son válidos (tasa, plazo, "
                                 "capital o fecha del primer pago).")
    return _jsonable_params(params)


@transaction.atomic
def entry_post(
    *,
    actor: Any,
    credit: Credit,
    kind: str,
    value_date: dt.date,
    amount: Decimal | str,
    natural_key: str,
    channel: str = "",
    reason: str = "",
    params: dict[str, Any] | None = None,
    reverses: LedgerEntry | None = None,
    as_of: dt.date | None = None,
) -> tuple[LedgerEntry, bool]:
    """Append one ledger entry and replay the credit. Idempotent on (credit, natural_key):
    repeating a key returns the existing entry and False and changes nothing.

    `as_of` is the business date: a value date after it is refused, and the projections are
    recomputed at it (without it, at the later of the value date and the last computed date).
    """
    natural_key = (natural_key or "").strip()
    if not natural_key:
        raise ValidationError({"natural_key": _("La clave de operación es obligatoria.")})
    locked = lock_credits([credit.pk])[credit.pk]
    existing = LedgerEntry.objects.filter(credit=locked, natural_key=natural_key).first()
    if existing is not None:
        return existing, False

    errors: dict[str, str] = {}
    if kind not in LedgerEntry.Kind.values:
        errors["kind"] = _("Tipo de movimiento desconocido: «{value}».").format(value=kind)
    try:
        amount = to_money(amount)
    except (TypeError, ValueError):
        errors["amount"] = _("El importe «{value}» no es un importe válido.").format(value=amount)
        amount = ZERO
    if kind in MONEY_KINDS and "amount" not in errors and amount <= 0:
        errors["amount"] = _("El importe debe ser mayor que cero.")
    if amount < 0:
        errors["amount"] = _("El importe no puede ser negativo.")
    if value_date is None:
        errors["value_date"] = _("La fecha valor es obligatoria.")
    elif as_of is not None and value_date > as_of:
        errors["value_date"] = _(
            "La fecha valor {date} es posterior a la fecha de operación {today}.").format(
            date=value_date.strftime("%d/%m/%Y"), today=as_of.strftime("%d/%m/%Y"))
    if kind == LedgerEntry.Kind.REVERSAL:
        if reverses is None:
            errors["reverses"] = _("Indique el movimiento que se reversa.")
        elif reverses.credit_id != locked.pk:
            errors["reverses"] = _("El movimiento a reversar es de otro crédito.")
        elif LedgerEntry.objects.filter(reverses=reverses).exists():
            errors["reverses"] = _("El movimiento {key} ya fue reversado.").format(
                key=reverses.natural_key)
        elif value_date is not None and value_date < reverses.value_date:
            errors["value_date"] = _(
                "La reversa no puede tener fecha valor anterior a la del movimiento ({date}).").format(
                date=reverses.value_date.strftime("%d/%m/%Y"))
        if not (reason or "").strip():
            errors["reason"] = _("Indique el motivo de la reversa.")
    elif reverses is not None:
        errors["reverses"] = _("Solo una reversa puede nombrar otro movimiento.")
    params = _check_params(kind, params or {}, errors)
    if errors:
        raise ValidationError(errors)

    entry = LedgerEntry(credit=locked, kind=kind, value_date=value_date, amount=amount,
                        channel=channel or "", natural_key=natural_key, reverses=reverses,
                        params=params, reason=reason or "",
                        created_by=actor if getattr(actor, "pk", None) else None)
    entry.save()
    audit_record(actor=actor, action=f"movimiento.{kind}", obj=entry, after=snapshot(
        entry, ["credit_id", "kind", "value_date", "amount", "channel", "natural_key",
                "reverses_id", "params", "reason"]))
    if reverses is not None:
        _undo_settled_status(actor, locked, reverses)
    refresh_at = as_of or max(value_date, locked.state_as_of or value_date)
    credit_refresh(credit=locked, as_of=refresh_at, actor=actor)
    _copy_cached(locked, credit)
    return entry, True


def payment_post(
    *,
    actor: Any,
    credit: Credit,
    amount: Decimal | str,
    value_date: dt.date,
    channel: str,
    natural_key: str,
    as_of: dt.date | None = None,
) -> tuple[LedgerEntry, bool]:
    """A payment received (the engine allocates it by the product's order)."""
    return entry_post(actor=actor, credit=credit, kind=LedgerEntry.Kind.PAYMENT,
                      value_date=value_date, amount=amount, natural_key=natural_key,
                      channel=channel, as_of=as_of)


# The administrative status a write-off or a waiver entry sets (agreements.services): reversing
# the entry gives the credit back to the engine's status, as if it had never been posted.
_SETTLING_KINDS = {LedgerEntry.Kind.WRITE_OFF: Credit.Status.WRITTEN_OFF,
                   LedgerEntry.Kind.WAIVER: Credit.Status.WAIVED}


def _undo_settled_status(actor: Any, credit: Credit, reversed_entry: LedgerEntry) -> None:
    status = _SETTLING_KINDS.get(reversed_entry.kind)
    if status is None or credit.administrative_status != status:
        return
    Credit.objects.filter(pk=credit.pk).update(administrative_status="")
    audit_record(actor=actor, action="credito.estado_administrativo", obj=credit,
                 before={"administrative_status": status}, after={"administrative_status": ""})
    credit.administrative_status = ""


def payment_reverse(
    *,
    actor: Any,
    entry: LedgerEntry,
    reason: str,
    value_date: dt.date,
    natural_key: str | None = None,
    as_of: dt.date | None = None,
) -> tuple[LedgerEntry, bool]:
    """Reverse an entry (bounced or misapplied payment): the credit becomes exactly as if the
    entry had never been posted. The default natural key makes repeating it harmless."""
    return entry_post(actor=actor, credit=entry.credit, kind=LedgerEntry.Kind.REVERSAL,
                      value_date=value_date, amount=entry.amount,
                      natural_key=natural_key or f"reversa:{entry.pk}", channel=entry.channel,
                      reason=reason, reverses=entry, as_of=as_of)


# --- projections ------------------------------------------------------------------------------
def _copy_cached(source: Credit, target: Credit) -> None:
    if source is not target:
        for name in CACHED_FIELDS:
            setattr(target, name, getattr(source, name))


def schedule_fingerprint(s: engine.Schedule) -> str:
    """A hash of everything a ScheduleVersion row and its installments store of `s`. The engine
    is deterministic, so the same schedule gives the same hash; a schedule that prints its
    amounts differently (232.0 vs 232.00) only costs an unneeded rewrite, never a stale row.

    The text hashed is fixed (stored fingerprints stay valid): dates in ISO form, amounts as
    str(Decimal) — written `{x!s}`: the same text as `{x}` (Decimal's __format__ with an empty
    spec is str()), four times cheaper (format() of a Decimal parses the spec in Python-level
    code; str() is the C conversion), and this runs 120 times a credit. Each installment's
    "number,due date,effective due date," comes from a per-process cache keyed by those three
    values (a portfolio's schedules share a few thousand due dates and numbers 1..n; formatting
    them was most of the cost)."""
    heads = _INSTALLMENT_HEADS
    if len(heads) > 100_000:
        heads.clear()
    get = heads.get
    parts = [f"{s.version}|{s.starts_on}|{s.principal!s}|{s.rate!s}|{s.installment_amount!s}|"
             f"{s.reason[:20]}"]
    append = parts.append
    for i in s.installments:
        key = (i.number, i.due_date, i.effective_due_date)
        head = get(key)
        if head is None:
            head = heads[key] = (f"{i.number},{i.due_date.isoformat()},"
                                 f"{i.effective_due_date.isoformat()},")
        append(f"{head}{i.principal!s},{i.interest!s}")
    return hashlib.blake2b(";".join(parts).encode(), digest_size=16).hexdigest()


_INSTALLMENT_HEADS: dict[tuple[int, dt.date, dt.date], str] = {}
_ISO_DATES: dict[dt.date, str] = {}


def _db_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _insert_text(model: type[models.Model], fields: list[str], text: str) -> None:
    """INSERT rows given as COPY text (tab-separated lines, \\N for NULL; allocation_lines):
    COPY on PostgreSQL, the rows split back elsewhere."""
    if not text:
        return
    if _postgres():
        meta = model._meta
        quote = connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(f).column) for f in fields)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            copy.write(text)
        return
    _insert_rows(model, fields, [tuple(None if v == _NULL else v for v in line.split("\t"))
                                 for line in text.splitlines()])


def _insert_rows(model: type[models.Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT many projection rows: COPY on PostgreSQL, executemany elsewhere (the projections
    are rewritten often and Django's bulk_create spends most of its time building instances)."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor:
        if _postgres():
            with cursor.cursor.copy(
                    f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        for start in range(0, len(rows), BATCH * 10):
            cursor.executemany(sql, [tuple(_db_value(v) for v in row)
                                     for row in rows[start:start + BATCH * 10]])


# The cached columns with their PostgreSQL array types (for one UPDATE … FROM unnest(…)).
_CACHED_TYPES = {"status": "text", "state_as_of": "date", "days_past_due": "int", "bucket": "text",
                 "principal_disbursed": "numeric", "principal_outstanding": "numeric",
                 "total_overdue": "numeric", "payoff_amount": "numeric",
                 "credit_balance": "numeric", "next_due_date": "date", "has_new_events": "bool",
                 "allocations_count": "int", "allocations_digest": "text"}


def _plain(value: Any, pg_type: str) -> Any:
    # A TextChoices member is a str subclass that psycopg would dump as an enum name.
    return str(value) if pg_type == "text" and value is not None else value


def _update_cached(credits: list[Credit]) -> None:
    """UPDATE the cached columns of many credits: on PostgreSQL one statement for all of them
    (UPDATE … FROM unnest(arrays)), touching only the rows whose values changed; elsewhere
    executemany."""
    if not credits:
        return
    meta = Credit._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    cols = [quote(meta.get_field(f).column) for f in CACHED_FIELDS]
    with connection.cursor() as cursor:
        if _postgres():
            arrays = ", ".join(f"%s::{_CACHED_TYPES[f]}[]" for f in CACHED_FIELDS)
            names = ", ".join(f"v_{f}" for f in CACHED_FIELDS)
            sets = ", ".join(f"{col} = v.v_{f}" for col, f in zip(cols, CACHED_FIELDS, strict=True))
            changed = " OR ".join(f"c.{col} IS DISTINCT FROM v.v_{f}"
                                  for col, f in zip(cols, CACHED_FIELDS, strict=True))
            cursor.execute(
                f"UPDATE {table} AS c SET {sets} FROM unnest(%s::bigint[], {arrays}) "
                f"AS v(v_id, {names}) WHERE c.{pk} = v.v_id AND ({changed})",
                [array_literal([c.pk for c in credits])]
                + [array_literal([_plain(getattr(c, f), _CACHED_TYPES[f]) for c in credits])
                   for f in CACHED_FIELDS])
            return
        assignments = ", ".join(f"{col} = %s" for col in cols)
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", [
            tuple(_db_value(getattr(c, f)) for f in CACHED_FIELDS) + (c.pk,) for c in credits])


ALLOCATION_FIELDS = ["credit_id", "entry_id", "posting_kind", "value_date", "installment",
                     "schedule_version", "component", "amount"]


@dataclass(frozen=True, slots=True)
class Projection:
    """What projections_write stores of one credit's replay, computed without the database
    (so it can be computed in a worker process): the displayed status, the cached columns
    after it, the allocation rows in posting order, and the schedules as (version, fingerprint,
    schedule), the schedule left out (None) when its fingerprint equals the stored one."""

    credit_id: int
    status: str
    cached: tuple[Any, ...]  # CACHED_FIELDS[1:-3]: state_as_of … next_due_date
    allocations: str  # COPY text of the rows to insert (allocation_lines)
    rewrite_allocations: bool  # delete the stored rows first (else append to them)
    allocations_count: int  # rows stored once this projection is written …
    allocations_digest: str  # … and their digest
    schedules: list[tuple[int, str, engine.Schedule | None]]


_NULL = "\\N"  # COPY text's NULL


def allocation_lines(credit_id: int, state: engine.CreditState) -> list[str]:
    """The credit's Allocation rows (ALLOCATION_FIELDS) in posting order, as COPY text lines
    (tab-separated, \\N for NULL, amounts to the cent, dates in ISO form). Their MD5 in order
    is Credit.allocations_digest."""
    lines: list[str] = []
    append = lines.append
    iso = _ISO_DATES
    for posting in state.postings:
        entry = engine_io.entry_id_of(posting.event_id)
        day = iso.get(posting.value_date)
        if day is None:
            day = iso[posting.value_date] = posting.value_date.isoformat()
        head = f"{credit_id}\t{_NULL if entry is None else entry}\t{posting.kind[:14]}\t{day}\t"
        for a in posting.allocations:
            append(f"{head}{_NULL if a.installment is None else a.installment}\t"
                   f"{a.schedule_version}\t{a.component[:24]}\t{to_money(a.amount)!s}\n")
    return lines


def projection_of(credit_id: int, administrative_status: str, state: engine.CreditState,
                  known: dict[int, str] | None = None,
                  allocations_stored: tuple[int, str] = (0, "")) -> Projection:
    """The Projection of `state`; `known` = {version: fingerprint} already stored;
    `allocations_stored` = the credit's (allocations_count, allocations_digest): when the
    digest of the new replay's first `count` rows equals it, the stored rows are those rows
    and only the rest is appended; otherwise (or when it is "", not known) they are
    rewritten."""
    known = known or {}
    schedules = []
    for s in state.schedules:
        fingerprint = schedule_fingerprint(s)
        schedules.append((s.version, fingerprint,
                          None if known.get(s.version) == fingerprint else s))
    lines = allocation_lines(credit_id, state)
    count, digest = allocations_stored
    prefix = hashlib.md5(usedforsecurity=False)
    prefix.update("".join(lines[:count]).encode())
    keep = bool(digest) and count <= len(lines) and prefix.hexdigest() == digest
    new = lines[count:] if keep else lines
    whole = prefix
    whole.update("".join(lines[count:]).encode())
    return Projection(
        credit_id=credit_id,
        status=str(engine_io.status_from(administrative_status, state)),
        cached=(state.as_of, state.days_past_due, state.bucket,
                to_money(state.principal_disbursed), to_money(state.principal_outstanding),
                to_money(state.total_overdue), to_money(state.payoff_amount),
                to_money(state.credit_balance), state.next_due_date),
        allocations="".join(new), rewrite_allocations=not keep,
        allocations_count=len(lines), allocations_digest=whole.hexdigest(),
        schedules=schedules)


def _stored_allocation_text(ids: list[int]) -> dict[int, str]:
    """{credit_id: its stored Allocation rows as allocation_lines text, in id order}."""
    by_credit: dict[int, list[str]] = defaultdict(list)
    if _postgres():
        quote = connection.ops.quote_name
        columns = ", ".join(quote(Allocation._meta.get_field(f).column) for f in ALLOCATION_FIELDS)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY (SELECT {columns} FROM {quote(Allocation._meta.db_table)} "
                f"WHERE credit_id = ANY(%s) ORDER BY credit_id, id) TO STDOUT", [ids]) as copy:
            text = b"".join(bytes(block) for block in copy).decode()
        for line in text.splitlines(keepends=True):
            by_credit[int(line.split("\t", 1)[0])].append(line)
    else:
        for row in (Allocation.objects.filter(credit_id__in=ids).order_by("credit_id", "id")
                    .values_list(*ALLOCATION_FIELDS)):
            credit_id, entry, kind, day, installment, version, component, amount = row
            by_credit[credit_id].append(
                f"{credit_id}\t{_NULL if entry is None else entry}\t{kind}\t{day.isoformat()}\t"
                f"{_NULL if installment is None else installment}\t{version}\t{component}\t"
                f"{to_money(amount)}\n")
    return {credit_id: "".join(lines) for credit_id, lines in by_credit.items()}


def _stored_versions(ids: list[int]) -> dict[int, dict[int, tuple[int, str]]]:
    """{credit_id: {version: (ScheduleVersion pk, fingerprint)}}, one query."""
    stored: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    for pk, credit_id, version, fingerprint in ScheduleVersion.objects.filter(
            credit_id__in=ids).values_list("pk", "credit_id", "version", "fingerprint"):
        stored[credit_id][version] = (pk, fingerprint)
    return stored


def projections_write(pairs: list[tuple[Credit, engine.CreditState]], *, actor: Any,
                      schedules_loaded: bool = False) -> None:
    """Write the projections of `pairs` (credit, state) in bulk, rewriting only what changed:

    - schedule versions (and their installments) whose fingerprint differs from the engine's;
    - allocations: when the stored ones are the first rows of the new replay's (same order, to
      the cent), only the new rows are appended; otherwise the credit's allocations are
      deleted and written again. Either way the table ends exactly as a full rewrite leaves it;
    - the cached columns (one UPDATE on PostgreSQL) and an audit row per status change.

    A handful of statements per call whatever the number of credits. `schedules_loaded` is
    accepted for older callers and ignored (the fingerprints are always read, one query)."""
    del schedules_loaded
    stored = _stored_versions([c.pk for c, _s in pairs])
    projections = [projection_of(c.pk, c.administrative_status, state,
                                 {v: fp for v, (_pk, fp) in stored.get(c.pk, {}).items()},
                                 (c.allocations_count, c.allocations_digest))
                   for c, state in pairs]
    projections_apply([c for c, _s in pairs], projections, actor=actor, stored=stored)


def projections_apply(credits: list[Credit], projections: list[Projection], *, actor: Any,
                      stored: dict[int, dict[int, tuple[int, str]]]) -> None:
    """The database half of projections_write: `projections[i]` is `credits[i]`'s; `stored`
    the schedule versions read before the projections were made (_stored_versions)."""
    drop_versions: list[int] = []
    new_versions: list[tuple[ScheduleVersion, engine.Schedule]] = []
    rewrite_allocations: list[int] = []
    allocations: list[str] = []
    audits: list[AuditEntry] = []
    # Credits whose stored rows are not known by their digest (never replayed since the digest
    # existed, or copied by the bulk demo): read them once as COPY text and keep them when they
    # are the first rows of the new replay's, as the digest would have.
    unknown = {c.pk for c, p in zip(credits, projections, strict=True)
               if p.rewrite_allocations and not c.allocations_digest}
    stored_text = _stored_allocation_text(sorted(unknown)) if unknown else {}
    for credit, p in zip(credits, projections, strict=True):
        have = stored.get(credit.pk, {})
        want = {version: (fingerprint, s) for version, fingerprint, s in p.schedules}
        for version, (pk, fingerprint) in have.items():
            if version not in want or want[version][0] != fingerprint:
                drop_versions.append(pk)
        for version, (fingerprint, s) in want.items():
            if version not in have or have[version][1] != fingerprint:
                assert s is not None, "a changed schedule travels with its projection"
                new_versions.append((ScheduleVersion(
                    credit_id=credit.pk, version=s.version, starts_on=s.starts_on,
                    principal=to_money(s.principal), rate=s.rate,
                    installment_amount=to_money(s.installment_amount), reason=s.reason[:20],
                    fingerprint=fingerprint), s))
        old = stored_text.get(credit.pk, "") if credit.pk in unknown else None
        if old is not None and p.allocations.startswith(old):
            allocations.append(p.allocations[len(old):])
        else:
            if p.rewrite_allocations:
                rewrite_allocations.append(credit.pk)
            allocations.append(p.allocations)
        credit.allocations_count, credit.allocations_digest = (p.allocations_count,
                                                               p.allocations_digest)
        before_status = credit.status
        credit.status = p.status
        (credit.state_as_of, credit.days_past_due, credit.bucket, credit.principal_disbursed,
         credit.principal_outstanding, credit.total_overdue, credit.payoff_amount,
         credit.credit_balance, credit.next_due_date) = p.cached
        credit.has_new_events = False
        if before_status != credit.status:
            audits.append(AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None, action="credito.estado",
                object_type=credit._meta.label_lower, object_id=str(credit.pk),
                object_repr=str(credit)[:200], before={"status": before_status},
                after={"status": str(credit.status), "as_of": credit.state_as_of.isoformat()}))

    if drop_versions:
        Installment.objects.filter(schedule_id__in=drop_versions).delete()
        ScheduleVersion.objects.filter(pk__in=drop_versions).delete()
    if new_versions:
        created = ScheduleVersion.objects.bulk_create([v for v, _s in new_versions],
                                                      batch_size=BATCH)
        _insert_rows(Installment, ["schedule_id", "number", "due_date", "effective_due_date",
                                   "principal", "interest"], [
            (row.pk, i.number, i.due_date, i.effective_due_date, to_money(i.principal),
             to_money(i.interest))
            for row, (_v, s) in zip(created, new_versions, strict=True) for i in s.installments
        ])
    if rewrite_allocations:
        Allocation.objects.filter(credit_id__in=rewrite_allocations).delete()
    _insert_text(Allocation, ALLOCATION_FIELDS, "".join(allocations))
    _update_cached(credits)
    if audits:
        AuditEntry.objects.bulk_create(audits, batch_size=BATCH)


@transaction.atomic
def credit_refresh(*, credit: Credit, as_of: dt.date, actor: Any = None,
                   calendar: engine.BusinessCalendar | None = None) -> engine.CreditState:
    """Replay the credit at `as_of` and rewrite its projections (schedule versions and their
    installments only when they changed; allocations; cached columns; has_new_events=False).
    A projection is not a change of truth: the audit row is written only when the displayed
    status changes ("credito.estado")."""
    fresh = Credit.objects.filter(pk=credit.pk).select_related("product").prefetch_related(
        "disbursements", "ledger_entries").get()
    state = engine_io.credit_state(fresh, as_of=as_of, calendar=calendar)
    projections_write([(fresh, state)], actor=actor)
    _copy_cached(fresh, credit)
    return state


# --- replaying many credits ------------------------------------------------------------------
# Credits per transaction of credits_bulk_refresh; inside one, the engine work is cut in parts
# of REFRESH_PART credits so that, with workers, the first parts are written while the workers
# replay the next ones.
REFRESH_BATCH = 1000
REFRESH_PART = 250
# With a pool: the part a worker replays while this process loads the next one's entries.
POOL_PART = 50
# Below this many credits a refresh replays in this process (a pool costs a fork).
PARALLEL_MIN = 4000
_worker_calendar: engine.BusinessCalendar | None = None


def replay_workers() -> int:
    """Worker processes for big refreshes: RECUPERA_REPLAY_WORKERS, default min(2, CPUs);
    0 or 1 = replay in this process."""
    value = os.environ.get("RECUPERA_REPLAY_WORKERS")
    return int(value) if value not in (None, "") else min(2, os.cpu_count() or 1)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Make this forked process end when its parent dies (kill -9 of an import or of the
    close): Linux prctl(PR_SET_PDEATHSIG, SIGKILL), so the kernel kills it and PostgreSQL ends
    its connection (its open transaction rolls back; nothing half-written stays: a replay only
    writes projections, and the credits keep has_new_events). If the parent died before the
    call, exit at once. Elsewhere (no prctl) the pipe to the parent still ends it when it is
    waiting for work (BackgroundRefresh checks os.getppid() between lists).

    The signal follows the parent *thread* that forked: replay_pool and BackgroundRefresh are
    created, used and joined by the same thread, so that thread outlives its children."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def _init_worker(calendar: engine.BusinessCalendar, parent_pid: int | None = None) -> None:
    global _worker_calendar
    if parent_pid is not None:
        die_with_parent(parent_pid)
    _worker_calendar = calendar


Extra = Callable[[engine.CreditState, engine.Terms], Any]


def _project(calendar: engine.BusinessCalendar, as_of: dt.date, items: list[tuple[Any, ...]],
             extra: Extra | None = None) -> list[tuple[Projection, Any]]:
    """Replay `items` (credit_id, administrative_status, terms, disbursements, events,
    {version: stored fingerprint}, (allocations_count, allocations_digest)) through the
    engine: pure, no database. Each result is (Projection, extra(state, terms)) — `extra`, a
    module-level function so that it reaches the workers, computes what else the caller keeps
    of the full state (the daily close: its aging facts); None without it."""
    out = []
    for credit_id, administrative_status, terms, disbursements, events, known, allocations in items:
        state = engine.credit_state(terms=terms, disbursements=disbursements, events=events,
                                    calendar=calendar, as_of=as_of,
                                    installments=extra is not None)
        out.append((projection_of(credit_id, administrative_status, state, known, allocations),
                    None if extra is None else extra(state, terms)))
    return out


def _project_in_worker(args: tuple[dt.date, list[tuple[Any, ...]], Extra | None]
                       ) -> list[tuple[Projection, Any]]:
    assert _worker_calendar is not None
    return _project(_worker_calendar, *args)


def credits_bulk_refresh(*, credits: Iterable[Credit | int], as_of: dt.date, actor: Any = None,
                         calendar: engine.BusinessCalendar | None = None,
                         batch_size: int = REFRESH_BATCH, workers: int | None = None,
                         pool: Any = None) -> int:
    """Replay many credits (instances or ids) at `as_of` in batches of `batch_size` and write
    their projections. Each batch is one transaction that first locks its credits (lock_credits:
    ascending ids), so a posting that commits meanwhile is never overwritten by a stale replay;
    a few queries per batch, no ORM instances for disbursements and entries.

    The engine is pure, so with `workers` > 1 (default replay_workers() when there are at least
    PARALLEL_MIN credits) it runs in a pool of forked processes that receive the loaded rows
    and return Projections, while this process writes the parts already replayed: the same
    functions compute the same answer, only elsewhere. `pool`: a pool made by replay_pool(),
    kept open by the caller (BackgroundRefresh reuses one for many calls). Returns how many
    were refreshed."""
    calendar = calendar or engine_io.business_calendar()
    ids = sorted({c if isinstance(c, int) else c.pk for c in credits})
    own_pool = pool is None
    if own_pool:
        if workers is None:
            workers = replay_workers() if len(ids) >= PARALLEL_MIN else 1
        pool = replay_pool(workers, calendar) if workers > 1 and ids else None
    # Its own transactions only write projections (a cache of the engine's answer) and clear
    # has_new_events: if the server crashes before such a commit reaches the disk, the whole
    # batch is lost together and the credits still say has_new_events, so the next replay
    # (or the daily close) writes them again. So they need not wait for the WAL flush. Inside
    # a caller's transaction (a posting) the caller's durability is kept.
    asynchronous = _postgres() and not connection.in_atomic_block
    try:
        for start in range(0, len(ids), batch_size):
            chunk = ids[start:start + batch_size]
            with transaction.atomic():
                if asynchronous:
                    lookups_by_index(asynchronous_commit=True)
                _refresh_batch(chunk, as_of=as_of, actor=actor, calendar=calendar, pool=pool)
    finally:
        if own_pool and pool is not None:
            pool.close()
            pool.join()
    return len(ids)


def replay_pool(workers: int, calendar: engine.BusinessCalendar) -> Any:
    """A pool of `workers` forked processes that replay for credits_bulk_refresh(pool=…)."""
    return multiprocessing.get_context("fork").Pool(workers, _init_worker,
                                                    (calendar, os.getpid()))


class _CreditRow:
    """What a bulk replay needs of a credit, loaded from one row without a model instance
    (building 1,000 Credit and Product instances per batch was a fifth of the replaying
    process's time). It has the attributes engine_io.terms_for, projections_apply and
    _update_cached read; `product` is a shared Product instance."""

    FIELDS = ("id", "folio", "product_id", "administrative_status", "base_rate", "late_rate",
              "term_months", "grace_months", "end_of_studies", "first_due_date",
              "academic_average", *CACHED_FIELDS)
    __slots__ = (*FIELDS, "product")
    _meta = Credit._meta

    @property
    def pk(self) -> int:
        return self.id  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return self.folio  # type: ignore[no-any-return]


def _lock_credit_rows(ids: list[int]) -> list[_CreditRow]:
    """lock_credits (SELECT … FOR UPDATE, ascending ids) returning _CreditRows."""
    fields = _CreditRow.FIELDS
    rows = list(Credit.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
                .values_list(*fields))
    product_ids = {row[2] for row in rows}
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids)}
    new = object.__new__
    out = []
    for row in rows:
        credit = new(_CreditRow)
        for name, value in zip(fields, row, strict=True):
            setattr(credit, name, value)
        credit.product = products[credit.product_id]
        out.append(credit)
    return out


def credits_replay_batch(ids: list[int], *, as_of: dt.date, actor: Any,
                         calendar: engine.BusinessCalendar, pool: Any = None,
                         extra: Extra | None = None) -> list[tuple[int, Any, int, int]]:
    """One batch of credits_bulk_refresh in the caller's transaction (it locks the credits):
    replayed (in `pool`'s workers, or here), projections written. Returns, per credit,
    (credit id, extra(state, terms), the last ledger entry id, the last disbursement id) —
    what the daily close keeps of each replay."""
    return _refresh_batch(sorted(set(ids)), as_of=as_of, actor=actor, calendar=calendar,
                          pool=pool, extra=extra)


def _refresh_batch(chunk: list[int], *, as_of: dt.date, actor: Any,
                   calendar: engine.BusinessCalendar, pool: Any,
                   extra: Extra | None = None) -> list[tuple[int, Any, int, int]]:
    credits = _lock_credit_rows(chunk)
    disbursed: dict[int, list[engine.Disbursement]] = defaultdict(list)
    last_disbursement: dict[int, int] = defaultdict(int)
    for pk, credit_id, number, date, amount in (
            Disbursement.objects.filter(credit_id__in=chunk).order_by("credit_id", "number")
            .values_list("id", "credit_id", "number", "date", "amount")):
        disbursed[credit_id].append(engine.Disbursement(number=number, date=date, amount=amount))
        last_disbursement[credit_id] = max(last_disbursement[credit_id], pk)
    events: dict[int, list[engine.Event]] = defaultdict(list)
    last_entry: dict[int, int] = defaultdict(int)
    stored = _stored_versions(chunk)

    def items_of(part: list[Credit]) -> list[tuple[Any, ...]]:
        for row in engine_io.events_query([c.pk for c in part]):
            events[row[0]].append(engine_io.event_from_row(*row[1:]))
            last_entry[row[0]] = row[1]
        return [(c.pk, c.administrative_status, engine_io.terms_for(c), disbursed[c.pk],
                 events[c.pk], {v: fp for v, (_pk, fp) in stored.get(c.pk, {}).items()},
                 (c.allocations_count, c.allocations_digest))
                for c in part]

    if pool is None:
        starts = list(range(0, len(credits), REFRESH_PART))
        items = items_of(credits)
        results: Iterable[list[tuple[Projection, Any]]] = (
            _project(calendar, as_of, items[start:start + REFRESH_PART], extra) for start in starts)
    else:
        # Overlapped: each part's entries are loaded and handed to a worker at once, so the
        # workers replay part k while this process loads part k + 1 (loading the whole batch
        # first left both workers idle for a third of each batch).
        starts = list(range(0, len(credits), POOL_PART))
        pending = [pool.apply_async(_project_in_worker,
                                    ((as_of, items_of(credits[start:start + POOL_PART]), extra),))
                   for start in starts]
        results = (p.get() for p in pending)
    out: list[tuple[int, Any, int, int]] = []
    for start, pairs in zip(starts, results, strict=True):
        projections_apply(credits[start:start + len(pairs)], [p for p, _x in pairs], actor=actor,
                          stored=stored)
        out.extend((p.credit_id, x, last_entry[p.credit_id], last_disbursement[p.credit_id])
                   for p, x in pairs)
    return out


# --- replaying in the background, while the caller goes on posting ----------------------------
class BackgroundRefresh:
    """Replay credits in forked processes while this one keeps posting (a big payments file:
    chunk k's credits are replayed while chunk k+1 is posted).

        with BackgroundRefresh(as_of=…, actor=…) as background:
            for chunk in chunks:
                post(chunk)                    # committed
                background.submit(paid_ids)    # replayed by another process
        # on leaving: every submitted credit has been replayed (or `failed` says why not)

    `processes` (default replay_workers()) processes, each with its own database connection,
    each take an equal part of every submitted list and replay it in-process with credits_bulk_refresh
    (engine and writes in the same process: no pickling, and while one waits for the database
    the other computes). credits_bulk_refresh locks each batch's credits in ascending order and
    reads their entries after taking the locks, so two processes replaying the same credit
    take turns, and a posting that commits later is never overwritten: its credit is submitted
    again and replayed after it. Nothing is lost if one fails or is killed: the credits it did
    not reach keep `has_new_events` (the caller, or the daily close, replays them); `failed`
    then holds the error and `refreshed` what was done.

    Only for callers outside a transaction on PostgreSQL (`available()`): the other processes
    must see the committed postings, and this process's connection is closed before the fork
    (a forked child must not share the parent's socket); Django reopens it on next use."""

    def __init__(self, *, as_of: dt.date, actor: Any = None, processes: int | None = None) -> None:
        self.as_of, self.actor = as_of, actor
        self.processes = max(1, replay_workers() if processes is None else processes)
        self.refreshed = 0
        self.failed = ""
        self.backend_cpu_seconds: float | None = None
        self._children: list[tuple[Any, Any]] = []  # (process, pipe)
        self._stopped: set[int] = set()

    @staticmethod
    def available() -> bool:
        return _postgres() and not connection.in_atomic_block

    def __enter__(self) -> BackgroundRefresh:
        from django.db import connections

        calendar = engine_io.business_calendar()
        connections.close_all()
        context = multiprocessing.get_context("fork")
        parent = os.getpid()
        for _number in range(self.processes):
            mine, theirs = context.Pipe()
            process = context.Process(target=self._run, args=(theirs, calendar, parent),
                                      daemon=True)
            process.start()
            theirs.close()
            self._children.append((process, mine))
        return self

    def submit(self, ids: Iterable[int]) -> None:
        """Hand `ids` to the processes: split in equal contiguous parts, one per running
        process (whole lists in turn left one process replaying the last list alone while the
        others had finished)."""
        ids = sorted(set(ids))
        running = [i for i in range(len(self._children)) if i not in self._stopped]
        if not ids or not running:
            return
        parts = len(running)
        for k, index in enumerate(running):
            part = ids[len(ids) * k // parts:len(ids) * (k + 1) // parts]
            if part:
                self._send(index, part)

    def _send(self, index: int, ids: list[int]) -> None:
        try:
            self._children[index][1].send(ids)
        except OSError:  # it stopped (its report, if it sent one, is read on leaving)
            self._stopped.add(index)
            self.failed = self.failed or "un proceso de recálculo se detuvo"

    def __exit__(self, exc_type: Any, *_exc: object) -> None:
        cpu = 0.0
        for index, (process, pipe) in enumerate(self._children):
            try:
                if index not in self._stopped:
                    with contextlib.suppress(OSError):
                        pipe.send(None)
                message = pipe.recv()
                self.refreshed += message[1]
                if message[0] == "failed":
                    self.failed = message[2]
                elif message[2] is not None:
                    cpu += message[2]
            except (EOFError, OSError) as exc:
                self.failed = self.failed or f"un proceso de recálculo terminó: {exc!r}"
            finally:
                pipe.close()
                process.join()
        self.backend_cpu_seconds = cpu

    def _run(self, conn: Any, calendar: engine.BusinessCalendar, parent: int) -> None:
        from django.db import connections

        die_with_parent(parent)
        done = 0
        try:
            while (ids := self._next(conn, parent)) is not None:
                done += credits_bulk_refresh(credits=ids, as_of=self.as_of, actor=self.actor,
                                             calendar=calendar, workers=1)
            conn.send(("done", done, _backend_cpu_seconds()))
        except BaseException as exc:  # reported to the parent, which decides
            conn.send(("failed", done, f"{type(exc).__name__}: {exc}"[:2000]))
        finally:
            connections.close_all()
            conn.close()


    @staticmethod
    def _next(conn: Any, parent: int) -> list[int] | None:
        """The next list of ids; None at the end. Also ends (None) when the parent is gone,
        where prctl is not available (a forked child keeps the parent's end of the pipe open,
        so recv() alone would wait for ever)."""
        while not conn.poll(1.0):
            if os.getppid() != parent:
                return None
        return conn.recv()  # type: ignore[no-any-return]


def _backend_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, when the server runs on
    this machine (read from /proc; None elsewhere). For the benchmarks' accounting."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
