"""Every write of the payments app: keyword-only arguments, `actor=` first, one transaction per
unit of work, an audit row in it.

Exactly once. A bank operation is a row of BankOperation, unique per (agreement, operation key),
inserted *before* its money is posted and in the same transaction as the ledger entry. The same
file twice, the same operation in two files, or two overlapping imports running at once: the
second insert finds the key taken (or waits for the first transaction and then finds it) and
the line is reported as a duplicate. Inside a chunk the credits are locked first, always in
ascending id order (credits.services.lock_credits), and operations are inserted sorted by key,
so two imports cannot deadlock on each other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from recupera.core.audit import audit_record, snapshot
from recupera.core.models import AuditEntry
from recupera.core.money import to_money
from recupera.core.pgarrays import array_literal
from recupera.credits.models import Credit, LedgerEntry
from recupera.credits.services import BackgroundRefresh
from recupera.payments.matching import match_rows
from recupera.payments.models import (
    BankAgreement,
    BankOperation,
    FileLayout,
    PaymentImport,
    PayrollEnrollment,
    Receipt,
)
from recupera.payments.parsing import (
    DUPLICATE,
    ERROR,
    WARNING,
    ParsedRow,
    Problem,
    parse_file,
)
from recupera.payments.references import references_backfill

log = logging.getLogger(__name__)
ZERO = Decimal("0")
CHUNK = 1000
MAX_RETRIES = 4
REPLAY_PER_CHUNK_MAX = 2000
# Amount bounds (docs/import-layouts.md, «Importes fuera de rango»). A file's payment above its
# layout's max_amount (or this default) is not posted: it goes to the unidentified queue for a
# person to review. No channel ever posts a single payment above the ceiling.
DEFAULT_MAX_AMOUNT = Decimal("500000.00")
DEFAULT_CEILING = Decimal("10000000.00")
DEFAULT_CASH_MAX_AMOUNT = Decimal("200000.00")
# A payment more than twice the credit's payoff plus this is an outlier too.
OUTLIER_MARGIN = Decimal("1000.00")


def payment_max_amount(layout: FileLayout | None = None) -> Decimal:
    """The largest payment a file of `layout` posts without review."""
    if layout is not None and layout.max_amount is not None:
        return min(layout.max_amount, payment_ceiling())
    return min(Decimal(str(getattr(settings, "RECUPERA_PAYMENT_MAX_AMOUNT", DEFAULT_MAX_AMOUNT))),
               payment_ceiling())


def payment_ceiling() -> Decimal:
    """No channel posts a single payment above this (RECUPERA_PAYMENT_CEILING)."""
    return Decimal(str(getattr(settings, "RECUPERA_PAYMENT_CEILING", DEFAULT_CEILING)))


def cash_max_amount() -> Decimal:
    """The largest payment the cashier takes (RECUPERA_CASH_MAX_AMOUNT)."""
    return min(Decimal(str(getattr(settings, "RECUPERA_CASH_MAX_AMOUNT", DEFAULT_CASH_MAX_AMOUNT))),
               payment_ceiling())


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def outliers_hold(rows: list[ParsedRow], layout: FileLayout) -> list[Problem]:
    """Send to review (hold_reason) the rows whose amount is above the layout's bound, or far
    above what their credit owes (more than twice its cached payoff plus OUTLIER_MARGIN). One
    query per 5,000 matched credits. Returns a warning per held row for the report."""
    limit = payment_max_amount(layout)
    ids = sorted({r.credit_id for r in rows if r.credit_id is not None})
    payoff: dict[int, Decimal] = {}
    for start in range(0, len(ids), 5000):
        payoff.update((pk, amount) for pk, amount in Credit.objects.filter(
            pk__in=ids[start:start + 5000], state_as_of__isnull=False).values_list(
            "pk", "payoff_amount"))
    problems: list[Problem] = []
    for r in rows:
        if r.hold_reason:
            pass
        elif r.amount > limit:
            r.hold_reason = _("importe %(a)s mayor que el máximo por pago del formato %(l)s "
                              "(%(m)s)") % {"a": _money(r.amount), "l": layout.name,
                                            "m": _money(limit)}
        elif r.credit_id in payoff and r.amount > payoff[r.credit_id] * 2 + OUTLIER_MARGIN:
            r.hold_reason = _("importe %(a)s muy superior a lo que debe el crédito (para liquidar: "
                              "%(p)s)") % {"a": _money(r.amount), "p": _money(payoff[r.credit_id])}
        else:
            continue
        problems.append(Problem(r.line_number, "amount", _(
            "el pago de %(a)s no se aplicó: se envió a revisión en la bandeja de no identificados "
            "(%(why)s).") % {"a": _money(r.amount), "why": r.hold_reason}, WARNING))
    return problems


def imported_credits_refresh(*, actor: Any, payment_import: PaymentImport) -> int:
    """Replay (batched, credits.services.credits_bulk_refresh) the credits this import paid that
    still wait for it. Returns how many were replayed."""
    from recupera.credits.services import credits_bulk_refresh

    # Two lookups by index (the operations of this import, then those credits by id) rather
    # than one join: with statistics taken before the import (has_new_events "never true") the
    # planner ran the join as a nested loop over the whole import for every credit.
    paid = sorted(set(BankOperation.objects.filter(
        payment_import=payment_import, credit__isnull=False).values_list("credit_id", flat=True)))
    pending = [pk for start in range(0, len(paid), 5000)
               for pk, waiting in Credit.objects.filter(pk__in=paid[start:start + 5000])
               .values_list("pk", "has_new_events") if waiting]
    if pending:
        credits_bulk_refresh(credits=pending, as_of=payment_import.business_date, actor=actor)
    return len(pending)


# --- imports ----------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 100,000 bank records are under 20 MB
UPLOAD_EXTENSIONS = ("", ".txt", ".csv", ".dat", ".prn", ".tsv", ".ret", ".rsp")


def upload_check(*, name: str, size: int) -> None:
    """The limits of a payments file on every path (screen, API, CLI): size and kind by its
    name (its content is checked by parsing.sniff_binary; an empty file is a rejected import
    with its report). ValidationError in Spanish."""
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("El archivo pesa %(mb)s MB; el máximo es %(max)s MB. "
                                         "Divídalo en archivos más chicos.") % {
            "mb": f"{size / 1024 / 1024:,.1f}", "max": MAX_UPLOAD_BYTES // 1024 // 1024}})
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    ext = ("." + base.rsplit(".", 1)[1].lower()) if "." in base else ""
    if ext not in UPLOAD_EXTENSIONS:
        raise ValidationError({"file": _("Un archivo «%(ext)s» no es un archivo de pagos: se "
                                         "reciben archivos de texto del banco (%(ok)s).") % {
            "ext": ext, "ok": ", ".join(e for e in UPLOAD_EXTENSIONS if e)}})


# A running import whose heartbeat is older than this (RECUPERA_IMPORT_STALE_SECONDS) is stale
# even when its process cannot be checked (another host). Heartbeats come at least once per
# chunk (a chunk of 1,000 rows takes about a second).
DEFAULT_STALE_SECONDS = 600


def _process_start(pid: int) -> str:
    """The start time of a process in clock ticks since boot (/proc/<pid>/stat field 22), so a
    reused pid is not mistaken for the runner; "" when it does not exist or /proc is absent."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _runner_id() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"[:120]


