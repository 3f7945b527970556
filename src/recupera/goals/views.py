"""Pages of the goals app (docs/goals.md): the collector's «Mi día» panel on the home page, the
Jefe's team dashboard and drill-down, the Subdirección's month, setting goals, the Excel export
and the scorecard PDF. Thin: parse, authorize (core/predicates.py), call selectors/services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from recupera.core.calendar import business_calendar
from recupera.core.services import business_date_get
from recupera.core.views import require_perm
from recupera.engine import goals as gm
from recupera.goals import charts, exports, selectors, services


def _month(request: HttpRequest, as_of: dt.date) -> dt.date:
    text = request.GET.get("mes") or request.POST.get("mes")
    if not text:
        return gm.month_start(as_of)
    try:
        month = services.parse_month(text)
    except ValidationError:
        raise Http404("mes inválido") from None
    if not dt.date(2000, 1, 1) <= month <= gm.month_start(as_of + dt.timedelta(days=400)):
        raise Http404("mes fuera de rango")
    return month


def _neighbours(month: dt.date) -> tuple[str, str]:
    prev = gm.month_start(month - dt.timedelta(days=1))
    nxt = gm.month_start(gm.month_end(month) + dt.timedelta(days=1))
    return prev.strftime("%Y-%m"), nxt.strftime("%Y-%m")


def _days(month: dt.date) -> list[dt.date]:
    return [month + dt.timedelta(days=i) for i in range((gm.month_end(month) - month).days + 1)]


# --- the collector's home ------------------------------------------------------------------------
def my_day(request: HttpRequest) -> dict[str, Any]:
    """The «Mi día» panel (core/home.py): the month's goal and progress, what is still needed
    per business day, today's promises and queue, deadlines at risk."""
    user = request.user
    as_of = business_date_get()
    month = gm.month_start(as_of)
    calendar = business_calendar()
    me = selectors.collector_month(user, month, calendar)
    remaining = gm.business_days(calendar, as_of + dt.timedelta(days=1), gm.month_end(month))
    work = selectors.productivity(month, [user.pk]).get(user.pk) or selectors.ProductivityTotals(user.pk)
    percent = me.percent
    return {
        "as_of": as_of, "month_label": selectors.month_name(month), "me": me, "percent": percent,
        "bar": min(percent or Decimal("0"), Decimal("100")),
        "remaining_days": remaining,
        "needed_per_day": gm.needed_per_day(me.goal, me.recovered, remaining),
        "queue": selectors.today_counts(user, as_of),
        "promises": selectors.promises_due(user, as_of),
        "work": work,
    }


# --- Jefe: team dashboard ------------------------------------------------------------------------
@login_required
def team(request: HttpRequest) -> HttpResponse:
    require_perm(request, "goals.view_team")
    as_of = business_date_get()
    month = _month(request, as_of)
    calendar = business_calendar()
    report = selectors.month_report(month, calendar, daily=True)
    work = selectors.productivity(month)
    days = _days(month)
    bdays = [d for d in days if calendar.is_business_day(d)]
    through = min(as_of, gm.month_end(month)) if month <= as_of else None
    shown_days = [d for d in days if through is None or d <= through]
    table = []
    for row in report.rows:
        w = work.get(row.collector.pk) or selectors.ProductivityTotals(row.collector.pk)
        table.append({"row": row, "work": w,
                      "spark": charts.data_uri(charts.sparkline(w.series("actions", shown_days)))})
    prev, nxt = _neighbours(month)
    return render(request, "goals/team.html", {
        "report": report, "month": month, "as_of": as_of, "table": table, "prev": prev, "next": nxt,
        "can_set": request.user.has_perm("goals.set_goals"),
        "bars": charts.data_uri(charts.goal_vs_recovered(
            [r.name for r in report.rows], [r.goal for r in report.rows],
            [r.recovered for r in report.rows])) if report.rows else None,
        "line": charts.data_uri(charts.cumulative(days, report.daily, report.goal, bdays, through=through)),
    })


@login_required
def payments(request: HttpRequest, collector_id: str) -> HttpResponse:
    """The exact entries attributed to a collector (or «sin gestor») in a month."""
    require_perm(request, "goals.view_team")
    as_of = business_date_get()
    month = _month(request, as_of)
    collector = None
    if collector_id != "sin":
        collector = get_user_model().objects.filter(pk=int(collector_id) if collector_id.isdigit() else 0).first()
        if collector is None:
            raise Http404("gestor")
    rows = selectors.recoveries(month, collector.pk if collector else None)
    total = sum((r.amount for r in rows), Decimal("0.00"))
    return render(request, "goals/payments.html", {
        "collector": collector, "month": month, "month_label": selectors.month_name(month),
        "rows": rows, "total": total, "mes": month.strftime("%Y-%m"),
    })


