"""Staff pages of the privacy app (the officer's ARCO desk and the notice) and the public ARCO
form. Thin: parse, authorize (core/predicates.py), call a service or selector, render."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recupera.core.calendar import business_calendar
from recupera.core.services import business_date_of_request
from recupera.core.views import require_perm
from recupera.credits.pdf import pdf_view
from recupera.privacy import documents, selectors, services
from recupera.privacy.forms import (
    AnswerForm,
    ArcoRequestForm,
    DeliverForm,
    ExtendForm,
    NoticeForm,
    OpposeForm,
    RectifyForm,
    VerifyIdentityForm,
    apply_errors,
)
from recupera.privacy.models import ArcoRequest, PrivacyNotice

PAGE_SIZE = 50


def _request_or_404(pk: int) -> ArcoRequest:
    return get_object_or_404(ArcoRequest.objects.select_related(
        "person", "notice", "verified_by", "answered_by", "delivered_by", "created_by"), pk=pk)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "privacy.view_requests")
    as_of = business_date_of_request(request)
    calendar = business_calendar()
    status = request.GET.get("estado", "abiertas")
    rows = list(selectors.request_list(status=status)[:500])
    flags = {f.request.pk: f for f in (selectors.flag_for(r, as_of=as_of, calendar=calendar)
                                       for r in rows) if f is not None}
    alerts = selectors.deadline_flags(as_of=as_of, calendar=calendar)
    return render(request, "privacy/request_list.html", {
        "rows": [(r, flags.get(r.pk)) for r in rows], "status": status,
        "statuses": ArcoRequest.Status.choices,
        "overdue": [f for f in alerts if f.kind == selectors.OVERDUE],
        "near_due": [f for f in alerts if f.kind == selectors.NEAR_DUE],
        "can_manage": request.user.has_perm("privacy.manage_requests"),
    })


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "privacy.manage_requests")
    as_of = business_date_of_request(request)
    notice = selectors.notice_in_force(as_of)
    form = ArcoRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            arco = services.arco_register(
                actor=request.user, channel=ArcoRequest.Channel.STAFF, as_of=as_of,
                right=data["right"], first_name=data["first_name"], last_name=data["last_name"],
                second_last_name=data["second_last_name"], curp=data["curp"],
                email=data["email"], phone=data["phone"], representative=data["representative"],
                opposed_channel=data["opposed_channel"], description=data["description"],
                notice=notice)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Se registró la solicitud %(folio)s; responder a más "
                                        "tardar el %(d)s.")
                             % {"folio": arco.folio, "d": f"{arco.due_on:%d/%m/%Y}"})
            return redirect("privacy:detail", pk=arco.pk)
    return render(request, "privacy/request_form.html", {"form": form, "notice": notice})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "privacy.view_requests")
    arco = _request_or_404(pk)
    as_of = business_date_of_request(request)
    flag = selectors.flag_for(arco, as_of=as_of, calendar=business_calendar())
    person = arco.person
    context: dict[str, Any] = {
        "arco": arco, "flag": flag, "person": person,
        "can_manage": request.user.has_perm("privacy.manage_requests"),
        "verify_form": VerifyIdentityForm(), "extend_form": ExtendForm(),
        "answer_form": AnswerForm(), "deliver_form": DeliverForm(),
        "oppose_form": OpposeForm(initial={"channel": arco.opposed_channel}),
        "oppositions": list(arco.oppositions.all()) if arco.pk else [],
        "export_summary": documents.export_summary(arco.export_data),
    }
    return render(request, "privacy/request_detail.html", context)


def _step(request: HttpRequest, pk: int, form_class: Any, call: Any, success: str) -> HttpResponse:
    """A POSTed officer step: validate the form, call the service, show the result or the
    Spanish refusal on the request's page."""
    require_perm(request, "privacy.manage_requests")
    arco = _request_or_404(pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("privacy:detail", pk=pk)
    try:
        call(arco, form.cleaned_data if form is not None else {},
             business_date_of_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("privacy:detail", pk=pk)


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, VerifyIdentityForm, lambda arco, d, as_of: services.arco_verify_identity(
        actor=request.user, request=arco, id_document=d["id_document"],
        id_document_number=d["id_document_number"], notes=d["id_notes"], as_of=as_of),
        _("Se registró la verificación de identidad."))


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, ExtendForm, lambda arco, d, as_of: services.arco_extend(
        actor=request.user, request=arco, reason=d["reason"], as_of=as_of),
        _("Se amplió el plazo de respuesta por 10 días hábiles."))


@login_required
@require_POST
def generate_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, None, lambda arco, d, as_of: services.arco_generate_export(
        actor=request.user, request=arco, as_of=as_of),
        _("Se generó la exportación de los datos personales."))


@login_required
@require_POST
def block(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, None, lambda arco, d, as_of: services.arco_block(
        actor=request.user, request=arco, as_of=as_of),
        _("Los datos del titular quedaron bloqueados."))