def _runner_alive(runner: str) -> bool | None:
    """True/False when the runner ran on this host (its pid and start time checked); None when
    it cannot be told from here."""
    host, _sep, rest = runner.partition(":")
    pid_text, _sep, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or not os.path.isdir("/proc"):
        return None
    return _process_start(int(pid_text)) == start and start != ""


def payment_import_stale(imp: PaymentImport, *, now: dt.datetime | None = None) -> bool:
    """A running import that nobody runs any more (killed with kill -9, the worker or server
    restarted): its process is gone (same host), or its heartbeat is too old."""
    if imp.status != PaymentImport.Status.RUNNING:
        return False
    alive = _runner_alive(imp.runner) if imp.runner else None
    if alive is not None:
        return not alive
    seconds = int(getattr(settings, "RECUPERA_IMPORT_STALE_SECONDS", DEFAULT_STALE_SECONDS))
    last = imp.heartbeat_at or imp.started_at or imp.created_at
    return last is None or last < (now or timezone.now()) - dt.timedelta(seconds=seconds)


def payment_import_resume(*, actor: Any, payment_import: PaymentImport,
                          chunk_size: int = CHUNK, run: bool = True) -> PaymentImport:
    """Resume a failed or stale import (UI button, `recupera import payments --resume ID`):
    audited, then run again (`run=False`: only marked pending, for the task to run it). What the
    earlier run applied is recognized by its operations and not applied twice."""
    with transaction.atomic():
        imp = PaymentImport.objects.select_for_update().get(pk=payment_import.pk)
        if not (imp.status == PaymentImport.Status.FAILED or payment_import_stale(imp)):
            if imp.status in (PaymentImport.Status.RUNNING, PaymentImport.Status.PENDING):
                raise ValidationError(_("La importación %(n)s se está procesando (o espera su "
                                        "turno); no hace falta reanudarla.") % {"n": imp.pk})
            raise ValidationError(_("La importación %(n)s ya terminó (%(s)s); no hay nada que "
                                    "reanudar.") % {"n": imp.pk, "s": imp.get_status_display()})
        before = snapshot(imp, ["status", "processed_lines", "applied_count", "runner",
                                "heartbeat_at", "failure"])
        PaymentImport.objects.filter(pk=imp.pk).update(status=PaymentImport.Status.PENDING,
                                                       runner="")
        imp.refresh_from_db()
        audit_record(actor=actor, action="pagos.importacion.reanudar", obj=imp, before=before,
                     after=snapshot(imp, ["status"]))
    if not run:
        return imp
    return payment_import_run(actor=actor, payment_import=imp, chunk_size=chunk_size)


@transaction.atomic
def payment_import_create(
    *,
    actor: Any,
    layout: FileLayout,
    name: str,
    content: bytes,
    business_date: dt.date,
    mode: str = PaymentImport.Mode.VALID_ROWS,
) -> PaymentImport:
    """Keep the file (with its SHA-256) and create the import, pending. Run it with
    `payment_import_run` (the upload screen enqueues a task that does)."""
    if mode not in PaymentImport.Mode.values:
        raise ValidationError({"mode": _("Modo de importación desconocido: «%(m)s».") % {"m": mode}})
    upload_check(name=name or "pagos.txt", size=len(content))
    digest = hashlib.sha256(content).hexdigest()
    earlier = (PaymentImport.objects.filter(sha256=digest)
               .exclude(status=PaymentImport.Status.REJECTED).order_by("pk").first())
    imp = PaymentImport(layout=layout, mode=mode, original_name=(name or "pagos.txt")[-200:],
                        sha256=digest, size=len(content), business_date=business_date,
                        uploaded_by=actor if getattr(actor, "pk", None) else None,
                        same_file_as=earlier)
    imp.file.save(f"{digest[:16]}-{(name or 'pagos.txt').rsplit('/', 1)[-1][-80:]}",
                  ContentFile(content), save=False)
    imp.save()
    audit_record(actor=actor, action="pagos.importacion.cargar", obj=imp, after=snapshot(
        imp, ["layout_id", "mode", "original_name", "sha256", "size", "business_date",
              "same_file_as_id"]))
    return imp


