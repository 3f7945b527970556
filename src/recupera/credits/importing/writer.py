"""Applying a validated portfolio plan through the people and credits services.

All-or-nothing: one transaction for everything. Partial: persons first, then one transaction
per credit (its disbursements and payments with it), so a credit that fails while being
stored leaves nothing behind and the others stay. Payments are posted in value-date order and
each credit is refreshed (replayed by the engine) once, after all its entries.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from recupera.credits.importing.cells import validation_text
from recupera.credits.importing.portfolio import CreditBundle, PaymentRow, PersonRow, PortfolioPlan
from recupera.credits.importing.problems import Problem

Progress = Callable[[str, int, int], None]
REFRESH_BATCH = 200


class WriteFailed(Exception):
    """A service refused a row the validation accepted (all-or-nothing: roll back)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class DryRunRollback(Exception):
    pass


def _person_kwargs(row: PersonRow) -> dict[str, Any]:
    return {
        "curp": row.curp, "first_name": row.first_name, "last_name": row.last_name,
        "second_last_name": row.second_last_name, "birth_date": row.birth_date,
        "phones": row.phones, "emails": row.emails, "address": row.address,
    }


def _create_persons(*, actor: Any, plan: PortfolioPlan, rows: list[PersonRow]) -> dict[str, Any]:
    from recupera.people.services import person_bulk_create

    if not rows:
        return {}
    try:
        created = person_bulk_create(actor=actor, rows=[_person_kwargs(r) for r in rows])
    except ValidationError as exc:  # validated before; only a concurrent change gets here
        raise WriteFailed(Problem(plan.labels["personas"], None, "", _(
            "no se pudieron guardar las personas: %(message)s") % {"message": validation_text(exc)})) from exc
    by_curp = {p.curp: p for p in created}
    plan.counts.add("personas", "creados", len(by_curp))
    return by_curp


def _payments_post(*, actor: Any, credit: Any, payments: list[PaymentRow], new_credit: bool) -> None:
    """Append the imported payments of one credit to its ledger in value-date order.

    credits.services.entry_post replays the credit after every entry; an imported history of
    dozens of payments per credit would replay it dozens of times. Here the entries are
    inserted together (same checks: credit locked, natural key not yet used, positive amount,
    value date not after the as-of date — validated before) with their audit rows, and the
    caller replays each credit once (credits_bulk_refresh)."""
    from recupera.core.audit import snapshot
    from recupera.core.models import AuditEntry
    from recupera.credits.models import LedgerEntry
    from recupera.credits.services import lock_credits

    if not payments:
        return
    if new_credit:  # created in this transaction: nobody else can see it, it has no entries
        locked, used = credit, set()
    else:
        locked = lock_credits([credit.pk])[credit.pk]
        used = set(LedgerEntry.objects.filter(credit=locked, natural_key__in=[p.natural_key for p in payments])
                   .values_list("natural_key", flat=True))
    user = actor if getattr(actor, "pk", None) else None
    entries = [LedgerEntry(credit=locked, kind=LedgerEntry.Kind.PAYMENT, value_date=p.date,
                           amount=p.amount, channel=p.channel, natural_key=p.natural_key,
                           params={}, created_by=user)
               for p in payments if p.natural_key not in used]
    entries = LedgerEntry.objects.bulk_create(entries)
    if entries and entries[0].pk is None:  # a backend that does not return ids
        keys = [e.natural_key for e in entries]
        entries = list(LedgerEntry.objects.filter(credit=locked, natural_key__in=keys).order_by("id"))
    AuditEntry.objects.bulk_create([
        AuditEntry(actor=user, action=f"movimiento.{LedgerEntry.Kind.PAYMENT}",
                   object_type=e._meta.label_lower, object_id=str(e.pk), object_repr=str(e)[:200],
                   after=snapshot(e, ["credit_id", "kind", "value_date", "amount", "channel",
                                      "natural_key", "reverses_id", "params", "reason"]))
        for e in entries])
    Credit = type(locked)
    Credit.objects.filter(pk=locked.pk).update(has_new_events=True)