@login_required
@require_POST
def oppose(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, OpposeForm, lambda arco, d, as_of: services.arco_oppose(
        actor=request.user, request=arco, channel=d["channel"], as_of=as_of),
        _("Se registró la oposición: ese medio ya no se usa para contactar al titular."))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, AnswerForm, lambda arco, d, as_of: services.arco_answer(
        actor=request.user, request=arco, granted=d["granted"], text=d["answer_text"],
        as_of=as_of), _("Se registró la respuesta."))


@login_required
@require_POST
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, DeliverForm, lambda arco, d, as_of: services.arco_deliver(
        actor=request.user, request=arco, delivery=d["delivery"], as_of=as_of),
        _("La solicitud quedó concluida: se entregó la respuesta."))


@login_required
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "privacy.manage_requests")
    arco = _request_or_404(pk)
    if arco.person is None:
        raise Http404(_("La solicitud no corresponde a una persona registrada."))
    person = arco.person
    initial = {n: getattr(person, n) for n in RectifyForm.IDENTITY}
    points = person.contact_points.filter(active=True).order_by("kind", "id")
    form = RectifyForm(request.POST or None, initial=initial, contact_points=points)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            _arco, warnings = services.arco_rectify(actor=request.user, request=arco,
                                                    changes=changes,
                                                    as_of=business_date_of_request(request))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Se rectificaron los datos del titular."))
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("privacy:detail", pk=pk)
    return render(request, "privacy/rectify_form.html", {"form": form, "arco": arco})


@login_required
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "privacy.manage_requests")
    arco = _request_or_404(pk)
    if arco.export_data is None:
        raise Http404(_("Aún no se genera la exportación."))
    body = json.dumps(arco.export_data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{arco.folio}-datos.json"'
    return response


@login_required
@pdf_view
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from recupera.credits.pdf import pdf_response

    require_perm(request, "privacy.manage_requests")
    arco = _request_or_404(pk)
    if arco.export_data is None:
        raise Http404(_("Aún no se genera la exportación."))
    return pdf_response(documents.export_pdf(arco, request=request),
                        filename=f"{arco.folio}-datos.pdf")


@login_required
@pdf_view
def response_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from recupera.credits.pdf import pdf_response

    require_perm(request, "privacy.view_requests")
    arco = _request_or_404(pk)
    if arco.answered_on is None:
        raise Http404(_("La solicitud aún no tiene respuesta."))
    return pdf_response(documents.response_pdf(arco, request=request),
                        filename=f"{arco.folio}-respuesta.pdf")


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    require_perm(request, "privacy.manage_notice")
    as_of = business_date_of_request(request)
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.notice_publish(actor=request.user, version=data["version"],
                                             title=data["title"], text=data["text"],
                                             effective_date=data["effective_date"], as_of=as_of)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Se publicó la versión %(v)s del aviso de privacidad, "
                                        "vigente desde el %(d)s.")
                             % {"v": notice.version, "d": f"{notice.effective_date:%d/%m/%Y}"})
            return redirect("privacy:notices")
    return render(request, "privacy/notices.html", {
        "form": form, "notices": PrivacyNotice.objects.annotate(shown_count=Count("shown")),
        "in_force": selectors.notice_in_force(as_of)})


# --------------------------------------------------------------------------- the public form

def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a client can write any X-Forwarded-For (docs/privacy.md).
    return request.META.get("REMOTE_ADDR", "") or "desconocida"


def _rate_limited(request: HttpRequest) -> bool:
    """Count this POST against the client's IP; True when over the hourly limit."""
    limit = getattr(settings, "PRIVACY_PUBLIC_MAX_PER_HOUR", 5)
    key = f"privacy:arco-post:{_client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > limit


def public_form(request: HttpRequest) -> HttpResponse:
    """The public ARCO form (no login). Whatever is typed, a valid request gets the same answer
    (the folio and the deadline): it never tells whether the CURP is in Recupera."""
    as_of = business_date_of_request(request)
    notice = selectors.notice_in_force(as_of)
    form = ArcoRequestForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "privacy/public_limited.html", status=429)
        if notice is None:
            form.add_error(None, _("El formulario no está disponible: no hay un aviso de privacidad "
                                   "vigente. Acuda a las oficinas del Instituto."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                arco = services.arco_register(
                    actor=request.user, channel=ArcoRequest.Channel.PORTAL, as_of=as_of,
                    right=data["right"], first_name=data["first_name"],
                    last_name=data["last_name"], second_last_name=data["second_last_name"],
                    curp=data["curp"], email=data["email"], phone=data["phone"],
                    representative=data["representative"],
                    opposed_channel=data["opposed_channel"], description=data["description"],
                    notice=notice)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return render(request, "privacy/public_done.html", {"arco": arco})
    return render(request, "privacy/public_form.html", {"form": form, "notice": notice})
