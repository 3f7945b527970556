"""Negotiation pages: the offer simulator, an agreement's page, its documents and the inbox of
offers waiting for authorization ("Autorizaciones").

Thin views: parse, authorize (core/predicates.py "# agreements"), call the services. Every figure
shown comes from services.offers_simulate or the stored agreement (computed by the engine);
every write goes through services.agreement_propose / agreement_decide, whose refusals are
Spanish and shown as they come.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recupera.agreements import documents, services
from recupera.agreements.forms import PROPOSABLE, DecideForm, ProposeForm
from recupera.agreements.models import Agreement, Level
from recupera.core.predicates import authority_level
from recupera.core.services import business_date_get
from recupera.core.views import require_perm
from recupera.credits.models import Credit

PREFILL_FIELDS = ("kind", "late_interest_pct", "interest_pct", "principal_pct", "down_payment",
                  "installments", "new_term_months")


def _credit_or_404(folio: str) -> Credit:
    credit = Credit.objects.select_related("borrower").filter(folio=folio).first()
    if credit is None:
        raise Http404(_("No existe el crédito con folio {folio}.").format(folio=folio))
    return credit


def _prefill(option: dict[str, Any]) -> str:
    """The query string that fills the proposal form with an option's values."""
    percents = option.get("percents", {})
    values = {"kind": option["kind"], **{f"{c}_pct": v for c, v in percents.items()}}
    if option.get("installments"):
        values.update(down_payment=option.get("down_payment", ""), installments=option["installments"])
    if option.get("new_term_months"):
        values["new_term_months"] = option["new_term_months"]
    return urlencode(values)


@login_required
def simulate(request: HttpRequest, folio: str) -> HttpResponse:
    """The options within policy today for the credit, and the form to propose one."""
    require_perm(request, "agreements.propose")
    credit = _credit_or_404(folio)
    require_perm(request, "credits.view_credit", credit)
    as_of = business_date_get()
    if request.method == "POST":
        form = ProposeForm(request.POST)
        if form.is_valid():
            try:
                agreement = services.agreement_propose(actor=request.user, credit=credit, as_of=as_of,
                                                       **form.service_kwargs())
            except services.AgreementError as exc:
                form.add_error(None, str(exc))
            else:
                if agreement.status == Agreement.Status.PENDING:
                    messages.info(request, _("Oferta registrada: requiere autorización de {lvl}.").format(
                        lvl=agreement.get_required_level_display()))
                else:
                    messages.success(request, _("Oferta autorizada dentro de sus facultades: {s}.").format(
                        s=agreement.get_status_display()))
                return redirect("agreements:detail", pk=agreement.pk)
    else:
        initial = {k: request.GET[k] for k in PREFILL_FIELDS if request.GET.get(k)}
        form = ProposeForm(initial=initial or {"kind": PROPOSABLE[0][0]})
    simulation = services.offers_simulate(credit=credit, as_of=as_of, actor=request.user)
    for option in simulation["options"]:
        option["prefill"] = _prefill(option)
        option["discount_rows"] = [(services.COMPONENT_LABELS.get(c, c), a)
                                   for c, a in option.get("discounts", {}).items()]
    open_agreements = list(Agreement.objects.filter(credit=credit, status__in=[
        Agreement.Status.PENDING, Agreement.Status.AUTHORIZED, Agreement.Status.IN_FORCE]))
    return render(request, "agreements/simulate.html", {
        "credit": credit, "as_of": as_of, "simulation": simulation, "form": form,
        "actor_level_label": Level(simulation["actor_level"]).label if simulation["actor_level"] else "",
        "open_agreements": open_agreements,
    })


def _visible_agreement(request: HttpRequest, pk: int) -> Agreement:
    require_perm(request, "agreements.view_agreement")
    agreement = get_object_or_404(
        Agreement.objects.select_related("credit", "credit__borrower", "proposed_by", "policy", "note"), pk=pk)
    user = request.user
    if agreement.proposed_by_id != user.pk and not user.has_perm("credits.view_credit", agreement.credit):
        raise PermissionDenied
    return agreement


def _detail_context(request: HttpRequest, agreement: Agreement, decide_form: DecideForm | None = None
                    ) -> dict[str, Any]:
    labels = dict(services.COMPONENT_LABELS)
    return {
        "agreement": agreement, "credit": agreement.credit,
        "approvals": list(agreement.approvals.select_related("decided_by")),
        "installments": list(agreement.installments.all()),
        "discounts": [(labels.get(c, c), a) for c, a in agreement.discounts.items()],
        "can_decide": (agreement.status == Agreement.Status.PENDING
                       and request.user.has_perm("agreements.decide")),
        "is_own": agreement.proposed_by_id == request.user.pk,
        "decide_form": decide_form or DecideForm(),
        "document_available": (agreement.kind in documents.TEMPLATES
                               and documents.document_available(agreement)),
        "document_title": documents.TEMPLATES[agreement.kind][1] if agreement.kind in documents.TEMPLATES else "",
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible_agreement(request, pk)
    return render(request, "agreements/detail.html", _detail_context(request, agreement))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject (the service refuses self-approval and insufficient authority)."""
    require_perm(request, "agreements.decide")
    agreement = _visible_agreement(request, pk)
    form = DecideForm(request.POST)
    approve = request.POST.get("decision") == "aprobar"
    if form.is_valid():
        try:
            services.agreement_decide(actor=request.user, agreement=agreement, approve=approve,
                                      comment=form.cleaned_data["comment"], as_of=business_date_get())
        except services.AgreementError as exc:
            form.add_error(None, str(exc))
        else:
            agreement.refresh_from_db()
            messages.success(request, _("Convenio {pk}: {s}.").format(pk=agreement.pk,
                                                                      s=agreement.get_status_display()))
            if request.POST.get("origin") == "inbox":
                return redirect("agreements:inbox")
            return redirect("agreements:detail", pk=agreement.pk)
    return render(request, "agreements/detail.html", _detail_context(request, agreement, form), status=422)


@login_required
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Convenio de pago, convenio de reestructura or carta de finiquito (documents.py)."""
    from recupera.credits.pdf import pdf_response

    agreement = _visible_agreement(request, pk)
    if agreement.kind not in documents.TEMPLATES or not documents.document_available(agreement):
        raise Http404(_("Este convenio no tiene documento disponible en su estado actual."))
    pdf = documents.agreement_pdf(agreement, request=request)
    slug = {Agreement.Kind.PLAN: "convenio-de-pago", Agreement.Kind.RESTRUCTURE: "convenio-de-reestructura",
            Agreement.Kind.SETTLEMENT: "carta-de-finiquito"}[Agreement.Kind(agreement.kind)]
    return pdf_response(pdf, filename=f"{slug}-{agreement.credit.folio}-{agreement.pk}.pdf")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Offers waiting for authorization that the user's level may decide (their own excluded)."""
    require_perm(request, "agreements.decide")
    level = authority_level(request.user)
    pending = (Agreement.objects.filter(status=Agreement.Status.PENDING, required_level__lte=level)
               .exclude(proposed_by=request.user)
               .select_related("credit", "credit__borrower", "proposed_by").order_by("created_at", "id"))
    own = (Agreement.objects.filter(status=Agreement.Status.PENDING, proposed_by=request.user)
           .select_related("credit").order_by("created_at", "id"))
    return render(request, "agreements/inbox.html", {
        "pending": list(pending), "own": list(own), "level_label": Level(level).label if level else "",
        "decide_form": DecideForm(),
    })
