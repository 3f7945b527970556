"""Payments screens: imports with a progress bar, the unidentified queue, the cashier, receipts,
the cash cut and reversals. Thin views: parse, authorize (core/predicates.py), call a service or
a selector, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from recupera.core.services import business_date_get
from recupera.core.views import require_perm
from recupera.credits.models import Credit, LedgerEntry
from recupera.credits.pdf import pdf_view
from recupera.payments import selectors
from recupera.payments.forms import (
    AssignForm,
    CashCutForm,
    CashPaymentForm,
    ImportUploadForm,
    ResubmitForm,
    ReversalForm,
    UnidentifiedSearchForm,
)
from recupera.payments.models import BankOperation, PaymentImport, Receipt


def _errors_text(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _querystring_base(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    return f"{base}&" if base else ""


# --- imports ----------------------------------------------------------------------------------
@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "payments.view_payment")
    page = Paginator(selectors.imports_list(), 30).get_page(request.GET.get("page"))
    n, total = selectors.unidentified_total()
    return render(request, "payments/import_list.html", {
        "page_obj": page, "querystring_base": _querystring_base(request),
        "unidentified_count": n, "unidentified_amount": total,
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    require_perm(request, "payments.import_payments")
    from recupera.payments.services import payment_import_create
    from recupera.payments.tasks import enqueue_import

    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        imp = payment_import_create(
            actor=request.user, layout=form.cleaned_data["layout"], name=upload.name,
            content=upload.read(), business_date=business_date_get(),
            mode=form.cleaned_data["mode"])
        enqueue_import(imp, request.user)
        return redirect("payments:import_detail", pk=imp.pk)
    return render(request, "payments/import_upload.html", {"form": form})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "payments.view_payment")
    imp = get_object_or_404(PaymentImport.objects.select_related("layout", "uploaded_by"), pk=pk)
    return _import_detail(request, imp)


@login_required
@require_http_methods(["POST"])
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a failed or interrupted import: marked pending (audited) and run by the worker."""
    require_perm(request, "payments.import_payments")
    from recupera.payments.services import payment_import_resume
    from recupera.payments.tasks import enqueue_import

    imp = get_object_or_404(PaymentImport, pk=pk)
    try:
        imp = payment_import_resume(actor=request.user, payment_import=imp, run=False)
    except ValidationError as exc:
        for message in _errors_text(exc):
            messages.error(request, message)
    else:
        enqueue_import(imp, request.user)
        messages.success(request, _("La importación se reanuda; lo ya aplicado no se aplica otra "
                                    "vez."))
    return redirect("payments:import_detail", pk=pk)


@login_required
@require_http_methods(["POST"])
def import_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows, corrected by hand, sent again as a new import of the same layout."""
    require_perm(request, "payments.import_payments")
    from recupera.payments.services import payment_import_resubmit
    from recupera.payments.tasks import enqueue_import

    original = get_object_or_404(PaymentImport.objects.select_related("layout"), pk=pk)
    form = ResubmitForm(request.POST)
    if form.is_valid():
        try:
            imp = payment_import_resubmit(actor=request.user, payment_import=original,
                                          text=form.cleaned_data["text"],
                                          business_date=business_date_get())
        except ValidationError as exc:
            for message in _errors_text(exc):
                form.add_error("text", message)
        else:
            enqueue_import(imp, request.user)
            return redirect("payments:import_detail", pk=imp.pk)
    return _import_detail(request, original, resubmit_form=form)


def _import_detail(request: HttpRequest, imp: PaymentImport,
                   resubmit_form: ResubmitForm | None = None) -> HttpResponse:
    from recupera.payments.parsing import column_label
    from recupera.payments.services import rejected_rows_text

    operations = (imp.operations.select_related("credit").order_by("line_number")[:500]
                  if imp.finished else [])
    errors = [{**p, "column_label": p.get("column_label") or column_label(p.get("column", ""))}
              for p in imp.problems if p.get("severity") == "error"]
    if resubmit_form is None and imp.finished and any(p.get("raw") for p in errors):
        resubmit_form = ResubmitForm(initial={"text": rejected_rows_text(imp)})
    return render(request, "payments/import_detail.html", {
        "imp": imp, "operations": operations, "errors": errors,
        "others": [p for p in imp.problems if p.get("severity") != "error"],
        "resubmit_form": resubmit_form,
        "can_import": request.user.has_perm("payments.import_payments"),
    })


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar fragment htmx polls; when the import ends the page reloads."""
    require_perm(request, "payments.view_payment")
    imp = get_object_or_404(PaymentImport, pk=pk)
    response = render(request, "payments/_progress.html", {"imp": imp})
    if imp.finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


