"""Credit pages: the portfolio list, the credit page and its estado de cuenta (PDF).

Thin views: parse, authorize (`credits.view_credit`, core/predicates.py), read through
selectors, ask the engine for the state at the as-of date, render. Every figure shown comes from
the engine's CreditState (or, in the list, from the columns the engine cached).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recupera.core.dataaccess import record_view
from recupera.core.predicates import scope_credits
from recupera.core.services import business_date_of_request
from recupera.core.views import require_object_perm, require_perm
from recupera.credits.models import Credit, CreditParty
from recupera.credits.pdf import pdf_view
from recupera.credits.templatetags.credit_ui import BUCKETS, STATUS_BADGE

PAGE_SIZE = 50
MOVEMENTS_PAGE = 20  # the credit page's movements per page (the PDF lists them all)
AS_OF_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")

# ?orden= values -> order_by (the secondary key keeps pages stable).
SORTS: dict[str, tuple[str, ...]] = {
    "folio": ("folio",),
    "atraso": ("days_past_due", "folio"),
    "-atraso": ("-days_past_due", "folio"),
    "saldo": ("principal_outstanding", "folio"),
    "-saldo": ("-principal_outstanding", "folio"),
}


class CreditFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Folio o nombre"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("Estado"), required=False,
                               choices=[("", gettext_lazy("Todos"))] + list(Credit.Status.choices))
    bucket = forms.ChoiceField(label=gettext_lazy("Tramo de atraso"), required=False,
                               choices=[("", gettext_lazy("Todos"))] + list(BUCKETS.items()))
    dpd_min = forms.IntegerField(label=gettext_lazy("Días de atraso desde"), required=False, min_value=0)
    dpd_max = forms.IntegerField(label=gettext_lazy("hasta"), required=False, min_value=0)
    orden = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                              choices=[(k, k) for k in SORTS])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("dpd_min"), data.get("dpd_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("dpd_max", _("Debe ser mayor o igual que «desde» ({n}).").format(n=lo))
        return data


def parse_as_of(raw: str | None) -> dt.date | None:
    """dd/mm/aaaa or aaaa-mm-dd; None when empty or not a date."""
    raw = (raw or "").strip()
    for fmt in AS_OF_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def _as_of_from(request: HttpRequest) -> tuple[dt.date, dt.date, str | None]:
    """(as_of, business_date, error). A bad ?as_of= falls back to the business date."""
    business_date = business_date_of_request(request)
    raw = (request.GET.get("as_of") or "").strip()
    if not raw:
        return business_date, business_date, None
    parsed = parse_as_of(raw)
    if parsed is None:
        error = _("«{raw}» no es una fecha válida; escríbala como dd/mm/aaaa (por ejemplo {example}). "
                  "Se muestra el crédito a la fecha de operación, {today}.").format(
            raw=raw, example=date_format(business_date, "d/m/Y"),
            today=date_format(business_date, "d/m/Y"))
        return business_date, business_date, error
    return parsed, business_date, None


def _credit_or_404(folio: str) -> Credit:
    from recupera.credits.selectors import credit_detail

    try:
        credit = credit_detail(folio=folio)
    except Credit.DoesNotExist as exc:
        raise Http404(_("No existe el crédito con folio {folio}.").format(folio=folio)) from exc
    if credit is None:
        raise Http404(_("No existe el crédito con folio {folio}.").format(folio=folio))
    return credit


def _display_status(credit: Credit, state: Any) -> tuple[str, str]:
    """(label, badge class): an administrative status wins over the engine's."""
    from recupera.credits.engine_io import status_for

    code = Credit.Status(status_for(credit, state))
    return str(code.label), STATUS_BADGE.get(code.value, "")


