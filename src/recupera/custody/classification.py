"""The institute's classification of a pagaré or file: vigente, vencido, pago anticipado,
reestructurado, finiquitado. Derived from the credit (and the pagaré) every time it is shown,
never typed or stored, so it follows the credit through payments, payoff and restructure.

Rules, first that applies:

1. finiquitado: the credit is paid off (liquidado) or its debt forgiven (condonado), nothing is
   owed on it any more (a restructured credit paid in full keeps its administrative status),
   or the pagaré is flagged to return to the debtor or already returned;
2. reestructurado: the pagaré was replaced by a restructure (sustituido), or the credit is
   restructured (its current pagaré is the restructure's);
3. vencido: the credit is overdue (vencido), in the legal stage (jurídico) or written off
   (castigado);
4. pago anticipado: the credit has a prepayment to principal (pago anticipado a capital);
5. vigente: everything else (studying, grace, repaying on time, a payment plan).

A file of a scholarship or a stimulus (no credit) has no classification.
"""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, F, OuterRef, QuerySet, When
from django.utils.translation import gettext_lazy as _

CURRENT = "vigente"
OVERDUE = "vencido"
PREPAID = "pago_anticipado"
RESTRUCTURED = "reestructurado"
SETTLED = "finiquitado"

LABELS = {
    CURRENT: _("Vigente"),
    OVERDUE: _("Vencido"),
    PREPAID: _("Pago anticipado"),
    RESTRUCTURED: _("Reestructurado"),
    SETTLED: _("Finiquitado"),
}
ORDER = (CURRENT, OVERDUE, PREPAID, RESTRUCTURED, SETTLED)
NOT_APPLICABLE = _("No aplica (beca o estímulo)")

_SETTLED_CREDIT = ("liquidado", "condonado")
_SETTLED_NOTE = ("por_devolver", "devuelto")
_OVERDUE_CREDIT = ("vencido", "juridico", "castigado")


def classify(*, credit_status: str | None, note_status: str | None = None,
             has_prepayment: bool = False, nothing_owed: bool = False) -> str | None:
    """The classification code (see the module's rules); None without a credit."""
    if credit_status is None:
        return None
    if credit_status in _SETTLED_CREDIT or note_status in _SETTLED_NOTE or nothing_owed:
        return SETTLED
    if note_status == "sustituido" or credit_status == "reestructurado":
        return RESTRUCTURED
    if credit_status in _OVERDUE_CREDIT:
        return OVERDUE
    if has_prepayment:
        return PREPAID
    return CURRENT


def label(code: str | None) -> str:
    return str(LABELS[code]) if code else str(NOT_APPLICABLE)


def credit_status_expression() -> Case:
    """The credit's status as the classification reads it: its administrative status (convenio,
    reestructurado, jurídico, castigado, condonado: set by a decision) when it has one, else the
    status the engine's last replay wrote."""
    return Case(When(credit__administrative_status="", then=F("credit__status")),
                default=F("credit__administrative_status"), output_field=CharField())


def with_prepayment(items: QuerySet) -> QuerySet:  # type: ignore[type-arg]
    """Annotate `has_prepayment` (one EXISTS per row, in the same query) and `credit_state`."""
    from recupera.credits.models import LedgerEntry

    return items.annotate(has_prepayment=Exists(LedgerEntry.objects.filter(
        credit_id=OuterRef("credit_id"), kind=LedgerEntry.Kind.PREPAYMENT)),
        credit_state=credit_status_expression())


def of_item(item) -> str | None:  # type: ignore[no-untyped-def]
    """The classification of an item loaded with credit, note and `has_prepayment`."""
    if item.credit_id is None:
        return None
    has_prepayment = getattr(item, "has_prepayment", None)
    if has_prepayment is None:
        from recupera.credits.models import LedgerEntry

        has_prepayment = LedgerEntry.objects.filter(
            credit_id=item.credit_id, kind=LedgerEntry.Kind.PREPAYMENT).exists()
    credit = item.credit
    return classify(credit_status=credit.administrative_status or credit.status,
                    note_status=item.note.status if item.note_id else None,
                    has_prepayment=bool(has_prepayment), nothing_owed=nothing_owed(credit))


def nothing_owed(credit) -> bool:  # type: ignore[no-untyped-def]
    """The engine's cached answer says the disbursed credit owes nothing (payoff amount 0)."""
    return (credit.state_as_of is not None and credit.principal_disbursed > 0
            and credit.payoff_amount == 0)
