from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from recupera.core import accounts
from recupera.core.forms import AuditFilterForm
from recupera.core.personal import audit_entries_for_reader
from recupera.core.selectors import audit_entries


def require_perm(request: HttpRequest, perm: str, obj: object = None) -> None:
    """Raise PermissionDenied unless the user holds `perm` (core/predicates.py)."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def require_object_perm(request: HttpRequest, perm: str, obj: object, *, visible: str = "") -> None:
    """`perm` on one object (a credit, a person, a case), without telling who may not see it
    that it exists: a user who may not see the object (neither `perm` nor `visible`) gets the
    same 404 as for a missing folio or id (no enumeration); one who sees it but may not do
    `perm` gets 403. The second question is asked only on a refusal."""
    user = request.user
    if user.has_perm(perm, obj):
        return
    if visible and user.has_perm(visible, obj):
        raise PermissionDenied
    raise Http404


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    if request.user.has_perm("core.view_security_alerts"):  # one more query, only for them
        from recupera.core.models import SecurityAlert

        context["security_alerts"] = list(
            SecurityAlert.objects.filter(acknowledged_at__isnull=True)[:20])
    from recupera.core.home import panels_for

    context["home_panels"] = panels_for(request)
    return render(request, "core/home.html", context)


@login_required
def security_alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "core.view_security_alerts")
    from recupera.core.models import SecurityAlert

    if request.method == "POST":
        alert = SecurityAlert.objects.filter(pk=pk).first()
        if alert is not None:
            accounts.security_alert_acknowledge(actor=request.user, alert=alert)
            messages.success(request, "Alerta marcada como atendida.")
    return redirect("home")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The global search box: folio, CURP, name or phone. One clear hit lands on its page."""
    require_perm(request, "core.use_search")
    from recupera.core.search import global_search

    query = (request.GET.get("q") or "").strip()
    context: dict[str, object] = {"search_query": query}
    if query:
        if len(query) < 3:
            context["too_short"] = True
        else:
            result = global_search(query, user=request.user)
            if result.landing_url:
                return redirect(result.landing_url)
            from recupera.core.dataaccess import record_view

            record_view(user=request.user, what="persona.lista", fields="CURP",
                        person_ids=[p.pk for p in result.people])
            context.update(people=result.people, credits=result.credits,
                           people_truncated=result.people_truncated,
                           people_capped=result.people_capped, name_sort_max=result.name_sort_max)
    return render(request, "core/search.html", context)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "core.view_audit")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entries(filters=filters), 50).get_page(request.GET.get("page"))
    # Rows about a blocked person show «Datos bloqueados» (core/personal.py).
    page.object_list = audit_entries_for_reader(request.user, page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    return render(request, "core/audit_list.html", {
        "filter_form": form, "page_obj": page, "querystring_base": f"{base}&" if base else "",
    })


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    """The `next` the request carries (POST, then GET) when it points into this site, else
    `fallback`: `//evil.example`, `https://…` and `/\\evil` never leave Recupera."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form, plus: the change goes through accounts.user_password_set (audited), and
    PASSWORD_CHANGE_FAILURE_LIMIT wrong current passwords lock the form for
    PASSWORD_CHANGE_LOCK_MINUTES (a stolen open session cannot guess the password). Its own
    template: the Django admin's registration/ templates would win over core's."""

    template_name = "core/password_change_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.session.get(accounts.MUST_CHANGE_PASSWORD)
        return context

    def _locked_response(self) -> HttpResponse:
        form = self.get_form()
        form.errors.clear()
        context = self.get_context_data(form=form, locked=True,
                                        lock_minutes=settings.PASSWORD_CHANGE_LOCK_MINUTES)
        return self.render_to_response(context, status=429)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if accounts.password_change_locked(user=request.user):
            return self._locked_response()
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        if "old_password" in form.errors:
            accounts.password_change_failure_record(actor=self.request.user, user=self.request.user,
                                                    ip=client_ip(self.request))
            if accounts.password_change_locked(user=self.request.user):
                return self._locked_response()
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        accounts.user_password_set(actor=self.request.user, user=form.user,
                                   raw_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        self.request.session.pop(accounts.MUST_CHANGE_PASSWORD, None)
        return redirect(self.get_success_url())


@login_required
def role_grants(request: HttpRequest) -> HttpResponse:
    """Pending role requests, for the Subdirección de Cartera (and the committee) to decide."""
    require_perm(request, "core.decide_role_grant")
    from recupera.core.models import RoleGrant

    if request.method == "POST":
        grant = RoleGrant.objects.filter(pk=request.POST.get("grant") or 0).first()
        if grant is None:
            messages.error(request, "La solicitud no existe.")
        else:
            approve = request.POST.get("decision") == "aprobar"
            try:
                accounts.role_grant_decide(actor=request.user, grant=grant, approve=approve,
                                           comment=request.POST.get("comment", ""))
            except accounts.AccountError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, (
                    f"Rol «{grant.role.name}» otorgado a {grant.user.get_username()}." if approve
                    else f"Solicitud del rol «{grant.role.name}» para {grant.user.get_username()} rechazada."))
        return redirect("role_grants")
    pending = list(RoleGrant.objects.filter(status=RoleGrant.Status.PENDING)
                   .select_related("user", "role", "requested_by").order_by("requested_at", "id"))
    decided = list(RoleGrant.objects.exclude(status=RoleGrant.Status.PENDING)
                   .select_related("user", "role", "requested_by", "decided_by")[:20])
    for grant in pending:
        grant.can_decide = request.user.has_perm("core.decide_role_grant", grant)
    return render(request, "core/role_grants.html", {"pending": pending, "decided": decided})


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Step two of signing in: a code from the authenticator app or a recovery code."""
    from django.contrib.auth import logout
    from django_otp import login as otp_login

    from recupera.core.otp import has_confirmed_totp, requires_otp

    user = request.user
    if not requires_otp(user) or user.is_verified():
        return redirect(safe_next_url(request, reverse("home")))
    if not has_confirmed_totp(user):
        return redirect("otp_enrol")
    error = ""
    status = 200
    if request.method == "POST":
        device = accounts.otp_verify(actor=user, user=user, token=request.POST.get("token", ""),
                                     ip=client_ip(request))
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            if device._meta.model_name == "staticdevice":
                messages.warning(request, "Usó un código de recuperación; cada uno sirve una sola "
                                          "vez. Pida a Administración TI nuevos códigos si se le acaban.")
            return redirect(safe_next_url(request, reverse("home")))
        if accounts.otp_failures_exceeded(user=user):
            logout(request)
            messages.error(request, "Demasiados códigos incorrectos. Por seguridad se cerró la "
                                    "sesión; vuelva a iniciarla.")
            return redirect("login")
        error = ("Código incorrecto o vencido. Escriba los 6 dígitos que muestra ahora su "
                 "aplicación de autenticación, o uno de sus códigos de recuperación.")
        status = 422
    return render(request, "core/otp_verify.html",
                  {"error": error, "next": safe_next_url(request, ""), "otp_pending": True},
                  status=status)


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of a user who needs a second factor: QR code, secret, confirmation code,
    then the recovery codes (shown once)."""
    from django_otp import login as otp_login

    from recupera.core.otp import has_confirmed_totp, requires_otp, totp_qr_svg, totp_secret_text

    user = request.user
    if not requires_otp(user):
        return redirect("home")
    if has_confirmed_totp(user):
        # Replacing a device needs the current one: IT resets a lost one (docs/security.md).
        return redirect("otp_verify")
    device = accounts.otp_enrol_start(actor=user, user=user)
    error = ""
    status = 200
    if request.method == "POST":
        codes = accounts.otp_enrol_confirm(actor=user, device=device,
                                           token="".join(request.POST.get("token", "").split()))
        if codes is not None:
            device.refresh_from_db()
            request.session.cycle_key()
            otp_login(request, device)
            return render(request, "core/otp_recovery_codes.html",
                          {"codes": codes, "next": safe_next_url(request, reverse("home"))})
        error = ("El código no coincide. Revise que la hora de su teléfono sea la correcta y "
                 "escriba los 6 dígitos que muestra ahora la aplicación.")
        status = 422
    return render(request, "core/otp_enrol.html", {
        "qr_svg": mark_safe(totp_qr_svg(device)),  # segno's own SVG markup, no user input
        "secret": totp_secret_text(device), "error": error, "next": safe_next_url(request, ""),
        "otp_pending": True,  # base.html: no menu or search box before the second step
    }, status=status)
