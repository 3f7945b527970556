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
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recupera.cob import selectors
from recupera.cob.models import CloseRun
from recupera.cob.services import close_date_limit
from recupera.cob.steps import STEP_LABELS
from recupera.core.services import business_date_get
from recupera.core.views import require_perm


class CloseForm(forms.Form):
    business_date = forms.DateField(label=gettext_lazy("Fecha de operación a cerrar"),
                                    widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
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
    current = business_date_get()
    proposed = close_date_limit(current)  # the next business date: the new operation date
    form = CloseForm(request.POST or None, initial={"business_date": proposed})
    if request.method == "POST":
        require_perm(request, "cob.run_close")
        if form.is_valid():
            from recupera.cob.tasks import run_close

            date: dt.date = form.cleaned_data["business_date"]
            run_close.enqueue(date.isoformat(), request.user.pk,
                              allow_date_jump=bool(form.cleaned_data.get("allow_date_jump")))
            messages.success(request, _("El cierre del {date} quedó en cola; aquí verá su avance.").format(
                date=date.strftime("%d/%m/%Y")))
            return redirect(f"{reverse('cob:runs')}?en_cola={date.isoformat()}")
    runs = list(selectors.close_runs_recent())
    # A close just queued has no run until the worker takes it: its row says so, and the table
    # refreshes itself while a close is queued or running.
    queued = _queued_date(request.GET.get("en_cola"))
    if queued is not None and any(run.business_date == queued for run in runs):
        queued = None
    waiting = queued is not None or any(run.status == CloseRun.Status.RUNNING for run in runs)
    return render(request, "cob/runs.html", {
        "runs": runs, "form": form, "can_run": can_run, "business_date": current, "proposed": proposed,
        "queued": queued, "waiting": waiting, "refresh_url": request.get_full_path()},
        status=422 if form.errors else 200)


def _queued_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


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
