"""The Cierre diario pages: runs, a run's steps with timings and a progress bar (htmx polls
the fragment while the run is in progress), and the form that starts a close as a task."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recupera.cob import selectors
from recupera.cob.models import CloseRun
from recupera.cob.steps import STEP_LABELS
from recupera.core.services import business_date_get
from recupera.core.views import require_perm


class CloseForm(forms.Form):
    business_date = forms.DateField(label=gettext_lazy("Fecha de operación a cerrar"),
                                    widget=forms.DateInput(attrs={"type": "date"}))
    allow_date_jump = forms.BooleanField(
        label=gettext_lazy("Autorizo cerrar una fecha más de un día hábil después de la fecha de "
                           "operación (queda en la bitácora de auditoría)"), required=False)

    def clean(self) -> dict[str, Any]:
        from recupera.cob.services import close_date_problem

        data = super().clean() or {}
        date = data.get("business_date")
        if date is not None and not data.get("allow_date_jump"):
            problem = close_date_problem(date)
            if problem:
                self.add_error("business_date", problem)
        return data


def _run_context(run: CloseRun) -> dict[str, Any]:
    steps = selectors.close_run_steps(run)
    done = sum(1 for s in steps if s.status in ("terminado", "omitido"))
    rows = [(s, STEP_LABELS.get(s.name, s.name)) for s in steps]
    return {"run": run, "steps": rows, "done": done, "total": len(steps),
            "percent": int(100 * done / len(steps)) if steps else 0}


@login_required
def close_runs(request: HttpRequest) -> HttpResponse:
    require_perm(request, "cob.view_close")
    can_run = request.user.has_perm("cob.run_close")
    initial = {"business_date": timezone.localdate()}
    form = CloseForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_perm(request, "cob.run_close")
        if form.is_valid():
            from recupera.cob.tasks import run_close

            date: dt.date = form.cleaned_data["business_date"]
            run_close.enqueue(date.isoformat(), request.user.pk,
                              allow_date_jump=bool(form.cleaned_data.get("allow_date_jump")))
            messages.success(request, _("El cierre del {date} quedó en cola; aquí verá su avance.").format(
                date=date.strftime("%d/%m/%Y")))
            return redirect("cob:runs")
    return render(request, "cob/runs.html", {
        "runs": selectors.close_runs_recent(), "form": form, "can_run": can_run,
        "business_date": business_date_get()}, status=422 if form.errors else 200)


@login_required
def close_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "cob.view_close")
    run = get_object_or_404(CloseRun.objects.select_related("started_by"), pk=pk)
    snapshot = selectors.portfolio_snapshot(run.business_date)
    return render(request, "cob/run_detail.html", {
        **_run_context(run), "snapshot": snapshot, "snapshot_totals": selectors.snapshot_totals(snapshot)})


@login_required
def close_run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "cob.view_close")
    run = get_object_or_404(CloseRun, pk=pk)
    return render(request, "cob/_progress.html", _run_context(run))