def payment_import_run(*, actor: Any, payment_import: PaymentImport, chunk_size: int = CHUNK,
                       replay: str | None = None,
                       on_progress: Callable[[PaymentImport], None] | None = None) -> PaymentImport:
    """Parse, validate, match and apply an import, chunk by chunk (each chunk one transaction).

    `replay`: "now" replays the paid credits inside each chunk's transaction; "deferred" posts
    the ledger entries, marks the credits `has_new_events` and replays them in batches after the
    whole file (the fast path for big files); "skip" leaves that replay to the daily close.
    Default: "now" up to REPLAY_PER_CHUNK_MAX rows, else "deferred". Either way the money is
    in the ledger exactly once when a chunk commits, and the credit page (which asks the engine
    live) shows it.

    Resumable: running it again after a failure applies only what is not applied yet (the
    operations it already stored are its own and are not posted twice)."""
    if chunk_size < 1:
        raise ValidationError({"chunk": _("Los renglones por transacción deben ser 1 o más.")})
    with transaction.atomic():
        imp = (PaymentImport.objects.select_for_update(of=("self",))
               .select_related("layout", "layout__default_agreement").get(pk=payment_import.pk))
        if imp.status in (PaymentImport.Status.DONE, PaymentImport.Status.REJECTED):
            return imp
        if imp.status == PaymentImport.Status.RUNNING and not payment_import_stale(imp):
            raise ValidationError(_("La importación %(n)s ya se está procesando en otro proceso.")
                                  % {"n": imp.pk})
        now = timezone.now()
        PaymentImport.objects.filter(pk=imp.pk).update(
            status=PaymentImport.Status.RUNNING, started_at=now, heartbeat_at=now,
            runner=_runner_id(), processed_lines=0, applied_count=0, applied_amount=ZERO,
            duplicate_count=0, unidentified_count=0, unidentified_amount=ZERO, error_count=0,
            failure="")
    try:
        with imp.file.open("rb") as fh:
            content = fh.read()
        agreements = list(BankAgreement.objects.filter(active=True))
        parsed = parse_file(content, imp.layout, agreements=agreements,
                            business_date=imp.business_date)
        problems: list[Problem] = list(parsed.problems)
        error_rows = parsed.error_rows
        total = parsed.total_lines
        PaymentImport.objects.filter(pk=imp.pk).update(total_lines=total, heartbeat_at=timezone.now(),
                                                       error_count=len(error_rows))
        reject = parsed.file_rejected or (
            imp.mode == PaymentImport.Mode.ALL_OR_NOTHING and bool(error_rows))
        if reject:
            if not parsed.file_rejected:
                problems.append(Problem(None, "", _(
                    "el archivo tiene %(n)s renglones con error y el modo es «todo o nada»: no se "
                    "aplicó ningún pago. Corrija el archivo y cárguelo de nuevo.") % {
                    "n": len(error_rows)}))
            return _finish(actor, imp, PaymentImport.Status.REJECTED, problems)

        references_backfill()
        problems.extend(match_rows(parsed.rows))
        problems.extend(outliers_hold(parsed.rows, imp.layout))
        processed = len(error_rows) + sum(1 for p in parsed.problems if p.severity == DUPLICATE)
        PaymentImport.objects.filter(pk=imp.pk).update(processed_lines=processed)
        rows = parsed.rows
        replay_now = len(rows) <= REPLAY_PER_CHUNK_MAX if replay is None else replay == "now"
        deferred = not replay_now and replay != "skip"
        # Deferred, outside a transaction on PostgreSQL: each chunk's credits are replayed by
        # another process while the next chunks are posted (credits.services.BackgroundRefresh).
        background = (BackgroundRefresh(as_of=imp.business_date, actor=actor)
                      if deferred and BackgroundRefresh.available() else None)
        with background or contextlib.nullcontext():
            for start in range(0, len(rows), chunk_size):
                chunk = rows[start:start + chunk_size]
                chunk_problems, paid = _apply_chunk_isolated(actor=actor, imp=imp, rows=chunk,
                                                             replay_now=replay_now)
                problems.extend(chunk_problems)
                if background is not None:
                    background.submit(paid)
                if on_progress is not None:
                    imp.refresh_from_db()
                    on_progress(imp)
        if background is not None and background.failed:
            log.warning("payments import %s: background replay failed (%s); replaying here",
                        imp.pk, background.failed)
        if deferred and (background is None or background.failed):
            imported_credits_refresh(actor=actor, payment_import=imp)
        return _finish(actor, imp, PaymentImport.Status.DONE, problems)
    except Exception as exc:
        log.exception("payments import %s failed", imp.pk)
        PaymentImport.objects.filter(pk=imp.pk).update(
            status=PaymentImport.Status.FAILED, finished_at=timezone.now(),
            failure=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def _finish(actor: Any, imp: PaymentImport, status: str, problems: list[Problem]) -> PaymentImport:
    problems = sorted(problems, key=lambda p: (p.row or 0, p.severity != ERROR))
    with transaction.atomic():
        PaymentImport.objects.filter(pk=imp.pk).update(
            status=status, finished_at=timezone.now(),
            problems=[p.as_json() for p in problems],
            processed_lines=F("total_lines"))
        imp.refresh_from_db()
        audit_record(actor=actor, action="pagos.importacion.terminar", obj=imp, after=snapshot(
            imp, ["status", "total_lines", "applied_count", "applied_amount", "duplicate_count",
                  "unidentified_count", "unidentified_amount", "error_count"]))
    return imp


def _apply_chunk_isolated(*, actor: Any, imp: PaymentImport, rows: list[ParsedRow],
                          replay_now: bool) -> tuple[list[Problem], set[int]]:
    """Apply a chunk; if it fails for a reason other than a lock conflict (a numeric overflow
    in one credit's figures, a constraint), apply it again credit by credit, so one credit's
    failure never takes other credits' payments down with it. The rows of a credit that still
    fails are reported as errors (kept with their line for correction); nothing of them stays."""
    try:
        return _apply_chunk_with_retry(actor=actor, imp=imp, rows=rows, replay_now=replay_now)
    except OperationalError:
        raise
    except DatabaseError as exc:
        if len({None if r.hold_reason else r.credit_id for r in rows}) <= 1:
            return _rows_failed(imp, rows, exc), set()
        log.warning("payments import %s: a chunk failed (%s); applying it credit by credit",
                    imp.pk, exc)
    groups: dict[int | None, list[ParsedRow]] = {}
    for r in rows:
        groups.setdefault(None if r.hold_reason else r.credit_id, []).append(r)
    problems: list[Problem] = []
    paid: set[int] = set()
    for _credit_id, group in sorted(groups.items(), key=lambda g: (g[0] is not None, g[0] or 0)):
        try:
            group_problems, group_paid = _apply_chunk_with_retry(actor=actor, imp=imp, rows=group,
                                                                 replay_now=replay_now)
        except OperationalError:
            raise
        except DatabaseError as exc:
            problems.extend(_rows_failed(imp, group, exc))
            continue
        problems.extend(group_problems)
        paid |= group_paid
    return problems, paid


def _rows_failed(imp: PaymentImport, rows: list[ParsedRow], exc: Exception) -> list[Problem]:
    log.error("payments import %s: rows %s not applied: %s", imp.pk,
              [r.line_number for r in rows], exc)
    PaymentImport.objects.filter(pk=imp.pk).update(
        processed_lines=F("processed_lines") + len(rows), error_count=F("error_count") + len(rows))
    return [Problem(r.line_number, "", _(
        "el pago de %(a)s no se pudo aplicar: las cifras del crédito no admiten el movimiento "
        "(error de la base de datos). No se guardó nada de este renglón; los demás créditos no "
        "se afectan. Avise a sistemas.") % {"a": _money(r.amount)}, ERROR, "", r.raw)
        for r in rows]


def _apply_chunk_with_retry(*, actor: Any, imp: PaymentImport, rows: list[ParsedRow],
                            replay_now: bool) -> tuple[list[Problem], set[int]]:
    for attempt in range(MAX_RETRIES):
        try:
            return _apply_chunk(actor=actor, imp=imp, rows=rows, replay_now=replay_now)
        except OperationalError as exc:  # deadlock or serialization failure: try again
            text = str(exc).lower()
            if attempt == MAX_RETRIES - 1 or not ("deadlock" in text or "serializ" in text
                                                  or "locked" in text):
                raise
            time.sleep(0.05 * (attempt + 1))
    return [], set()  # pragma: no cover


def _apply_chunk(*, actor: Any, imp: PaymentImport, rows: list[ParsedRow],
                 replay_now: bool = True) -> tuple[list[Problem], set[int]]:
    """Apply one chunk in one transaction. Returns the report's problems and the credits it
    paid (replayed already when `replay_now`, else marked `has_new_events`)."""
    from recupera.credits.services import credits_bulk_refresh, lock_credit_ids, lookups_by_index

    problems: list[Problem] = []
    with transaction.atomic():
        lookups_by_index()
        credits = lock_credit_ids(r.credit_id for r in rows if r.credit_id is not None)
        ordered = sorted(rows, key=lambda r: (r.agreement.pk, r.operation_key))
        # PostgreSQL: the operations, their ledger entries, the audit rows and the marks in one
        # statement ({(agreement, key): entry id or None} of the operations it inserted).
        inserted: dict[tuple[int, str], int | None] = (
            _operations_post(actor, imp, ordered, credits, mark=not replay_now)
            if connection.vendor == "postgresql" else {})
        if connection.vendor != "postgresql":
            _operations_insert(imp, ordered, credits)
        # The rows it did not insert: another import's (duplicates), or this import's own from
        # an earlier, interrupted run (applied then; posted again only if they lack an entry).
        stored: dict[tuple[int, str], tuple[int, int | None, int | None, int | None, str]] = {}
        keys_by_agreement: dict[int, list[str]] = {}
        for r in rows:
            if (r.agreement.pk, r.operation_key) not in inserted:
                keys_by_agreement.setdefault(r.agreement.pk, []).append(r.operation_key)
        for agreement_id, keys in keys_by_agreement.items():
            for op in BankOperation.objects.filter(agreement_id=agreement_id,
                                                   operation_key__in=keys).values_list(
                    "pk", "operation_key", "payment_import_id", "line_number", "ledger_entry_id",
                    "status"):
                stored[(agreement_id, op[1])] = (op[0], op[2], op[3], op[4], op[5])

        to_post: list[tuple[int, ParsedRow]] = []
        paid: set[int] = set()
        applied = unidentified = duplicates = 0
        applied_amount = unidentified_amount = ZERO
        for r in rows:
            key = (r.agreement.pk, r.operation_key)
            if key in inserted:
                if inserted[key] is None:
                    unidentified += 1
                    unidentified_amount += r.amount
                else:
                    applied += 1
                    applied_amount += r.amount
                    paid.add(r.credit_id)
                continue
            op_id, import_id, line, entry_id, status = stored[key]
            if import_id != imp.pk or line != r.line_number:
                duplicates += 1
                where = (_("en la importación %(imp)s, renglón %(line)s") % {"imp": import_id,
                                                                            "line": line}
                         if import_id else _("por otro medio"))
                problems.append(Problem(r.line_number, "", _(
                    "operación duplicada: ya se había registrado %(where)s; no se aplica otra vez.")
                    % {"where": where}, DUPLICATE))
                continue
            if status == BankOperation.Status.UNIDENTIFIED:
                unidentified += 1
                unidentified_amount += r.amount
                continue
            applied += 1
            applied_amount += r.amount
            if entry_id is None:
                to_post.append((op_id, r))

        marked = set(paid) if not replay_now else set()
        if to_post:
            _entries_post(actor, imp, to_post)
            paid.update(r.credit_id for _o, r in to_post)
        if paid:
            if replay_now:
                credits_bulk_refresh(credits=sorted(paid), as_of=imp.business_date, actor=actor)
            elif paid - marked:  # replayed right after the file (or by the daily close)
                Credit.objects.filter(pk__in=sorted(paid - marked)).update(has_new_events=True)

        PaymentImport.objects.filter(pk=imp.pk).update(
            processed_lines=F("processed_lines") + len(rows), heartbeat_at=timezone.now(),
            applied_count=F("applied_count") + applied,
            applied_amount=F("applied_amount") + applied_amount,
            duplicate_count=F("duplicate_count") + duplicates,
            unidentified_count=F("unidentified_count") + unidentified,
            unidentified_amount=F("unidentified_amount") + unidentified_amount)
    return problems, paid


def _operation_values(imp: PaymentImport, r: ParsedRow, credits: set[int]) -> dict[str, Any]:
    known = r.credit_id in credits and not r.hold_reason
    return {
        "agreement_id": r.agreement.pk, "operation_key": r.operation_key,
        "payment_import_id": imp.pk, "line_number": r.line_number, "value_date": r.value_date,
        "amount": r.amount, "reference": r.reference, "concept": r.concept,
        "payment_type": r.payment_type, "branch": r.branch, "raw": r.raw,
        "channel": imp.layout.channel,
        "status": BankOperation.Status.APPLIED.value if known
        else BankOperation.Status.UNIDENTIFIED.value,
        "unidentified_reason": "" if known else (r.hold_reason or r.unidentified_reason)[:200],
        "credit_id": r.credit_id if known else None,
        "match": str(r.match) if known else "",
    }


# Column -> PostgreSQL array type, for INSERT … SELECT FROM unnest(…) of bank operations.
_OPERATION_TYPES = {
    "agreement_id": "bigint", "operation_key": "text", "payment_import_id": "bigint",
    "line_number": "int", "value_date": "date", "amount": "numeric", "reference": "text",
    "concept": "text", "payment_type": "text", "branch": "text", "raw": "text", "channel": "text",
    "status": "text", "unidentified_reason": "text", "credit_id": "bigint", "match": "text",
}


def _operations_insert(imp: PaymentImport, ordered: list[ParsedRow], credits: set[int]) -> None:
    """Insert the chunk's operations, sorted by (agreement, key), skipping keys already taken
    (ON CONFLICT DO NOTHING). The ORM path (SQLite); PostgreSQL uses _operations_post."""
    BankOperation.objects.bulk_create([BankOperation(**_operation_values(imp, r, credits))
                                       for r in ordered], ignore_conflicts=True, batch_size=1000)


def _payment_audit_insert(audit: str) -> str:
    """The INSERT of the audit rows of the payment entries a CTE named `e` returned (id,
    credit_id, value_date, amount, natural_key); parameters: at, actor id, channel, import id."""
    return f"""
                INSERT INTO {audit} (at, actor_id, action, object_type, object_id, object_repr,
                                     after)
                SELECT %s, %s, 'movimiento.payment', 'credits.ledgerentry', e.id::text,
                       e.credit_id || ' Pago ' || to_char(e.value_date, 'YYYY-MM-DD') || ' '
                           || e.amount::text,
                       jsonb_build_object('credit_id', e.credit_id, 'kind', 'payment',
                           'value_date', to_char(e.value_date, 'YYYY-MM-DD'),
                           'amount', e.amount::text, 'channel', %s::text,
                           'natural_key', e.natural_key, 'import_id', %s::bigint)
                FROM e ORDER BY e.id"""


def _operations_post(actor: Any, imp: PaymentImport, ordered: list[ParsedRow], credits: set[int],
                     *, mark: bool) -> dict[tuple[int, str], int | None]:
    """PostgreSQL: insert the chunk's operations (sorted by agreement and key, ON CONFLICT DO
    NOTHING: a key already taken, or being taken by a concurrent import, is skipped after that
    transaction ends) and, in the same statement, a payment entry (natural key "banco:<op
    id>") for each inserted operation that names a credit, its audit row, and — with `mark` —
    `has_new_events` on the paid credits. The entry ids are drawn from the ledger's sequence as
    the operations are inserted, so an operation is written once, already linked to its entry
    (the foreign key is checked at commit). Returns {(agreement id, key): entry id, or None
    for an unidentified operation} of the operations this statement inserted."""
    values = [_operation_values(imp, r, credits) for r in ordered]
    if not values:
        return {}
    names = list(_OPERATION_TYPES)
    q = connection.ops.quote_name
    ops, ledger = q(BankOperation._meta.db_table), q(LedgerEntry._meta.db_table)
    audit, credit = q(AuditEntry._meta.db_table), q(Credit._meta.db_table)
    columns = ", ".join(q(BankOperation._meta.get_field(n).column) for n in names)
    arrays = ", ".join(f"%s::{t}[]" for t in _OPERATION_TYPES.values())
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    channel = imp.layout.channel
    now = timezone.now()
    marks = (f", m AS (UPDATE {credit} SET has_new_events = true "
             f"WHERE id IN (SELECT credit_id FROM e) AND NOT has_new_events)") if mark else ""
    with connection.cursor() as cur:
        cur.execute(f"""
            WITH ins AS (
                INSERT INTO {ops} ({columns}, created_at, ledger_entry_id)
                SELECT {', '.join('u.' + n for n in names)}, %s,
                       CASE WHEN u.status = %s
                            THEN nextval(pg_get_serial_sequence('{LedgerEntry._meta.db_table}', 'id'))
                       END
                FROM unnest({arrays}) WITH ORDINALITY AS u({', '.join(names)}, n) ORDER BY n
                ON CONFLICT (agreement_id, operation_key) DO NOTHING
                RETURNING id, agreement_id, operation_key, ledger_entry_id, credit_id, value_date,
                          amount),
            e AS (
                INSERT INTO {ledger} (id, credit_id, kind, value_date, amount, channel,
                                      natural_key, params, reason, created_by_id, created_at)
                SELECT ledger_entry_id, credit_id, 'payment', value_date, amount, %s,
                       'banco:' || id, '{{}}'::jsonb, '', %s, %s
                FROM ins WHERE ledger_entry_id IS NOT NULL ORDER BY ledger_entry_id
                RETURNING id, credit_id, value_date, amount, natural_key),
            a AS ({_payment_audit_insert(audit)}){marks}
            SELECT agreement_id, operation_key, ledger_entry_id FROM ins""", [
            now, BankOperation.Status.APPLIED.value,
            *[array_literal([v[n] for v in values]) for n in names],
            channel, actor_id, now, now, actor_id, channel, imp.pk])
        return {(agreement_id, key): entry_id for agreement_id, key, entry_id in cur.fetchall()}


def _entries_post(actor: Any, imp: PaymentImport, to_post: list[tuple[int, ParsedRow]]) -> None:
    """Post one payment entry per operation (natural key "banco:<op id>"), its audit row, and
    link the operation to it. PostgreSQL: one statement (data-modifying CTEs) for all three;
    elsewhere bulk_create + an UPDATE."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    channel = imp.layout.channel
    if connection.vendor != "postgresql":
        entries = LedgerEntry.objects.bulk_create([
            LedgerEntry(credit_id=r.credit_id, kind=LedgerEntry.Kind.PAYMENT,
                        value_date=r.value_date, amount=r.amount, channel=channel,
                        natural_key=f"banco:{op_id}", created_by_id=actor_id)
            for op_id, r in to_post], batch_size=1000)
        AuditEntry.objects.bulk_create([
            AuditEntry(actor_id=actor_id, action="movimiento.payment",
                       object_type="credits.ledgerentry", object_id=str(e.pk),
                       object_repr=f"{e.credit_id} Pago {e.value_date} {e.amount}",
                       after={"credit_id": e.credit_id, "kind": "payment",
                              "value_date": e.value_date.isoformat(), "amount": str(e.amount),
                              "channel": e.channel, "natural_key": e.natural_key,
                              "import_id": imp.pk})
            for e in entries], batch_size=1000)
        # Link each operation to its entry in one statement (natural key "banco:<op id>").
        BankOperation.objects.filter(pk__in=[op_id for op_id, _r in to_post]).update(
            ledger_entry_id=Subquery(LedgerEntry.objects.filter(
                credit_id=OuterRef("credit_id"),
                natural_key=Concat(Value("banco:"), Cast(OuterRef("pk"), CharField())),
            ).values("pk")[:1]))
        return
    q = connection.ops.quote_name
    ledger, audit = q(LedgerEntry._meta.db_table), q(AuditEntry._meta.db_table)
    ops = q(BankOperation._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(f"""
            WITH u AS (
                SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::numeric[])
                    WITH ORDINALITY AS u(op_id, credit_id, value_date, amount, n)),
            e AS (
                INSERT INTO {ledger} (credit_id, kind, value_date, amount, channel, natural_key,
                                      params, reason, created_by_id, created_at)
                SELECT credit_id, 'payment', value_date, amount, %s, 'banco:' || op_id,
                       '{{}}'::jsonb, '', %s, %s
                FROM u ORDER BY n
                RETURNING id, credit_id, value_date, amount, natural_key),
            a AS ({_payment_audit_insert(audit)})
            UPDATE {ops} AS b SET ledger_entry_id = e.id FROM e
            WHERE e.natural_key = 'banco:' || b.id AND b.id = ANY(%s::bigint[])""", [
            [op_id for op_id, _r in to_post], [r.credit_id for _o, r in to_post],
            [r.value_date for _o, r in to_post], [r.amount for _o, r in to_post],
            channel, actor_id, now, now, actor_id, channel, imp.pk,
            [op_id for op_id, _r in to_post]])


MAX_RESUBMIT_CHARS = 2_000_000


def rejected_rows_text(payment_import: PaymentImport) -> str:
    """The import's rejected rows as they were read (with the file's header line first when the
    layout has one), one per line: what the correction screen offers to edit and re-submit."""
    raws = [p["raw"] for p in payment_import.problems
            if p.get("severity") == ERROR and p.get("row") and p.get("raw")]
    if not raws:
        return ""
    lines = list(dict.fromkeys(raws))
    if payment_import.layout.has_header:
        with payment_import.file.open("rb") as fh:
            head = fh.read(8192)
        text = head.decode(payment_import.layout.encoding, errors="replace").lstrip("\ufeff")
        header = next((line for line in text.splitlines() if line.strip()), "")
        lines.insert(0, header[:2000])
    return "\n".join(lines) + "\n"


def payment_import_resubmit(*, actor: Any, payment_import: PaymentImport, text: str,
                            business_date: dt.date) -> PaymentImport:
    """Store the corrected rejected rows of an import as a new import of the same layout and
    mode (`resubmission_of` points at the original). Run it like any other (the screen enqueues
    it). Its rows go through every check again; a row that was applied meanwhile is a
    duplicate and is not applied twice."""
    text = (text or "").replace("\r\n", "\n")
    if not text.strip():
        raise ValidationError({"text": _("No hay renglones que volver a enviar.")})
    if len(text) > MAX_RESUBMIT_CHARS:
        raise ValidationError({"text": _("La corrección mide más de %(n)s caracteres; cargue un "
                                         "archivo.") % {"n": f"{MAX_RESUBMIT_CHARS:,}"}})
    layout = payment_import.layout
    try:
        content = (text if text.endswith("\n") else text + "\n").encode(layout.encoding)
    except UnicodeEncodeError as exc:
        raise ValidationError({"text": _("El carácter «%(c)s» no se puede escribir en %(enc)s, la "
                                         "codificación del formato %(l)s.") % {
            "c": exc.object[exc.start:exc.end], "enc": layout.encoding.upper(),
            "l": layout.name}}) from exc
    stem, dot, ext = payment_import.original_name.rpartition(".")
    name = f"{stem}-correccion.{ext}" if dot else f"{payment_import.original_name}-correccion"
    with transaction.atomic():
        imp = payment_import_create(actor=actor, layout=layout, name=name, content=content,
                                    business_date=business_date, mode=payment_import.mode)
        PaymentImport.objects.filter(pk=imp.pk).update(resubmission_of=payment_import)
        imp.resubmission_of = payment_import
        audit_record(actor=actor, action="pagos.importacion.corregir", obj=imp,
                     after={"resubmission_of": payment_import.pk, "size": len(content)})
    return imp


def payment_file_import(*, actor: Any, layout: FileLayout, name: str, content: bytes,
                        business_date: dt.date, mode: str = PaymentImport.Mode.VALID_ROWS,
                        chunk_size: int = CHUNK, replay: str | None = None,
                        on_progress: Callable[[PaymentImport], None] | None = None,
                        ) -> PaymentImport:
    """Create and run an import in this process (CLI, tests, API with wait=true)."""
    imp = payment_import_create(actor=actor, layout=layout, name=name, content=content,
                                business_date=business_date, mode=mode)
    return payment_import_run(actor=actor, payment_import=imp, chunk_size=chunk_size,
                              replay=replay, on_progress=on_progress)


# --- the unidentified queue -------------------------------------------------------------------
def _op_natural_key(op: BankOperation) -> str:
    from django.db.models import Q

    posted = LedgerEntry.objects.filter(Q(natural_key=f"banco:{op.pk}")
                                        | Q(natural_key__startswith=f"banco:{op.pk}:")).count()
    # A requeued operation (reversed as misapplied) gets a new key for its new posting.
    return f"banco:{op.pk}" if not posted else f"banco:{op.pk}:{posted + 1}"


@transaction.atomic
def unidentified_assign(*, actor: Any, operation: BankOperation, credit: Credit, note: str,
                        business_date: dt.date) -> BankOperation:
    """Assign an unidentified payment to a credit and post it (value date: the bank's)."""
    from recupera.credits.services import entry_post, lock_credits

    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Indique cómo se identificó el pago (p. ej. «ficha "
                                         "enviada por el acreditado»).")})
    if operation.amount > payment_ceiling():
        raise ValidationError({"amount": _(
            "El pago de %(a)s excede el tope absoluto por pago (%(c)s): es un error del archivo "
            "del banco. No se asigna; repórtelo al banco.") % {
            "a": _money(operation.amount), "c": _money(payment_ceiling())}})
    lock_credits([credit.pk])
    op = BankOperation.objects.select_for_update().get(pk=operation.pk)
    if op.status != BankOperation.Status.UNIDENTIFIED:
        raise ValidationError(_("El pago ya no está en la bandeja de no identificados (estado: "
                                "%(s)s).") % {"s": op.get_status_display()})
    before = snapshot(op, ["status", "credit_id", "match", "ledger_entry_id"])
    entry, _created = entry_post(actor=actor, credit=credit, kind=LedgerEntry.Kind.PAYMENT,
                                 value_date=op.value_date, amount=op.amount,
                                 natural_key=_op_natural_key(op), channel=op.channel,
                                 as_of=max(business_date, op.value_date))
    op.status = BankOperation.Status.APPLIED
    op.credit = credit
    op.match = BankOperation.Match.MANUAL
    op.ledger_entry = entry
    op.assigned_by = actor if getattr(actor, "pk", None) else None
    op.assigned_at = timezone.now()
    op.save(update_fields=["status", "credit", "match", "ledger_entry", "assigned_by", "assigned_at"])
    audit_record(actor=actor, action="pagos.no_identificado.asignar", obj=op, before=before,
                 after={**snapshot(op, ["status", "credit_id", "match", "ledger_entry_id"]),
                        "note": note})
    return op


