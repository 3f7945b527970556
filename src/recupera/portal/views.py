"""The portal's pages (/portal/): public pages, sign-in by code, and what a signed-in debtor
sees and asks. Thin: parse, check with core.predicates.portal_may, call a selector or service.
Nothing here knows the staff session (portal.middleware)."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from recupera.core.predicates import portal_may
from recupera.core.services import business_date_of_request
from recupera.credits.models import Credit
from recupera.people.models import ContactPoint, Person
from recupera.portal import selectors, services
from recupera.portal.forms import CallbackForm, CodeForm, IdentifierForm, QuestionForm, combine
from recupera.portal.models import PortalRequest

SESSION_PERSON = "portal_person"
SESSION_SIGNED_AT = "portal_signed_at"
SESSION_SEEN = "portal_seen"
SESSION_CODE = "portal_code"
TOUCH_EVERY = 60


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a client can write any X-Forwarded-For.
    return request.META.get("REMOTE_ADDR") or None


# ---------------------------------------------------------------------------- session

def _end_session(request: HttpRequest, reason: str) -> None:
    person_id = request.session.get(SESSION_PERSON)
    if person_id:
        person = Person.objects.filter(pk=person_id).first()
        if person is not None:
            services.signout_record(person=person, ip=client_ip(request), now=timezone.now(), reason=reason)
    request.session.flush()


def debtor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in debtor (request.debtor), within the idle and absolute session limits."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = request.session
        person_id = session.get(SESSION_PERSON)
        now = int(time.time())
        if person_id:
            idle = now - int(session.get(SESSION_SEEN, 0)) > services.limit("idle_minutes") * 60
            old = now - int(session.get(SESSION_SIGNED_AT, 0)) > services.limit("session_minutes") * 60
            if idle or old:
                _end_session(request, "sesión vencida")
                messages.info(request, _("Su sesión terminó por seguridad. Entre de nuevo con un código."))
                return redirect("portal:signin")
            person = Person.objects.filter(pk=person_id).first()
            if person is not None:
                if now - int(session.get(SESSION_SEEN, 0)) >= TOUCH_EVERY:
                    session[SESSION_SEEN] = now
                request.debtor = person  # type: ignore[attr-defined]
                return view(request, *args, **kwargs)
        return redirect("portal:signin")

    return wrapper


def _credit_or_404(request: HttpRequest, folio: str, what: str) -> Credit:
    """The debtor's credit, or 404 — the same for a folio of someone else's and one that does
    not exist — and 404 too when the debtor's role does not allow `what`."""
    try:
        credit = selectors.person_credit(person=request.debtor, folio=folio)  # type: ignore[attr-defined]
    except Credit.DoesNotExist as exc:
        raise Http404(_("No encontramos ese crédito entre los suyos.")) from exc
    if not portal_may(request.debtor, credit, what):  # type: ignore[attr-defined]
        raise Http404(_("Esta información es solo para la persona acreditada del crédito."))
    return credit


# ---------------------------------------------------------------------------- public pages

def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"signed_in": bool(request.session.get(SESSION_PERSON))})