# --- Subdirección: the institute's month ---------------------------------------------------------
@login_required
def institute(request: HttpRequest) -> HttpResponse:
    require_perm(request, "goals.view_institute")
    as_of = business_date_get()
    month = _month(request, as_of)
    calendar = business_calendar()
    report = selectors.month_report(month, calendar)
    parts = selectors.institute_breakdown(month)
    trend = selectors.institute_trend(month, calendar)
    prev, nxt = _neighbours(month)
    return render(request, "goals/institute.html", {
        "report": report, "month": month, "as_of": as_of, "parts": parts, "prev": prev, "next": nxt,
        "trend_rows": [(selectors.month_name(m), g, r, gm.percent(r, g)) for m, g, r in trend],
        "trend": charts.data_uri(charts.trend([selectors.short_month(m) for m, _, _ in trend],
                                              [g for _, g, _ in trend], [r for _, _, r in trend])),
        "charts": {key: charts.data_uri(charts.breakdown([p[0] for p in rows], [p[1] for p in rows]))
                   for key, rows in parts.items() if rows},
    })


# --- setting goals ------------------------------------------------------------------------------
def _date_or_none(text: str | None, label: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        try:
            return dt.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            raise ValidationError({"periodo": f"{label}: «{text}» no es una fecha (use dd/mm/aaaa)."}) from None


@login_required
def goals_set(request: HttpRequest) -> HttpResponse:
    require_perm(request, "goals.set_goals")
    as_of = business_date_get()
    month = _month(request, as_of)
    people = selectors.collectors()
    existing = {g.collector_id: g for g in services.Goal.objects.filter(month=month)}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    institute_value = request.POST.get("institute") or (existing[None].amount if None in existing else "")
    if request.method == "POST" and request.POST.get("accion") == "proponer":
        try:
            proposal = services.distribution_propose(total=request.POST.get("institute") or "0",
                                                     method=request.POST.get("metodo", ""), collectors=people)
            values = {str(c.pk): share for c, _, share in proposal}
            messages.info(request, "Propuesta de reparto: revise y ajuste cada meta antes de guardar.")
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
    elif request.method == "POST":
        amounts, periods = {}, {}
        try:
            for c in people:
                raw = (request.POST.get(f"gestor_{c.pk}") or "").strip()
                if raw:
                    amounts[c.pk] = raw
                    label = c.get_full_name() or c.username
                    periods[c.pk] = (_date_or_none(request.POST.get(f"desde_{c.pk}"), label),
                                     _date_or_none(request.POST.get(f"hasta_{c.pk}"), label))
            n = services.goals_save(actor=request.user, month=month, business_date=as_of,
                                    institute_amount=request.POST.get("institute"),
                                    collector_amounts=amounts, reason=request.POST.get("motivo", ""),
                                    periods=periods)
            messages.success(request, f"Metas de {selectors.month_name(month)} guardadas ({n} cambios).")
            return redirect(f"{reverse('goals:set')}?mes={month:%Y-%m}")
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
        values = {k[len("gestor_"):]: v for k, v in request.POST.items() if k.startswith("gestor_")}
    rows = []
    for c in people:
        g = existing.get(c.pk)
        rows.append({"c": c, "value": values.get(str(c.pk), g.amount if g else ""),
                     "since": request.POST.get(f"desde_{c.pk}", g.active_from.strftime("%d/%m/%Y") if g and g.active_from else ""),
                     "until": request.POST.get(f"hasta_{c.pk}", g.active_to.strftime("%d/%m/%Y") if g and g.active_to else ""),
                     "error": errors.get(f"gestor_{c.pk}") or errors.get(f"periodo_{c.pk}")})
    problem = services.goal_edit_problem(month, as_of, "motivo suficiente")
    prev, nxt = _neighbours(month)
    return render(request, "goals/set.html", {
        "month": month, "month_label": selectors.month_name(month), "rows": rows, "institute": institute_value,
        "errors": [v for k, v in errors.items() if not k.startswith(("gestor_", "periodo_"))],
        "read_only": problem, "started": month <= as_of, "prev": prev, "next": nxt,
        "methods": services.DISTRIBUTION_METHODS.items(), "method": request.POST.get("metodo", "vencido"),
        "reason": request.POST.get("motivo", ""),
    }, status=422 if errors else 200)


# --- exports ------------------------------------------------------------------------------------
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    require_perm(request, "goals.view_team")
    month = _month(request, business_date_get())
    data = exports.month_workbook(month, business_calendar())
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="metas-{month:%Y-%m}.xlsx"'
    return response


@login_required
def scorecard_pdf(request: HttpRequest, collector_id: int) -> HttpResponse:
    collector = get_user_model().objects.filter(pk=collector_id).first()
    if collector is None:
        raise Http404("gestor")
    if collector != request.user:
        require_perm(request, "goals.view_team")
    else:
        require_perm(request, "goals.view_own")
    as_of = business_date_get()
    month = _month(request, as_of)
    from recupera.credits.pdf import PdfError, pdf_response

    try:
        pdf = exports.scorecard_pdf(collector, month, as_of, business_calendar())
    except PdfError as exc:
        messages.error(request, str(exc))
        return redirect("home")
    return pdf_response(pdf, filename=f"boleta-{collector.username}-{month:%Y-%m}.pdf")