# --- cashier ----------------------------------------------------------------------------------
def _system_date() -> dt.date:
    from recupera.core.services import business_date_get

    return business_date_get()


@transaction.atomic
def cash_payment_capture(
    *,
    actor: Any,
    credit: Credit,
    amount: Decimal | str,
    request_id: str,
    business_date: dt.date,
    method: str = Receipt.Method.CASH,
    kind: str = Receipt.Kind.PAYMENT,
    prepayment_mode: str = "keep_installment",
) -> tuple[Receipt, bool]:
    """A payment at the counter (or a prepayment to principal), with its receipt.
    Idempotent per `request_id` (the form's token / the API client's id)."""
    from recupera.credits.engine_io import credit_state
    from recupera.credits.services import entry_post, lock_credits

    request_id = (request_id or "").strip()
    if not request_id:
        raise ValidationError({"request_id": _("Falta el identificador de la solicitud.")})
    existing = Receipt.objects.filter(request_id=request_id).first()
    if existing is not None:
        return existing, False
    errors: dict[str, str] = {}
    try:
        amount = to_money(amount)
    except (TypeError, ValueError):
        errors["amount"] = _("«%(v)s» no es un importe válido.") % {"v": amount}
        amount = ZERO
    if "amount" not in errors and amount <= 0:
        errors["amount"] = _("El importe debe ser mayor que cero.")
    elif "amount" not in errors and amount > cash_max_amount():
        errors["amount"] = _("El importe %(a)s excede el máximo que recibe la caja (%(m)s). Un "
                             "pago mayor se hace por depósito bancario.") % {
            "a": _money(amount), "m": _money(cash_max_amount())}
    if business_date > _system_date():
        errors["business_date"] = _("La fecha del pago (%(d)s) es posterior a la fecha de "
                                    "operación (%(t)s).") % {
            "d": business_date.strftime("%d/%m/%Y"), "t": _system_date().strftime("%d/%m/%Y")}
    if method not in Receipt.Method.values:
        errors["method"] = _("Forma de pago desconocida.")
    if kind not in Receipt.Kind.values:
        errors["kind"] = _("Tipo de pago desconocido.")
    if prepayment_mode not in ("keep_installment", "keep_term"):
        errors["prepayment_mode"] = _("Elija plazo menor o mensualidad menor.")
    locked = lock_credits([credit.pk])[credit.pk]
    if not errors and kind == Receipt.Kind.PREPAYMENT:
        state = credit_state(locked, as_of=business_date)
        if state.total_overdue > 0:
            errors["kind"] = _("El crédito tiene %(t)s vencido: el pago anticipado a capital solo "
                               "procede sin adeudos vencidos. Cobre primero lo vencido.") % {
                "t": f"${state.total_overdue:,.2f}"}
        elif amount > state.principal_outstanding:
            errors["amount"] = _("El pago anticipado (%(a)s) excede el saldo de capital (%(p)s).") % {
                "a": f"${amount:,.2f}", "p": f"${state.principal_outstanding:,.2f}"}
    if errors:
        raise ValidationError(errors)
    existing = Receipt.objects.filter(request_id=request_id).first()  # after the lock
    if existing is not None:
        return existing, False
    entry, _created = entry_post(
        actor=actor, credit=locked, kind=kind, value_date=business_date, amount=amount,
        natural_key=f"caja:{request_id}"[:120], channel="caja",
        params={"mode": prepayment_mode} if kind == Receipt.Kind.PREPAYMENT else None,
        as_of=business_date)
    receipt = Receipt.objects.create(credit=locked, kind=kind, amount=amount, method=method,
                                     cashier=actor, business_date=business_date,
                                     request_id=request_id, ledger_entry=entry)
    audit_record(actor=actor, action="caja.recibo", obj=receipt, after={
        **snapshot(receipt, ["credit_id", "kind", "amount", "method", "business_date",
                             "ledger_entry_id"]), "folio": receipt.folio})
    return receipt, True


