"""The debtors' portal: one-time sign-in codes, the sign-in log that the rate limits count, and
the requests a debtor sends from the portal (a plan to review, a call back, a question)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class SignInCode(models.Model):
    """A one-time code sent to a contact point on file. Only its keyed hash is stored."""

    person = models.ForeignKey("people.Person", verbose_name=_("persona"), on_delete=models.CASCADE,
                               related_name="+")
    contact_point = models.ForeignKey("people.ContactPoint", verbose_name=_("enviado a"),
                                      on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(_("huella del código"), max_length=64)
    created_at = models.DateTimeField(_("enviado"), db_index=True)
    expires_at = models.DateTimeField(_("vence"))
    failed_attempts = models.PositiveSmallIntegerField(_("intentos fallidos"), default=0)
    used_at = models.DateTimeField(_("usado"), null=True, blank=True)

    class Meta:
        verbose_name = _("código de acceso al portal")
        verbose_name_plural = _("códigos de acceso al portal")

    def __str__(self) -> str:
        return f"{self.person_id}@{self.created_at:%Y-%m-%d %H:%M}"


class SignInEvent(models.Model):
    """One step of a portal sign-in, by IP and (when known) person: what the rate limits and the
    lockout count. The person is never shown to the visitor."""

    class Kind(models.TextChoices):
        CODE_REQUESTED = "solicitud", _("Solicitud de código")
        CODE_SENT = "enviado", _("Código enviado")
        CODE_FAILED = "fallido", _("Código incorrecto")
        SIGNED_IN = "entrada", _("Entrada")
        SIGNED_OUT = "salida", _("Salida")
        REFUSED = "rechazo", _("Rechazado por límite o bloqueo")

    at = models.DateTimeField(_("fecha y hora"), db_index=True)
    ip = models.GenericIPAddressField(_("dirección IP"), null=True, blank=True)
    person = models.ForeignKey("people.Person", verbose_name=_("persona"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    detail = models.CharField(_("detalle"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("evento de acceso al portal")
        verbose_name_plural = _("eventos de acceso al portal")
        indexes = [models.Index(fields=["ip", "at"], name="portal_event_ip_at"),
                   models.Index(fields=["person", "at"], name="portal_event_person_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PortalRequest(models.Model):
    """What a debtor asks from the portal; the assigned collector (or the supervisors when the
    credit has none) attends it from «Solicitudes del portal» in the workbench."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Solicitud de convenio")
        CALLBACK = "llamada", _("Pide que le llamen")
        QUESTION = "pregunta", _("Pregunta")

    class Status(models.TextChoices):
        PENDING = "pendiente", _("Pendiente")
        ANSWERED = "atendida", _("Atendida")

    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    person = models.ForeignKey("people.Person", verbose_name=_("persona"), on_delete=models.PROTECT,
                               related_name="portal_requests")
    credit = models.ForeignKey("credits.Credit", verbose_name=_("crédito"), on_delete=models.PROTECT,
                               related_name="portal_requests")
    case = models.ForeignKey("collections.Case", verbose_name=_("caso"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    collector = models.ForeignKey(User, verbose_name=_("gestor"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recibida"))
    business_date = models.DateField(_("fecha de operación"))
    # plan: the option as the engine figured it on business_date (money as strings)
    plan = models.JSONField(_("plan solicitado"), default=dict, blank=True)
    call_at = models.DateTimeField(_("llamar a partir de"), null=True, blank=True)
    phone = models.CharField(_("teléfono"), max_length=20, blank=True)
    text = models.TextField(_("mensaje"), blank=True)
    message = models.ForeignKey("collections.Message", verbose_name=_("recado"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    answer = models.TextField(_("respuesta"), blank=True)
    answered_by = models.ForeignKey(User, verbose_name=_("atendió"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("atendida el"), null=True, blank=True)

    class Meta:
        verbose_name = _("solicitud del portal")
        verbose_name_plural = _("solicitudes del portal")
        indexes = [models.Index(fields=["collector", "status"], name="portal_request_inbox"),
                   models.Index(fields=["person", "created_at"], name="portal_request_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.credit_id}"
