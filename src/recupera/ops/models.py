"""Operational telemetry (not business data, so no audit rows): the task workers' heartbeats."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per supervised worker (`recupera worker`), keyed by host and supervisor pid.
    The running worker process rewrites `beat_at` every few seconds from a thread, also while
    a long task runs; the supervisor counts the restarts. `/salud/` reads the newest beat."""

    name = models.CharField(_("trabajador"), max_length=120, unique=True)
    pid = models.PositiveIntegerField(_("proceso"))
    started_at = models.DateTimeField(_("iniciado"))
    beat_at = models.DateTimeField(_("último latido"))
    restarts = models.PositiveIntegerField(_("reinicios"), default=0)
    last_exit = models.CharField(_("última salida"), max_length=120, blank=True)
    task_started_at = models.DateTimeField(_("tarea en curso desde"), null=True, blank=True)
    tasks_run = models.PositiveIntegerField(_("tareas ejecutadas"), default=0)

    class Meta:
        verbose_name = _("latido del trabajador")
        verbose_name_plural = _("latidos de los trabajadores")
        indexes = [models.Index(fields=["beat_at"], name="ops_heartbeat_beat_at")]

    def __str__(self) -> str:
        return self.name