# --- reversal ---------------------------------------------------------------------------------
REVERSIBLE = (LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.PREPAYMENT, LedgerEntry.Kind.PAYOFF)


@transaction.atomic
def payment_reversal_post(*, actor: Any, entry: LedgerEntry, reason: str, business_date: dt.date,
                          requeue: bool = False) -> LedgerEntry:
    """Reverse a payment (bounced, misapplied): a reversal entry; the engine replays the credit
    as if the payment had never been posted. `requeue` puts a bank operation back in the
    unidentified queue (misapplied money that is still ours to route)."""
    from recupera.credits.services import lock_credits, payment_reverse

    reason = (reason or "").strip()
    if entry.kind not in REVERSIBLE:
        raise ValidationError(_("Solo se reversan pagos; este movimiento es «%(k)s».") % {
            "k": entry.get_kind_display()})
    if len(reason) < 5:
        raise ValidationError({"reason": _("Escriba el motivo de la reversa (cheque devuelto, "
                                           "pago mal aplicado…).")})
    lock_credits([entry.credit_id])
    reversal, _created = payment_reverse(actor=actor, entry=entry, reason=reason,
                                         value_date=max(business_date, entry.value_date),
                                         as_of=max(business_date, entry.value_date))
    op = BankOperation.objects.select_for_update().filter(ledger_entry=entry).first()
    if op is not None:
        before = snapshot(op, ["status", "credit_id", "ledger_entry_id"])
        if requeue:
            op.status = BankOperation.Status.UNIDENTIFIED
            op.unidentified_reason = _("reversado por mal aplicado: %(r)s") % {"r": reason}
            op.credit = None
            op.match = ""
            op.ledger_entry = None
        else:
            op.status = BankOperation.Status.REVERSED
        op.save(update_fields=["status", "unidentified_reason", "credit", "match", "ledger_entry"])
        audit_record(actor=actor, action="pagos.operacion.reversar", obj=op, before=before,
                     after={**snapshot(op, ["status", "credit_id", "ledger_entry_id"]),
                            "reason": reason})
    return reversal


