"""The staff side of the portal, in the intranet (/cobranza/portal/): the requests debtors sent
from the portal, for the collector who attends them (or the supervisor), and their answers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from recupera.core.views import require_object_perm, require_perm
from recupera.portal import selectors, services
from recupera.portal.forms import AnswerForm
from recupera.portal.models import PortalRequest


def simulate_link(req: PortalRequest) -> str:
    """The staff simulator with the proposal form filled with what the debtor asked for."""
    from django.urls import reverse

    plan = req.plan or {}
    values = {"kind": plan.get("kind", ""), **{f"{c}_pct": v for c, v in (plan.get("percents") or {}).items()}}
    if plan.get("installments"):
        values.update(down_payment=plan.get("down_payment", ""), installments=plan["installments"])
    if plan.get("new_term_months"):
        values["new_term_months"] = plan["new_term_months"]
    return reverse("agreements:simulate", args=[req.credit.folio]) + "?" + urlencode(values)


def _nav(request: HttpRequest) -> dict[str, int]:
    """The collections sub-menu's counts (collections/_nav.html)."""
    from recupera.core.context_processors import navigation

    return {"unread": navigation(request)["unread_messages"],
            "portal_pending": selectors.requests_to_attend(user=request.user).count()}


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "portal.view_requests")
    status = request.GET.get("estado", PortalRequest.Status.PENDING)
    if status not in PortalRequest.Status.values:
        status = PortalRequest.Status.PENDING
    rows = list(selectors.requests_to_attend(user=request.user, status=status)[:200])
    for row in rows:
        row.simulate_link = simulate_link(row) if row.kind == PortalRequest.Kind.PLAN else ""
    return render(request, "portal/staff/requests.html", {"rows": rows, "status": status,
                                                          "statuses": PortalRequest.Status.choices,
                                                          **_nav(request)})


@login_required
@require_http_methods(["GET", "POST"])
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "portal.view_requests")
    req = get_object_or_404(PortalRequest.objects.select_related("credit", "person", "collector"), pk=pk)
    require_object_perm(request, "portal.attend_request", req)
    form = AnswerForm(request.POST or None, initial={"answer": req.answer})
    if request.method == "POST" and form.is_valid():
        try:
            services.request_answer(actor=request.user, portal_request=req, answer=form.cleaned_data["answer"],
                                    now=timezone.now())
        except services.PortalError as exc:
            form.add_error("answer", str(exc))
        else:
            messages.success(request, _("Respuesta guardada: la persona la verá en el portal."))
            return redirect("portal_staff:requests")
    simulate = simulate_link(req) if req.kind == PortalRequest.Kind.PLAN else ""
    return render(request, "portal/staff/answer.html", {"req": req, "form": form, "simulate_link": simulate,
                                                        **_nav(request)})
