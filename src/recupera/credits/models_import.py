"""Import jobs: an uploaded set of files, its hash, its progress and its report.

Imported at the bottom of credits/models.py (so it belongs to the credits app and its
migrations). Written only by recupera.credits.importing.jobs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        PORTFOLIO = "cartera", _("Cartera")
        PAYMENTS = "pagos", _("Pagos")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "todo_o_nada", _("Todo o nada")
        PARTIAL = "parcial", _("Parcial")

    class Status(models.TextChoices):
        QUEUED = "en_espera", _("En espera")
        RUNNING = "en_proceso", _("En proceso")
        DONE = "terminada", _("Terminada")
        DONE_WITH_ERRORS = "con_errores", _("Terminada con errores")
        REJECTED = "rechazada", _("Rechazada: no se guardó nada")
        DUPLICATE = "duplicada", _("Ya importada antes: sin cambios")
        FAILED = "fallida", _("Interrumpida")

    FINISHED = (Status.DONE, Status.DONE_WITH_ERRORS, Status.REJECTED, Status.DUPLICATE, Status.FAILED)

    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices, default=Kind.PORTFOLIO)
    mode = models.CharField(_("modo"), max_length=12, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    status = models.CharField(_("estado"), max_length=12, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    sha256 = models.CharField(_("huella SHA-256 de los archivos"), max_length=64, db_index=True)
    as_of = models.DateField(_("fecha de corte"))
    duplicate_of = models.ForeignKey("self", verbose_name=_("igual a la importación"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(_("etapa"), max_length=80, blank=True)
    progress_done = models.PositiveIntegerField(_("avance"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    counts = models.JSONField(_("conteos"), default=dict, blank=True)
    report = models.JSONField(_("reporte"), default=list, blank=True,
                              help_text=_("Filas con problema: archivo, fila, columna, mensaje."))
    task_id = models.CharField(_("tarea"), max_length=64, blank=True)
    # Who runs it ("host:pid") and when it last reported progress: a killed job is told apart
    # from a running one by these (SQLite) or by its advisory lock (PostgreSQL); jobs.py.
    runner = models.CharField(_("proceso"), max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(_("último aviso"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("intentos"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("usuario"),
                                   null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)
    started_at = models.DateTimeField(_("inicio"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)

    class Meta:
        verbose_name = _("importación")
        verbose_name_plural = _("importaciones")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.progress_total:
            return 0
        return min(99, self.progress_done * 100 // self.progress_total)


def import_upload_to(instance: ImportJobFile, filename: str) -> str:
    return f"importaciones/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class ImportJobFile(models.Model):
    """One uploaded file of a job, kept as received, with its SHA-256."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(_("contenido"), max_length=20)  # personas | creditos | … | xlsx
    original_name = models.CharField(_("nombre del archivo"), max_length=200)
    file = models.FileField(_("archivo"), upload_to=import_upload_to, max_length=300)
    sha256 = models.CharField(_("huella SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("tamaño en bytes"))

    class Meta:
        verbose_name = _("archivo de importación")
        verbose_name_plural = _("archivos de importación")
        ordering = ["job", "id"]

    def __str__(self) -> str:
        return self.original_name