# --- payroll deduction (descuento vía nómina) -------------------------------------------------
ENROLLMENT_FIELDS = ["credit_id", "employee_number", "agency", "active", "since", "amount"]


def payroll_enrollment_clean(*, credit: Credit | None, employee_number: str, agency: str,
                             since: dt.date | None, active: bool,
                             amount: Decimal | str | None) -> tuple[str, str, Decimal | None]:
    """Validate an enrollment (also the admin form's clean): (employee_number, agency, amount)
    normalized, or ValidationError with Spanish messages per field."""
    employee_number = (employee_number or "").strip()
    agency = " ".join((agency or "").split())
    errors: dict[str, str] = {}
    if not employee_number:
        errors["employee_number"] = _("Escriba el número de empleado.")
    elif "," in employee_number or len(employee_number) > 30:
        errors["employee_number"] = _("El número de empleado tiene a lo más 30 caracteres y no "
                                      "lleva comas.")
    if not agency:
        errors["agency"] = _("Escriba la dependencia que paga la nómina.")
    if since is None:
        errors["since"] = _("Indique desde cuándo se descuenta.")
    if amount in ("", None):
        amount = None
    else:
        try:
            amount = to_money(amount)
        except (TypeError, ValueError):
            errors["amount"] = _("«%(v)s» no es un importe válido.") % {"v": amount}
            amount = None
        else:
            if amount <= 0:
                errors["amount"] = _("El importe máximo debe ser mayor que cero (o déjelo vacío).")
    if credit is None:
        errors["credit"] = _("Indique el crédito.")
    elif active and not errors:
        # One employee may pay several credits of their own; never another person's.
        clash = (PayrollEnrollment.objects.filter(active=True, employee_number=employee_number,
                                                  agency__iexact=agency)
                 .exclude(credit__borrower_id=credit.borrower_id).select_related("credit").first())
        if clash is not None:
            errors["employee_number"] = _("El número de empleado %(n)s de %(a)s ya es de otra "
                                          "persona (crédito %(f)s).") % {
                "n": employee_number, "a": agency, "f": clash.credit.folio}
    if errors:
        raise ValidationError(errors)
    return employee_number, agency, amount