# --- the unidentified queue -------------------------------------------------------------------
@login_required
def unidentified_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "payments.view_payment")
    form = UnidentifiedSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.unidentified_list(q=filters.get("q", ""), date_from=filters.get("date_from"),
                                     date_to=filters.get("date_to"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "payments/unidentified_list.html", {
        "form": form, "page_obj": page, "querystring_base": _querystring_base(request),
        "can_assign": request.user.has_perm("payments.assign_unidentified"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def unidentified_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "payments.assign_unidentified")
    from recupera.payments.services import unidentified_assign

    op = get_object_or_404(BankOperation.objects.select_related("agreement", "payment_import"), pk=pk)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credit = Credit.objects.filter(folio=form.cleaned_data["folio"].strip()).first()
        if credit is None:
            form.add_error("folio", _("No existe el crédito con folio %(f)s.") % {
                "f": form.cleaned_data["folio"]})
        else:
            try:
                unidentified_assign(actor=request.user, operation=op, credit=credit,
                                    note=form.cleaned_data["note"],
                                    business_date=business_date_get())
            except ValidationError as exc:
                for message in _errors_text(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Pago de %(a)s asignado al crédito %(f)s.") % {
                    "a": f"${op.amount:,.2f}", "f": credit.folio})
                return redirect("credits:detail", folio=credit.folio)
    return render(request, "payments/unidentified_assign.html", {"op": op, "form": form})


# --- cashier ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def cashier(request: HttpRequest) -> HttpResponse:
    require_perm(request, "payments.capture_cash")
    from recupera.payments.services import cash_payment_capture

    initial = {"folio": request.GET.get("folio", "")}
    form = CashPaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        credit = Credit.objects.filter(folio=data["folio"].strip()).first()
        if credit is None:
            form.add_error("folio", _("No existe el crédito con folio %(f)s.") % {"f": data["folio"]})
        else:
            try:
                receipt, _created = cash_payment_capture(
                    actor=request.user, credit=credit, amount=data["amount"],
                    request_id=data["request_id"], business_date=business_date_get(),
                    method=data["method"], kind=data["kind"],
                    prepayment_mode=data.get("prepayment_mode") or "keep_installment")
            except ValidationError as exc:
                for message in _errors_text(exc):
                    form.add_error(None, message)
            else:
                return redirect("payments:receipt", pk=receipt.pk)
    return render(request, "payments/cashier.html", {"form": form})


def _receipt_context(receipt: Receipt) -> dict[str, Any]:
    from recupera.credits.engine_io import credit_state

    credit = receipt.credit
    state = credit_state(credit, as_of=max(receipt.business_date, receipt.ledger_entry.value_date))
    event_id = str(receipt.ledger_entry_id)
    postings = [p for p in state.postings if p.event_id == event_id]
    allocations = [a for p in postings for a in p.allocations]
    rebates = [a for p in state.postings if p.kind == "rebate" and p.event_id == event_id
               for a in p.allocations]
    new_schedule = None
    if receipt.kind == Receipt.Kind.PREPAYMENT:
        new_schedule = next((s for s in state.schedules if s.event_id == event_id), None)
    return {"receipt": receipt, "credit": credit, "state": state, "allocations": allocations,
            "rebates": rebates, "rejected": next((p.rejected_reason for p in postings
                                                  if p.rejected_reason), None),
            "new_schedule": new_schedule,
            "reversed": LedgerEntry.objects.filter(reverses_id=receipt.ledger_entry_id).exists()}


@login_required
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "payments.view_payment")
    receipt = get_object_or_404(Receipt.objects.select_related("credit", "cashier", "ledger_entry",
                                                               "credit__product", "credit__borrower"), pk=pk)
    return render(request, "payments/receipt_detail.html", _receipt_context(receipt))


@login_required
@pdf_view
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "payments.view_payment")
    from recupera.credits.pdf import pdf_response, refuse_blocked, render_pdf

    receipt = get_object_or_404(Receipt.objects.select_related("credit", "cashier", "ledger_entry",
                                                               "credit__product", "credit__borrower"), pk=pk)
    refuse_blocked(request.user, receipt.credit.borrower if receipt.credit_id else None)
    context = _receipt_context(receipt)
    context.update(generated_at=timezone.localtime(), document_title=_("Recibo de pago"),
                   generated_by=request.user)
    pdf = render_pdf("payments/pdf/receipt.html", context, request=request)
    return pdf_response(pdf, filename=f"recibo-{receipt.folio}.pdf")