def how_it_works(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/how_it_works.html")


def where_to_pay(request: HttpRequest) -> HttpResponse:
    from recupera.payments.models import BankAgreement, FileLayout

    payroll = FileLayout.objects.filter(channel="nomina", default_agreement__isnull=False).values("default_agreement")
    banks = list(BankAgreement.objects.filter(active=True).exclude(pk__in=payroll).order_by("bank", "code"))
    return render(request, "portal/where_to_pay.html", {"banks": banks})


def privacy_notice(request: HttpRequest) -> HttpResponse:
    from recupera.privacy.selectors import notice_in_force

    notice = notice_in_force(business_date_of_request(request))
    return render(request, "portal/privacy_notice.html", {"notice": notice})


# ---------------------------------------------------------------------------- sign-in

@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    form = IdentifierForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            code_id = services.signin_code_request(identifier=form.cleaned_data["identifier"],
                                                   ip=client_ip(request), now=timezone.now())
        except services.RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        else:
            request.session.cycle_key()
            request.session[SESSION_CODE] = code_id or 0
            return redirect("portal:code")
    return render(request, "portal/signin.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    if SESSION_CODE not in request.session:
        return redirect("portal:signin")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            signed = services.signin_verify(code_id=request.session.get(SESSION_CODE) or None,
                                            code=form.cleaned_data["code"], ip=client_ip(request),
                                            now=timezone.now())
        except services.RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        except services.PortalError as exc:
            form.add_error("code", str(exc))
            status = 422
        else:
            request.session.flush()  # a new session (and key) for the signed-in debtor
            now = int(time.time())
            request.session[SESSION_PERSON] = signed.person.pk
            request.session[SESSION_SIGNED_AT] = now
            request.session[SESSION_SEEN] = now
            request.session.set_expiry(services.limit("session_minutes") * 60)
            return redirect("portal:account")
    return render(request, "portal/code.html", {"form": form}, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    _end_session(request, "salida")
    messages.success(request, _("Salió del portal. Hasta pronto."))
    return redirect("portal:home")


# ---------------------------------------------------------------------------- the debtor

def dpd_words(days: int) -> str:
    """Days past due in plain words."""
    if days <= 0:
        return _("Está al corriente: no tiene pagos atrasados.")
    if days == 1:
        return _("Tiene un pago atrasado desde ayer.")
    months = days // 30
    if months >= 1:
        span = _("más de un mes") if months == 1 else _("más de {m} meses").format(m=months)
        return _("Tiene pagos atrasados desde hace {d} días ({span}).").format(d=days, span=span)
    return _("Tiene pagos atrasados desde hace {d} días.").format(d=days)


@debtor_required
def account(request: HttpRequest) -> HttpResponse:
    credits = selectors.person_credits(person=request.debtor)  # type: ignore[attr-defined]
    return render(request, "portal/account.html", {"credits": credits, "person": request.debtor})  # type: ignore[attr-defined]


def _statement(credit: Credit, request: HttpRequest) -> dict[str, Any]:
    from recupera.credits.views import _statement_context

    as_of = business_date_of_request(request)
    return _statement_context(credit, as_of, as_of)


def _amounts(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The amounts a slip may carry, all engine figures at the business date."""
    state, nxt = context["state"], context["next_installment"]
    out = []
    if state.total_overdue > 0:
        out.append({"key": "vencido", "label": _("Lo vencido, para ponerse al corriente"), "amount": state.total_overdue})
    if nxt is not None and nxt.amount_due > 0:
        out.append({"key": "mensualidad", "label": _("Su próxima mensualidad"), "amount": nxt.amount_due})
    if state.payoff_amount > 0:
        out.append({"key": "liquidar", "label": _("Liquidar hoy el crédito completo"), "amount": state.payoff_amount})
    return out


@debtor_required
def credit(request: HttpRequest, folio: str) -> HttpResponse:
    from recupera.agreements.models import Agreement
    from recupera.payments.references import payment_references_for

    credit = _credit_or_404(request, folio, "summary")
    context = _statement(credit, request)
    role = credit.portal_role  # type: ignore[attr-defined]
    history = []
    if portal_may(request.debtor, credit, "history"):  # type: ignore[attr-defined]
        history = [m for m in context["movements"] if m["posting"].kind == "payment"][-24:][::-1]
    agreements = []
    if portal_may(request.debtor, credit, "agreement"):  # type: ignore[attr-defined]
        agreements = list(Agreement.objects.filter(credit=credit).exclude(status=Agreement.Status.REJECTED)
                          .prefetch_related("installments").order_by("-as_of", "-pk")[:3])
    from recupera.payments.models import PayrollEnrollment

    return render(request, "portal/credit.html", {
        **{k: context[k] for k in ("credit", "state", "next_installment", "as_of", "status_label")},
        "role": role, "is_borrower": role == "acreditado",
        "dpd_words": dpd_words(context["state"].days_past_due),
        "history": history, "agreements": agreements,
        "references": payment_references_for(credit), "amounts": _amounts(context),
        "payroll": PayrollEnrollment.objects.filter(credit=credit, active=True).first(),
        "requests": list(selectors.requests_of(person=request.debtor, credit=credit)[:10]),  # type: ignore[attr-defined]
    })


def _pdf_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    from recupera.credits.pdf import PdfError

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PdfError as exc:
            return render(request, "portal/pdf_error.html", {"message": str(exc)}, status=503)

    return wrapper


@debtor_required
@_pdf_page
def statement_pdf(request: HttpRequest, folio: str) -> HttpResponse:
    from recupera.credits.pdf import pdf_response, render_pdf

    credit = _credit_or_404(request, folio, "statement")
    context = _statement(credit, request)
    context.update(generated_at=timezone.localtime(), document_title=_("Estado de cuenta"),
                   generated_by=_("Portal de deudores"))
    pdf = render_pdf("credits/pdf/statement.html", context, request=request)
    return pdf_response(pdf, filename=f"estado-de-cuenta-{credit.folio}-{context['as_of']:%Y%m%d}.pdf",
                        inline=False)


def code128_svg(text: str) -> str:
    """A Code 128 barcode of `text` as an SVG data URI (python-barcode), for the slip."""
    import io

    import barcode
    from barcode.writer import SVGWriter

    out = io.BytesIO()
    barcode.get("code128", text, writer=SVGWriter()).write(
        out, options={"module_width": 0.3, "module_height": 14, "write_text": False, "quiet_zone": 4})
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@debtor_required
@_pdf_page
def slip_pdf(request: HttpRequest, folio: str) -> HttpResponse:
    """The payment slip (ficha de depósito): per bank agreement, the convenio, the credit's
    reference with its barcode, and the amount chosen among the engine's figures."""
    from recupera.core.words import amount_in_words
    from recupera.credits.pdf import pdf_response, render_pdf
    from recupera.payments.references import payment_references_for

    credit = _credit_or_404(request, folio, "pay")
    context = _statement(credit, request)
    amounts = _amounts(context)
    chosen = next((a for a in amounts if a["key"] == request.GET.get("importe")), amounts[0] if amounts else None)
    refs = [{**r, "barcode": code128_svg(r["reference"])} for r in payment_references_for(credit)]
    pdf = render_pdf("portal/pdf/slip.html", {
        "credit": credit, "as_of": context["as_of"], "references": refs, "chosen": chosen,
        "amount_words": amount_in_words(chosen["amount"]) if chosen else "",
        "borrower_name": credit.borrower.full_name, "generated_at": timezone.localtime(),
        "document_title": _("Ficha de pago"),
    }, request=request)
    return pdf_response(pdf, filename=f"ficha-de-pago-{credit.folio}.pdf", inline=False)


@debtor_required
@require_http_methods(["GET", "POST"])
def simulator(request: HttpRequest, folio: str) -> HttpResponse:
    from recupera.agreements.services import offers_simulate

    credit = _credit_or_404(request, folio, "simulate")
    as_of = business_date_of_request(request)
    status = 200
    data = request.POST if request.method == "POST" else request.GET
    raw = (data.get("pagos") or "").strip()
    installments = int(raw) if raw.isdigit() and 0 < len(raw) < 4 else None
    if request.method == "POST":
        try:
            services.plan_request(actor=request.debtor, credit=credit,  # type: ignore[attr-defined]
                                  kind=request.POST.get("kind", ""), as_of=as_of, now=timezone.now(),
                                  installments=installments)
        except services.PortalError as exc:
            messages.error(request, str(exc))
            status = 422
        else:
            messages.success(request, _("Recibimos su solicitud. Su gestor la revisará y le responderá "
                                        "aquí; el convenio queda firme cuando el Instituto lo autorice."))
            return redirect("portal:credit", folio=credit.folio)
    simulation = offers_simulate(credit=credit, as_of=as_of, plan_installments=installments)
    options = [o for o in simulation["options"] if o.get("required_level")]
    plan = next((o for o in options if o["kind"] == "convenio"), None)
    for option in options:
        option["pays_dec"] = Decimal(option["pays"])
        option["forgiven_dec"] = Decimal(option["forgiven"])
        for key in ("down_payment", "installment_amount", "new_principal"):
            if key in option:
                option[key + "_dec"] = Decimal(option[key])
    pending = PortalRequest.objects.filter(credit=credit, kind=PortalRequest.Kind.PLAN,
                                           status=PortalRequest.Status.PENDING).exists()
    return render(request, "portal/simulator.html", {
        "credit": credit, "as_of": as_of, "options": options, "refused": simulation["refused"],
        "debt": Decimal(simulation["debt"]), "pending": pending,
        "payment_counts": range(1, (simulation.get("max_installments") or 0) + 1) if plan else [],
        "chosen_count": plan["installments"] if plan else None}, status=status)


def _phones(person: Person) -> list[tuple[int, str]]:
    return [(c.pk, services.mask(c).replace(_("celular"), _("teléfono")))
            for c in ContactPoint.objects.filter(person=person, kind=ContactPoint.Kind.PHONE, active=True)]


@debtor_required
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest, folio: str) -> HttpResponse:
    from recupera.collections.models import ConductSettings

    credit = _credit_or_404(request, folio, "callback")
    as_of = business_date_of_request(request)
    phones = _phones(request.debtor)  # type: ignore[attr-defined]
    form = CallbackForm(request.POST or None, phones=phones,
                        initial={"day": timezone.localdate() + dt.timedelta(days=1), "time": dt.time(10, 0)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            phone = ContactPoint.objects.filter(pk=form.cleaned_data["phone"]).first()
            try:
                if phone is None:
                    raise services.PortalError(_("Elija uno de sus teléfonos registrados."))
                req = services.callback_request(actor=request.debtor, credit=credit,  # type: ignore[attr-defined]
                                                call_at=combine(form.cleaned_data["day"], form.cleaned_data["time"]),
                                                phone=phone, as_of=as_of, now=timezone.now())
            except services.PortalError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Le llamaremos el {when}.").format(
                    when=timezone.localtime(req.call_at).strftime("%d/%m/%Y a las %H:%M")))
                return redirect("portal:credit", folio=credit.folio)
        status = 422
    return render(request, "portal/callback.html", {
        "credit": credit, "form": form, "window": services.callback_window(ConductSettings.load().rules()),
        "last_day": timezone.localdate() + dt.timedelta(days=services.limit("callback_days"))}, status=status)


@debtor_required
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest, folio: str) -> HttpResponse:
    credit = _credit_or_404(request, folio, "question")
    form = QuestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.question_ask(actor=request.debtor, credit=credit,  # type: ignore[attr-defined]
                                      text=form.cleaned_data["text"],
                                      as_of=business_date_of_request(request), now=timezone.now())
            except services.PortalError as exc:
                form.add_error("text", str(exc))
            else:
                messages.success(request, _("Enviamos su pregunta. La respuesta aparecerá en esta página."))
                return redirect("portal:questions", folio=credit.folio)
        status = 422
    asked = list(selectors.requests_of(person=request.debtor, credit=credit)  # type: ignore[attr-defined]
                 .filter(kind=PortalRequest.Kind.QUESTION)[:20])
    return render(request, "portal/questions.html", {"credit": credit, "form": form, "asked": asked},
                  status=status)


# ---------------------------------------------------------------------------- error pages
# Under /portal/ the error pages are the portal's (no staff shell or menu); elsewhere Django's
# handlers render the project's templates as before.

def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.views import defaults

    from recupera.portal.middleware import is_portal_path

    if is_portal_path(request.path_info):
        return render(request, "portal/error.html", {"title": _("No encontramos esta página"),
                      "text": _("La dirección no existe o no corresponde a uno de sus créditos.")}, status=404)
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.views import defaults

    from recupera.portal.middleware import is_portal_path

    if is_portal_path(request.path_info):
        return render(request, "portal/error.html", {"title": _("No se puede mostrar esta página"),
                      "text": _("No tiene acceso a esta información.")}, status=403)
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    from django.views import csrf

    from recupera.portal.middleware import is_portal_path

    if is_portal_path(request.path_info):
        return render(request, "portal/error.html", {"title": _("El formulario venció"),
                      "text": _("Por seguridad, vuelva a la página anterior, recárguela e intente de nuevo.")},
                      status=403)
    return csrf.csrf_failure(request, reason)