@transaction.atomic
def payroll_enrollment_save(
    *,
    actor: Any,
    credit: Credit,
    employee_number: str,
    agency: str,
    since: dt.date,
    active: bool = True,
    amount: Decimal | str | None = None,
) -> tuple[PayrollEnrollment, bool]:
    """Enroll a credit's debtor (a state employee) in payroll deduction, or change the
    enrollment. `amount`: the most to deduct per pay period (None = overdue plus the period's
    installment). Returns (enrollment, created)."""
    employee_number, agency, amount = payroll_enrollment_clean(
        credit=credit, employee_number=employee_number, agency=agency, since=since, active=active,
        amount=amount)
    enrollment = PayrollEnrollment.objects.select_for_update().filter(credit=credit).first()
    created = enrollment is None
    before = None if created else snapshot(enrollment, ENROLLMENT_FIELDS)
    if enrollment is None:
        enrollment = PayrollEnrollment(credit=credit)
    enrollment.employee_number = employee_number
    enrollment.agency = agency
    enrollment.since = since
    enrollment.active = active
    enrollment.amount = amount
    enrollment.save()
    audit_record(actor=actor, action="pagos.nomina.inscribir" if created else "pagos.nomina.modificar",
                 obj=enrollment, before=before, after=snapshot(enrollment, ENROLLMENT_FIELDS))
    return enrollment, created
