"""The agreement documents (convenio de pago, convenio de reestructura with its pagaré, carta de
finiquito) as PDF through credits.pdf; every amount in figures and words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from recupera.agreements.models import Agreement
from recupera.core.words import amount_in_figures_and_words
from recupera.credits import engine_io
from recupera.credits.models import CreditParty

TEMPLATES = {
    Agreement.Kind.PLAN: ("agreements/pdf/plan.html", _("Convenio de pago")),
    Agreement.Kind.RESTRUCTURE: ("agreements/pdf/restructure.html", _("Convenio de reestructura")),
    Agreement.Kind.SETTLEMENT: ("agreements/pdf/settlement_letter.html", _("Carta de finiquito")),
}
PLACE = "Hermosillo, Sonora"
PAYEE = "Instituto de Becas y Crédito Educativo del Estado de Sonora"


def document_available(agreement: Agreement) -> bool:
    if agreement.kind == Agreement.Kind.SETTLEMENT:
        return agreement.status == Agreement.Status.FULFILLED
    if agreement.kind in (Agreement.Kind.PLAN, Agreement.Kind.RESTRUCTURE):
        return agreement.status in (Agreement.Status.IN_FORCE, Agreement.Status.FULFILLED,
                                    Agreement.Status.BROKEN, Agreement.Status.APPLIED)
    return False


def _pct(rate: Decimal) -> str:
    """An annual rate fraction as a percentage without trailing zeros: 0.06 -> "6", 0.065 -> "6.5"."""
    value = (rate * 100).normalize()
    return f"{value:f}"


def words(amount: Decimal | str) -> str:
    return amount_in_figures_and_words(Decimal(str(amount)))


def document_context(agreement: Agreement) -> dict[str, Any]:
    credit = agreement.credit
    template, title = TEMPLATES[agreement.kind]
    guarantors = [p.person for p in CreditParty.objects.filter(credit=credit, role=CreditParty.Role.GUARANTOR)
                  .select_related("person")]
    labels = {"late_interest": _("Intereses moratorios"), "interest": _("Interés ordinario"),
              "principal": _("Capital"), "fees": _("Gastos de cobranza")}
    context: dict[str, Any] = {
        "agreement": agreement, "credit": credit, "borrower": credit.borrower,
        "guarantors": guarantors, "place": PLACE, "payee": PAYEE,
        "document_title": title, "generated_at": timezone.localtime(),
        "debt_words": words(agreement.debt), "pays_words": words(agreement.pays),
        "forgiven_words": words(agreement.forgiven),
        "discounts": [(labels[c], words(a)) for c, a in agreement.discounts.items()],
        "installments": [(i, words(i.amount)) for i in agreement.installments.all()],
        "down_payment_words": words(agreement.down_payment),
    }
    if agreement.kind == Agreement.Kind.RESTRUCTURE:
        state = engine_io.credit_state(credit, as_of=agreement.as_of)
        schedule = state.schedules[-1]
        context.update(schedule=schedule, note=agreement.note,
                       principal_words=words(schedule.principal),
                       installment_words=words(schedule.installment_amount),
                       rate_pct=_pct(schedule.rate),
                       late_rate_pct=_pct(engine_io.terms_for(credit).late_rate),
                       last_due=schedule.installments[-1].due_date if schedule.installments else None)
    if agreement.kind == Agreement.Kind.SETTLEMENT:
        context["notes"] = [(n, words(n.amount)) for n in credit.notes.all()]
    return {"template": template, **context}


def agreement_pdf(agreement: Agreement, *, request: Any = None) -> bytes:
    from recupera.credits.pdf import render_pdf

    context = document_context(agreement)
    return render_pdf(context.pop("template"), context, request=request)
