"""The portfolio import screen: upload the files, follow the job, read its report.

Thin views: authorize (`credits.import_portfolio`), validate the form, call the job services
(recupera.credits.importing.jobs), render. The import itself runs as a task.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recupera.core.services import business_date_get
from recupera.core.views import require_perm
from recupera.credits.importing.jobs import (
    XLSX_ROLE,
    import_job_create,
    import_job_enqueue,
    import_job_is_stale,
    import_job_resume,
)
from recupera.credits.importing.portfolio import CSV_NAMES, LAYOUT
from recupera.credits.importing.problems import ENTITIES
from recupera.credits.importing.sources import OLE_MAGIC, ZIP_MAGIC, limit
from recupera.credits.models_import import ImportJob

ENTITY_LABELS = {"personas": gettext_lazy("Personas"), "creditos": gettext_lazy("Créditos"),
                 "ministraciones": gettext_lazy("Ministraciones"), "pagos": gettext_lazy("Pagos")}


class PortfolioUploadForm(forms.Form):
    personas = forms.FileField(label="personas.csv", required=False)
    creditos = forms.FileField(label="creditos.csv", required=False)
    ministraciones = forms.FileField(label="ministraciones.csv", required=False)
    pagos = forms.FileField(label="pagos.csv", required=False)
    xlsx = forms.FileField(label=gettext_lazy("o un libro de Excel (.xlsx) con las cuatro hojas"),
                           required=False)
    mode = forms.ChoiceField(
        label=gettext_lazy("Si algún renglón tiene errores"), widget=forms.RadioSelect,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
        choices=[(ImportJob.Mode.ALL_OR_NOTHING, gettext_lazy("Todo o nada: no guardar nada")),
                 (ImportJob.Mode.PARTIAL, gettext_lazy("Parcial: guardar los créditos sin errores"))])

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in LAYOUT:
            self.fields[name].widget.attrs["accept"] = ".csv,text/csv"
        self.fields["xlsx"].widget.attrs["accept"] = ".xlsx"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [name for name in LAYOUT if data.get(name)]
        xlsx = data.get("xlsx")
        for name in [*given, *(["xlsx"] if xlsx else [])]:
            upload = data[name]
            max_bytes = limit("PORTFOLIO_IMPORT_MAX_XLSX_BYTES" if name == "xlsx" else "PORTFOLIO_IMPORT_MAX_CSV_BYTES")
            if upload.size > max_bytes:
                self.add_error(name, _("El archivo pesa más de %(mb)s MB, el máximo; divídalo en partes.")
                               % {"mb": max_bytes // 2**20})
                continue
            start = upload.read(4)
            upload.seek(0)
            if name == "xlsx" and start != ZIP_MAGIC:
                self.add_error(name, _("El archivo no es un libro de Excel .xlsx (¿es un .xls antiguo o un "
                                       "CSV con la extensión cambiada?)."))
            elif name != "xlsx" and start[:4] in (ZIP_MAGIC, OLE_MAGIC):
                self.add_error(name, _("El archivo es un libro de Excel, no un CSV; súbalo en el campo del "
                                       "libro o guárdelo como «CSV UTF-8 (delimitado por comas)»."))
        if xlsx:
            if given:
                raise forms.ValidationError(_("Suba los cuatro archivos CSV o un libro .xlsx, no ambos."))
            if data.get("xlsx") is not None and Path(xlsx.name).suffix.lower() != ".xlsx":
                self.add_error("xlsx", _("El libro debe ser un archivo .xlsx."))
        elif len(given) < len(LAYOUT):
            missing = [CSV_NAMES[name] for name in LAYOUT if name not in given]
            raise forms.ValidationError(_("Faltan archivos: %(files)s. Suba los cuatro archivos CSV o un "
                                          "libro .xlsx.") % {"files": ", ".join(missing)})
        else:
            for name in given:
                upload = data.get(name)  # gone when an error above was added to the field
                if upload is not None and Path(upload.name).suffix.lower() != ".csv":
                    self.add_error(name, _("Debe ser un archivo .csv (el contenido de %(file)s).")
                                   % {"file": CSV_NAMES[name]})
        return data

    def uploads(self) -> dict[str, Any]:
        if self.cleaned_data.get("xlsx"):
            return {XLSX_ROLE: self.cleaned_data["xlsx"]}
        return {name: self.cleaned_data[name] for name in LAYOUT}


def upload_too_large(request: HttpRequest) -> bool:
    """The request body announces more than four CSV files at their limit: refused before
    Django writes the upload to disk."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    most = 4 * limit("PORTFOLIO_IMPORT_MAX_CSV_BYTES") + 16 * 1024  # + the multipart envelope
    return length > max(most, limit("PORTFOLIO_IMPORT_MAX_XLSX_BYTES"))


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    require_perm(request, "credits.import_portfolio")
    if request.method == "POST" and upload_too_large(request):
        refusal = _("Los archivos pesan más de lo permitido (%(mb)s MB por archivo CSV, %(xmb)s MB el "
                    "libro de Excel); divídalos en partes.") % {
            "mb": limit("PORTFOLIO_IMPORT_MAX_CSV_BYTES") // 2**20,
            "xmb": limit("PORTFOLIO_IMPORT_MAX_XLSX_BYTES") // 2**20}
        return render(request, "credits/import/upload.html", {
            "form": PortfolioUploadForm(), "refusal": refusal, "jobs": [], "layout": LAYOUT,
            "business_date": business_date_get()}, status=413)
    form = PortfolioUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(actor=request.user, mode=form.cleaned_data["mode"],
                                as_of=business_date_get(), uploads=form.uploads())
        import_job_enqueue(job=job)
        return redirect("credits:import_status", pk=job.pk)
    jobs = (ImportJob.objects.filter(kind=ImportJob.Kind.PORTFOLIO)
            .select_related("created_by").order_by("-created_at", "-id")[:20])
    return render(request, "credits/import/upload.html", {
        "form": form, "jobs": jobs, "layout": LAYOUT, "business_date": business_date_get()})


def _status_context(job: ImportJob) -> dict[str, Any]:
    counts = [(ENTITY_LABELS[e], job.counts.get(e, {})) for e in ENTITIES] if job.counts else []
    stale = import_job_is_stale(job)  # a query only for a job "en proceso"
    return {"job": job, "counts": counts, "stale": stale,
            "resumable": stale or job.status == ImportJob.Status.FAILED}


@login_required
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: queue an interrupted job again (jobs.import_job_resume); its page shows the bar."""
    require_perm(request, "credits.import_portfolio")
    if request.method != "POST":
        return redirect("credits:import_status", pk=pk)
    job = get_object_or_404(ImportJob, pk=pk, kind=ImportJob.Kind.PORTFOLIO)
    try:
        job = import_job_resume(actor=request.user, job_id=job.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        transaction.on_commit(lambda: import_job_enqueue(job=job))
        messages.success(request, _("La importación núm. %(n)s se reanudó; lo que ya se había guardado se "
                                    "reconoce y no se duplica.") % {"n": job.pk})
    return redirect("credits:import_status", pk=pk)


@login_required
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "credits.import_portfolio")
    job = get_object_or_404(ImportJob.objects.select_related("created_by", "duplicate_of"), pk=pk)
    return render(request, "credits/import/status.html", {**_status_context(job),
                                                          "files": job.files.all()})


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment htmx polls every second; once the job is finished it stops polling."""
    require_perm(request, "credits.import_portfolio")
    job = get_object_or_404(ImportJob.objects.select_related("duplicate_of"), pk=pk)
    return render(request, "credits/import/_progress.html", _status_context(job))