def _statement_context(credit: Credit, as_of: dt.date, business_date: dt.date) -> dict[str, Any]:
    """Everything the credit page and the PDF show, from the engine's state at `as_of` (one
    replay). The PDF lists every movement; the page pages them (`_page_movements`)."""
    from recupera.credits.engine_io import credit_state

    state = credit_state(credit, as_of=as_of)
    current_version = state.schedule_version

    # The installments in force (what was replaced by a newer version moves to its history).
    in_force = [i for i in state.installments
                if not (i.status == "cancelled" and i.schedule_version < current_version)]
    replaced: dict[int, list[Any]] = {}
    for inst in state.installments:
        if inst.status == "cancelled" and inst.schedule_version < current_version:
            replaced.setdefault(inst.schedule_version, []).append(inst)
    older_schedules = [
        {"schedule": s, "replaced": replaced.get(s.version, [])}
        for s in state.schedules if s.version != current_version
    ]
    next_installment = next(
        (i for i in in_force if state.next_due_date and i.due_date == state.next_due_date
         and i.status not in ("paid", "paid_late", "cancelled")), None)

    # Ledger: engine postings, matched to their entries for reversal links.
    entries = {str(entry.pk): entry for entry in credit.ledger_entries.all()}  # Event.id = pk
    movements = []
    for posting in state.postings:
        entry = entries.get(posting.event_id)
        movements.append({
            "posting": posting,
            "entry": entry if posting.kind != "rebate" else None,
            "reversed": posting.rejected_reason == "reversado",
            "rejected": posting.rejected_reason if posting.rejected_reason != "reversado" else None,
        })
    # Both ends of a reversal are entries of this credit: link them without a query per row.
    by_pk = {entry.pk: entry for entry in entries.values()}
    reversal_of = {}
    for move in movements:
        entry = move["entry"]
        if entry is not None and entry.reverses_id:
            reversal_of[entry.reverses_id] = entry
    for move in movements:
        entry = move["entry"]
        move["reversed_by"] = reversal_of.get(entry.pk) if entry is not None else None
        move["reverses"] = by_pk.get(entry.reverses_id) if entry is not None and entry.reverses_id else None

    parties_order = {CreditParty.Role.BORROWER: 0, CreditParty.Role.GUARANTOR: 1,
                     CreditParty.Role.REFERENCE: 2}
    parties = sorted(credit.parties.all(), key=lambda p: (parties_order.get(p.role, 9), p.pk))
    _prefetch_current_addresses([credit.borrower, *(p.person for p in parties)])
    status_label, status_class = _display_status(credit, state)
    return {
        "credit": credit,
        "state": state,
        "terms": _terms_of(credit),
        "as_of": as_of,
        "business_date": business_date,
        "is_business_date": as_of == business_date,
        "status_label": status_label,
        "status_class": status_class,
        "installments": in_force,
        "older_schedules": older_schedules,
        "current_schedule": next((s for s in state.schedules if s.version == current_version), None),
        "next_installment": next_installment,
        "movements": movements,
        "parties": parties,
        "borrower": credit.borrower,
        "borrower_address": next(iter(credit.borrower.current_addresses), None),
        **_disbursement_rows(credit),
    }