def _write_bundle(*, actor: Any, plan: PortfolioPlan, bundle: CreditBundle, persons: dict[str, Any]) -> Any:
    from recupera.credits.services import credit_create, disbursement_add

    credit = bundle.existing
    if credit is None:
        row = bundle.credit_row
        assert row is not None
        guarantors = (persons[row.guarantor_curp],) if row.guarantor_curp else ()
        credit = credit_create(
            actor=actor, folio=row.folio, product=row.product, borrower=persons[row.borrower_curp],
            guarantors=guarantors, end_of_studies=row.end_of_studies,
            academic_average=row.academic_average, base_rate=row.base_rate, late_rate=row.late_rate,
            grace_months=row.grace_months, term_months=row.term_months,
            first_due_date=row.first_due_date)
    for d in sorted(bundle.disbursements, key=lambda d: d.number):
        # Without as_of the service does not replay: the credit is replayed once, below.
        disbursement_add(actor=actor, credit=credit, number=d.number, date=d.date, amount=d.amount,
                         note_number=d.note_number)
    _payments_post(actor=actor, credit=credit, payments=bundle.payments,  # value-date order
                   new_credit=bundle.existing is None)
    return credit


def _bundle_failed(plan: PortfolioPlan, bundle: CreditBundle, exc: Exception) -> Problem:
    if isinstance(exc, ValidationError):
        message = validation_text(exc)
    else:
        message = _("no se pudo guardar (%(error)s).") % {"error": str(exc)}
    row = bundle.credit_row.row if bundle.credit_row else None
    return Problem(plan.labels["creditos"], row, "folio",
                   _("el crédito %(folio)s no se guardó: %(message)s") % {"folio": bundle.folio, "message": message})


def _count_bundle(plan: PortfolioPlan, bundle: CreditBundle, outcome: str) -> None:
    if bundle.existing is None:
        plan.counts.add("creditos", outcome)
    plan.counts.add("ministraciones", outcome, len(bundle.disbursements))
    plan.counts.add("pagos", outcome, len(bundle.payments))


def _refresh(credits: list[Any], as_of: Any, actor: Any) -> None:
    from recupera.credits.services import credits_bulk_refresh

    if credits:
        credits_bulk_refresh(credits=credits, as_of=as_of, actor=actor)


def apply_plan(*, actor: Any, plan: PortfolioPlan, partial: bool, dry_run: bool,
               progress: Progress | None = None) -> bool:
    """Store what the plan says. Returns False when everything was rolled back."""
    report = progress or (lambda phase, done, total: None)
    bundles = [b for b in plan.good_bundles() if b.existing is None or b.disbursements or b.payments]
    total = len(bundles)
    one_transaction = not partial or dry_run
    if one_transaction:
        # Progress written inside the one transaction is invisible until it commits: say so
        # now and let the screen show a bar without a value.
        report(_("Guardando %(n)s créditos en una sola operación") % {"n": total}, 0, 0)
    try:
        with transaction.atomic() if one_transaction else contextlib.nullcontext():
            with transaction.atomic():
                persons = dict(plan.existing_persons)
                persons.update(_create_persons(actor=actor, plan=plan, rows=plan.persons_to_create()))
            if not one_transaction:
                report(_("Guardando créditos"), 0, total)
            pending_refresh: list[Any] = []
            for done, bundle in enumerate(bundles, start=1):
                try:
                    with transaction.atomic():
                        credit = _write_bundle(actor=actor, plan=plan, bundle=bundle, persons=persons)
                except (ValidationError, IntegrityError) as exc:
                    problem = _bundle_failed(plan, bundle, exc)
                    if not partial:
                        raise WriteFailed(problem) from exc
                    plan.problems.append(problem)
                    bundle.bad = True
                    _count_bundle(plan, bundle, "con_error")
                else:
                    _count_bundle(plan, bundle, "creados")
                    pending_refresh.append(credit)
                if len(pending_refresh) >= REFRESH_BATCH:
                    _refresh(pending_refresh, plan.as_of, actor)
                    pending_refresh = []
                if not one_transaction and (done % 25 == 0 or done == total):
                    report(_("Guardando créditos"), done, total)
            _refresh(pending_refresh, plan.as_of, actor)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        return False
    except WriteFailed as failed:
        plan.problems.append(failed.problem)
        for outcome_table in plan.counts.table.values():
            outcome_table["creados"] = 0
        return False
    return True
