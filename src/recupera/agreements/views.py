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
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recupera.agreements import documents, services
from recupera.agreements.forms import (
    PROPOSABLE,
    CampaignForm,
    DecideForm,
    DocumentForm,
    PolicyForm,
    ProposeForm,
    SettleForm,
    SpecialRequestForm,
)
from recupera.agreements.models import Agreement, Campaign, Level, NegotiationPolicy
from recupera.core.dataaccess import record_view
from recupera.core.predicates import authority_level
from recupera.core.services import business_date_get
from recupera.core.views import require_object_perm, require_perm
from recupera.credits.models import Credit
from recupera.credits.pdf import pdf_view

PREFILL_FIELDS = ("kind", "late_interest_pct", "interest_pct", "principal_pct", "down_payment",
                  "installments", "new_term_months", "new_rate_pct")


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
    require_object_perm(request, "credits.view_credit", credit)
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
        # what the option forgives per component (discounts and what a restructure waives)
        option["discount_rows"] = [(services.COMPONENT_LABELS.get(c, c), a)
                                   for c, a in option.get("forgiven_parts", {}).items()]
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
        raise Http404  # as for a missing agreement (no enumeration)
    return agreement


def _detail_context(request: HttpRequest, agreement: Agreement, decide_form: DecideForm | None = None,
                    settle_form: SettleForm | None = None, document_form: DocumentForm | None = None
                    ) -> dict[str, Any]:
    labels = dict(services.COMPONENT_LABELS)
    user = request.user
    special = agreement.kind in (Agreement.Kind.WRITE_OFF, Agreement.Kind.WAIVER)
    return {
        "can_settle": (agreement.kind == Agreement.Kind.SETTLEMENT
                       and agreement.status == Agreement.Status.AUTHORIZED and user.has_perm("agreements.settle")),
        "settle_form": settle_form or SettleForm(initial={"value_date": business_date_get()}),
        "needs_documents": special,
        "documents": list(agreement.documents.all()) if special else [],
        "can_attach": (special and agreement.status == Agreement.Status.PENDING
                       and user.has_perm("agreements.propose")),
        "document_form": document_form or DocumentForm(),
        "agreement": agreement, "credit": agreement.credit,
        "new_rate_pct": agreement.new_rate * 100 if agreement.new_rate is not None else None,
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
        "is_write_off": agreement.kind == Agreement.Kind.WRITE_OFF,
        "recovered": (services.write_off_recovered(agreement.credit)
                      if agreement.kind == Agreement.Kind.WRITE_OFF
                      and agreement.status == Agreement.Status.APPLIED else None),
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
@pdf_view
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Convenio de pago, convenio de reestructura or carta de finiquito (documents.py)."""
    from recupera.credits.pdf import pdf_response, refuse_blocked

    agreement = _visible_agreement(request, pk)
    if agreement.kind not in documents.TEMPLATES or not documents.document_available(agreement):
        raise Http404(_("Este convenio no tiene documento disponible en su estado actual."))
    refuse_blocked(request.user, agreement.credit.borrower)
    pdf = documents.agreement_pdf(agreement, request=request)
    record_view(user=request.user, what="convenio.pdf", fields="CURP, domicilio",
                person_ids=[agreement.credit.borrower_id])  # core/dataaccess.py
    slug = {Agreement.Kind.PLAN: "convenio-de-pago", Agreement.Kind.RESTRUCTURE: "convenio-de-reestructura",
            Agreement.Kind.SETTLEMENT: "carta-de-finiquito"}[Agreement.Kind(agreement.kind)]
    return pdf_response(pdf, filename=f"{slug}-{agreement.credit.folio}-{agreement.pk}.pdf")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Offers waiting for authorization that the user's level may decide (their own excluded)."""
    require_perm(request, "agreements.decide")
    from recupera.agreements.selectors import pending_for

    level = authority_level(request.user)
    pending = pending_for(request.user)
    own = (Agreement.objects.filter(status=Agreement.Status.PENDING, proposed_by=request.user)
           .select_related("credit").order_by("created_at", "id"))
    return render(request, "agreements/inbox.html", {
        "pending": list(pending), "own": list(own), "level_label": Level(level).label if level else "",
        "decide_form": DecideForm(),
    })


@login_required
@require_POST
def settle(request: HttpRequest, pk: int) -> HttpResponse:
    """The payment of an authorized settlement: services.settlement_pay posts the discounts and
    the payoff, flags the notes for return and closes the case."""
    require_perm(request, "agreements.settle")
    agreement = _visible_agreement(request, pk)
    form = SettleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.settlement_pay(actor=request.user, agreement=agreement, value_date=data["value_date"],
                                    channel=data["channel"], as_of=business_date_get(),
                                    natural_key=f"{data['channel']}:{data['reference'].strip()}")
        except services.AgreementError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Liquidación pagada: el crédito {folio} quedó liquidado.").format(
                folio=agreement.credit.folio))
            return redirect("agreements:detail", pk=agreement.pk)
    return render(request, "agreements/detail.html", _detail_context(request, agreement, settle_form=form),
                  status=422)


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a supporting document to a pending write-off or waiver."""
    require_perm(request, "agreements.propose")
    agreement = _visible_agreement(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_attach(actor=request.user, agreement=agreement, file=form.cleaned_data["file"],
                                     description=form.cleaned_data["description"])
        except services.AgreementError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Documento agregado."))
            return redirect("agreements:detail", pk=agreement.pk)
    return render(request, "agreements/detail.html", _detail_context(request, agreement, document_form=form),
                  status=422)


@login_required
def document_download(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    from django.http import FileResponse

    agreement = _visible_agreement(request, pk)
    document = get_object_or_404(agreement.documents, pk=doc)
    return FileResponse(document.file.open("rb"), as_attachment=True,
                        filename=document.file.name.rsplit("/", 1)[-1])


SPECIAL_KINDS = {"castigo": Agreement.Kind.WRITE_OFF, "condonacion": Agreement.Kind.WAIVER}


@login_required
def special_request(request: HttpRequest, folio: str, kind: str) -> HttpResponse:
    """Request a write-off (castigo) or a death/disability waiver (condonación) with its
    supporting document; it waits for the Dirección or the Subdirección in «Autorizaciones»."""
    require_perm(request, "agreements.propose")
    if kind not in SPECIAL_KINDS:
        raise Http404
    credit = _credit_or_404(folio)
    require_object_perm(request, "credits.view_credit", credit)
    agreement_kind = SPECIAL_KINDS[kind]
    form = SpecialRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.special_request(
                actor=request.user, credit=credit, kind=agreement_kind, as_of=business_date_get(),
                reason=data["reason"], file=data.get("file"), description=data.get("description") or "")
        except services.AgreementError as exc:
            form.add_error(None, str(exc))
        else:
            messages.info(request, _("Solicitud registrada: requiere autorización de {lvl}.").format(
                lvl=agreement.get_required_level_display()))
            return redirect("agreements:detail", pk=agreement.pk)
    return render(request, "agreements/special.html", {
        "credit": credit, "form": form, "kind_label": agreement_kind.label, "kind": kind,
        "level_label": Level.COMMITTEE.label if kind == "castigo" else Level.PORTFOLIO_OFFICE.label,
    }, status=422 if request.method == "POST" else 200)


# --- regularization campaigns -----------------------------------------------------------------
@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    require_perm(request, "agreements.manage_policy")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.service_kwargs())
        except services.AgreementError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Campaña «{c}» registrada.").format(c=campaign.name))
            return redirect("agreements:campaign", pk=campaign.pk)
    return render(request, "agreements/campaigns.html", {
        "campaigns": list(Campaign.objects.all()), "form": form, "as_of": business_date_get(),
    }, status=422 if request.method == "POST" else 200)


def _progress_context(campaign: Campaign) -> dict[str, Any]:
    total, done = campaign.run_total, campaign.run_done
    percent = 100 if campaign.run_status == Campaign.RunStatus.DONE else (done * 100 // total if total else 0)
    return {"campaign": campaign, "percent": percent,
            "running": campaign.run_status in (Campaign.RunStatus.QUEUED, Campaign.RunStatus.RUNNING)}


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "agreements.manage_policy")
    campaign = get_object_or_404(Campaign, pk=pk)
    as_of = business_date_get()
    status_labels = dict(Credit.Status.choices)
    return render(request, "agreements/campaign_detail.html", {
        **_progress_context(campaign), "as_of": as_of,
        "in_window": campaign.starts_on <= as_of <= campaign.ends_on,
        "status_labels": [status_labels.get(s, s) for s in campaign.statuses],
        "report": services.campaign_report(campaign, as_of=as_of),
    })


@login_required
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "agreements.manage_policy")
    return render(request, "agreements/_campaign_progress.html",
                  _progress_context(get_object_or_404(Campaign, pk=pk)))


@login_required
@require_POST
def campaign_run(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "agreements.manage_policy")
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        services.campaign_enqueue(actor=request.user, campaign=campaign, as_of=business_date_get())
    except services.AgreementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("La campaña quedó en cola; aquí verá su avance."))
    return redirect("agreements:campaign", pk=campaign.pk)


@login_required
def campaign_csv(request: HttpRequest, pk: int) -> HttpResponse:
    import io

    from recupera.core.spreadsheets import safe_csv_writer

    require_perm(request, "agreements.manage_policy")
    campaign = get_object_or_404(Campaign, pk=pk)
    report = services.campaign_report(campaign, as_of=business_date_get())
    out = io.StringIO()
    writer = safe_csv_writer(out)  # debtors' names are typed outside: no formula runs
    writer.writerow(["folio", "acreditado", "aplicada_el", "dias_atraso", "adeudo_antes", "condonado",
                     "recuperado_desde_inicio"])
    for row in report["rows"]:
        writer.writerow([row.credit.folio, row.credit.borrower.full_name, row.applied_on.isoformat(),
                         row.days_past_due, f"{row.debt:.2f}", f"{row.forgiven:.2f}", f"{row.recovered:.2f}"])
    writer.writerow(["TOTAL", "", "", "", "", f"{report['forgiven']:.2f}", f"{report['recovered']:.2f}"])
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campana-{campaign.pk}.csv"'
    return response


# --- negotiation policies (the Subdirección sets them) --------------------------------------
@login_required
def policies(request: HttpRequest) -> HttpResponse:
    require_perm(request, "agreements.manage_policy")
    rows = list(NegotiationPolicy.objects.select_related("campaign").prefetch_related("limits"))
    return render(request, "agreements/policies.html", {"policies": rows})


@login_required
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or edit a policy: services.policy_create / policy_update, audited; a
    refusal naming a field is shown next to it."""
    require_perm(request, "agreements.manage_policy")
    policy = get_object_or_404(NegotiationPolicy.objects.prefetch_related("limits"), pk=pk) if pk else None
    form = PolicyForm(request.POST) if request.method == "POST" else PolicyForm(policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            if policy is None:
                policy = services.policy_create(actor=request.user, **form.service_kwargs())
            else:
                policy = services.policy_update(actor=request.user, policy=policy, **form.service_kwargs())
        except services.PolicyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Política «{p}» guardada.").format(p=policy.name))
            return redirect("agreements:policies")
    return render(request, "agreements/policy_form.html", {"form": form, "policy": policy},
                  status=422 if request.method == "POST" else 200)