def _page_movements(request: HttpRequest, context: dict[str, Any]) -> None:
    """The page shows MOVEMENTS_PAGE movements at a time in value-date order, as the statement
    does; page 1 (the default) is the most recent ones, ?movimientos=2 the ones before, and so
    on. Pages are cut from the end, so the first page is always full."""
    movements = context["movements"]
    total = len(movements)
    pages = max(1, -(-total // MOVEMENTS_PAGE))
    try:
        number = min(max(int(request.GET.get("movimientos") or 1), 1), pages)
    except ValueError:
        number = 1
    end = total - (number - 1) * MOVEMENTS_PAGE
    start = max(0, end - MOVEMENTS_PAGE)
    params = request.GET.copy()
    params.pop("movimientos", None)
    base = params.urlencode()
    context.update(movements=movements[start:end], movements_total=total, movements_querystring=f"{base}&" if base else "",
                   movements_page={"number": number, "pages": pages, "start_index": start + 1, "end_index": end,
                                   "older": number + 1 if number < pages else None,
                                   "newer": number - 1 if number > 1 else None})


def _prefetch_current_addresses(persons: list[Any]) -> None:
    """Each person's current address as `current_addresses` (one query for all of them).
    Done here, not in credit_detail, because the other callers of that selector show no address."""
    from recupera.people.models import Address

    prefetch_related_objects(persons, Prefetch(
        "addresses", queryset=Address.objects.filter(is_current=True).order_by("-id"),
        to_attr="current_addresses"))


def _disbursement_rows(credit: Credit) -> dict[str, Any]:
    """Each disbursement with its pagaré; pagarés of no disbursement (restructures) apart."""
    from recupera.core.extensions import note_clocks

    notes = list(credit.notes.all())
    clocks = note_clocks([credit.pk])
    by_note = {c.note_id: c for c in clocks}
    for note in notes:  # each pagaré in force with its own date (legal.prescription)
        clock = by_note.get(note.pk)
        note.prescription_date = clock.date if clock else None
        note.prescription_text = str(_("Detenida (en juicio)")) if clock and clock.in_lawsuit else ""
    by_disbursement = {n.disbursement_id: n for n in notes if n.disbursement_id}
    return {
        "prescription_clocks": clocks,
        "disbursement_rows": [{"disbursement": d, "note": by_disbursement.get(d.pk)}
                              for d in credit.disbursements.all()],
        "other_notes": [n for n in notes if not n.disbursement_id],
    }


def _terms_of(credit: Credit) -> Any:
    """The engine Terms for the credit (product settings with the credit's overrides)."""
    from recupera.credits import engine_io

    return engine_io.terms_for(credit)


def person_credits_context(request: HttpRequest | None, person: Any) -> dict[str, Any]:
    """Context of credits/_person_credits.html (the person page's "Créditos" section): the
    person's credits from `credits_of_person` (two queries) with the cached columns the engine
    wrote. Empty for users who may not view credits. Registered as a people-page panel:

        register_person_panel(PersonPanel(key="credits", template="credits/_person_credits.html",
            context=person_credits_context, order=10, perm="credits.view_credit"))
    """
    from recupera.credits.selectors import credits_of_person

    user = getattr(request, "user", None)
    allowed = bool(user is not None and user.has_perm("credits.view_credit"))
    return {"person_credit_rows": list(credits_of_person(person=person)) if allowed else [],
            "can_view_credits": allowed}


@login_required
def credit_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "credits.view_credit")
    from recupera.credits.selectors import credit_list as select_credits

    form = CreditFilterForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items()
               if v not in (None, "") and k != "orden"}
    sort = request.GET.get("orden") if request.GET.get("orden") in SORTS else "folio"
    credits = scope_credits(request.user, select_credits(filters=filters)).order_by(*SORTS[sort])
    page = Paginator(credits, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    sort_params = request.GET.copy()
    for key in ("page", "orden"):
        sort_params.pop(key, None)
    sort_base = sort_params.urlencode()
    return render(request, "credits/credit_list.html", {
        "filter_form": form,
        "page_obj": page,
        "credits": page.object_list,
        "querystring_base": f"{base}&" if base else "",
        "sort_base": f"{sort_base}&" if sort_base else "",
        "sort": sort,
    })


@login_required
def credit_detail(request: HttpRequest, folio: str) -> HttpResponse:
    require_perm(request, "credits.view_credit")
    as_of, business_date, as_of_error = _as_of_from(request)
    credit = _credit_or_404(folio)
    require_object_perm(request, "credits.view_credit", credit)  # a collector: their cases' credits
    context = _statement_context(credit, as_of, business_date)
    record_view(user=request.user, what="credito.ficha", fields="CURP, teléfonos, correos, domicilios",
                person_ids=[credit.borrower_id, *(p.person_id for p in context["parties"])])
    _page_movements(request, context)
    # asked once here, not by each movement row of the template
    context["can_reverse"] = request.user.has_perm("payments.reverse_payment")
    context.update(as_of_error=as_of_error, as_of_input=request.GET.get("as_of", "") if as_of_error else
                   date_format(as_of, "d/m/Y"))
    return render(request, "credits/credit_detail.html", context)


@login_required
@pdf_view
def statement_pdf(request: HttpRequest, folio: str) -> HttpResponse:
    require_perm(request, "credits.view_credit")
    from recupera.credits.pdf import pdf_response, refuse_blocked, render_pdf

    as_of, business_date, _error = _as_of_from(request)
    credit = _credit_or_404(folio)
    require_object_perm(request, "credits.view_credit", credit)
    refuse_blocked(request.user, credit.borrower)
    context = _statement_context(credit, as_of, business_date)
    context.update(generated_at=timezone.localtime(), document_title=_("Estado de cuenta"),
                   generated_by=request.user)
    record_view(user=request.user, what="credito.estado_pdf", fields="CURP, domicilio",
                person_ids=[credit.borrower_id])
    pdf = render_pdf("credits/pdf/statement.html", context, request=request)
    filename = f"estado-de-cuenta-{credit.folio}-{as_of:%Y%m%d}.pdf"
    return pdf_response(pdf, filename=filename)