@login_required
def cash_cut(request: HttpRequest) -> HttpResponse:
    """Corte de caja: a cashier sees their own; supervisors and auditors pick a cashier."""
    require_perm(request, "payments.view_cash_cut")
    form = CashCutForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day: dt.date = data.get("date") or business_date_get()
    sees_all = request.user.has_perm("payments.reverse_payment") or request.user.has_perm(
        "core.view_audit")
    cashier_id: int | None = request.user.pk
    cashier_name = data.get("cashier") or ""
    if sees_all:
        if cashier_name:
            found = get_user_model().objects.filter(username=cashier_name).first()
            if found is None:
                raise Http404(_("No existe el usuario %(u)s.") % {"u": cashier_name})
            cashier_id = found.pk
        else:
            cashier_id = None
    context = selectors.cash_cut(business_date=day, cashier_id=cashier_id)
    context.update(form=form, day=day, sees_all=sees_all)
    return render(request, "payments/cash_cut.html", context)


# --- reversal ---------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def reversal(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "payments.reverse_payment")
    from recupera.payments.services import payment_reversal_post

    entry = get_object_or_404(LedgerEntry.objects.select_related("credit"), pk=pk)
    op = BankOperation.objects.filter(ledger_entry=entry).first()
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment_reversal_post(actor=request.user, entry=entry,
                                  reason=form.cleaned_data["reason"],
                                  business_date=business_date_get(),
                                  requeue=form.cleaned_data["requeue"])
        except ValidationError as exc:
            for message in _errors_text(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Pago reversado; el crédito se recalculó como si no se "
                                        "hubiera registrado."))
            return redirect("credits:detail", folio=entry.credit.folio)
    return render(request, "payments/reversal.html", {"entry": entry, "op": op, "form": form})


# --- payroll deduction (descuento vía nómina) -------------------------------------------------
@login_required
def payroll_export(request: HttpRequest) -> HttpResponse:
    """The CSV of what each agency deducts in a pay period (GET ?period=AAAA-MM[-Q1|Q2]); without
    a period, the small form that asks for it."""
    require_perm(request, "payments.export_payroll")
    from recupera.payments.payroll import parse_period, payroll_csv, payroll_lines

    text = (request.GET.get("period") or "").strip()
    agency = (request.GET.get("agency") or "").strip()
    error = ""
    if text:
        try:
            period = parse_period(text)
        except ValueError as exc:
            error = str(exc)
        else:
            lines = list(payroll_lines(period=period, business_date=business_date_get(),
                                       agency=agency))
            content = payroll_csv(lines)
            from recupera.core.dataaccess import record_view

            record_view(user=request.user, what="nomina.exportacion", fields="CURP",
                        person_ids=[line.person_id for line in lines])
            response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="nomina-{period.code}.csv"'
            return response
    today = business_date_get()
    return render(request, "payments/payroll_export.html", {
        "period": text or f"{today:%Y-%m}", "agency": agency, "error": error})
