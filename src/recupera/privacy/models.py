"""Data rights (ARCO requests), the versioned privacy notice and contact oppositions.

Every write goes through privacy/services.py (one transaction, an audit row). The legal rules
(deadlines in business days, retention) are described in docs/privacy.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class PrivacyNotice(models.Model):
    """One version of the aviso de privacidad. The version in force on a date is the one with
    the latest effective date on or before it (selectors.notice_in_force)."""

    version = models.CharField(_("versión"), max_length=20, unique=True)
    title = models.CharField(_("título"), max_length=120, default="Aviso de privacidad integral")
    text = models.TextField(_("texto"))
    effective_date = models.DateField(_("vigente desde"), unique=True)
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)
    created_by = models.ForeignKey(User, verbose_name=_("registró"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("aviso de privacidad")
        verbose_name_plural = _("avisos de privacidad")
        ordering = ["-effective_date"]

    def __str__(self) -> str:
        return f"{self.title} · versión {self.version}"


class NoticeShown(models.Model):
    """Which version of the notice a person was shown, when and where their data was captured."""

    class Context(models.TextChoices):
        PERSON_FORM = "alta_persona", _("Alta de persona")
        ARCO_PUBLIC = "arco_portal", _("Solicitud ARCO en el portal")
        ARCO_STAFF = "arco_ventanilla", _("Solicitud ARCO en ventanilla")

    person = models.ForeignKey("people.Person", verbose_name=_("persona"), on_delete=models.CASCADE,
                               related_name="notices_shown")
    notice = models.ForeignKey(PrivacyNotice, verbose_name=_("aviso"), on_delete=models.PROTECT,
                               related_name="shown")
    context = models.CharField(_("dónde"), max_length=16, choices=Context.choices)
    business_date = models.DateField(_("fecha de operación"))
    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True)
    recorded_by = models.ForeignKey(User, verbose_name=_("registró"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("aviso mostrado")
        verbose_name_plural = _("avisos mostrados")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="notice_shown_person")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.notice_id}"


class ArcoRequest(models.Model):
    """A request to exercise the rights of access, rectification, cancellation or opposition."""

    class Right(models.TextChoices):
        ACCESS = "acceso", _("Acceso")
        RECTIFICATION = "rectificacion", _("Rectificación")
        CANCELLATION = "cancelacion", _("Cancelación")
        OPPOSITION = "oposicion", _("Oposición")

    class Channel(models.TextChoices):
        STAFF = "ventanilla", _("Ventanilla (personal del Instituto)")
        PORTAL = "portal", _("Formulario público")

    class Status(models.TextChoices):
        RECEIVED = "recibida", _("Recibida: identidad por verificar")
        VERIFIED = "en_tramite", _("Identidad verificada: en trámite")
        ANSWERED = "respondida", _("Respondida: por hacer efectiva")
        DONE = "concluida", _("Concluida")
        DENIED = "improcedente", _("Improcedente")

    class IdDocument(models.TextChoices):
        INE = "ine", _("Credencial para votar (INE)")
        PASSPORT = "pasaporte", _("Pasaporte")
        PROFESSIONAL = "cedula", _("Cédula profesional")
        MILITARY = "cartilla", _("Cartilla del Servicio Militar")
        MIGRATION = "migratoria", _("Documento migratorio")
        OTHER = "otro", _("Otro documento oficial con fotografía")

    class Delivery(models.TextChoices):
        IN_PERSON = "ventanilla", _("En ventanilla, en persona")
        EMAIL = "correo", _("Por correo electrónico")
        MAIL = "correo_postal", _("Por correo postal certificado")

    OPEN_STATUSES = (Status.RECEIVED, Status.VERIFIED, Status.ANSWERED)

    folio = models.CharField(_("folio"), max_length=20, unique=True)
    right = models.CharField(_("derecho"), max_length=14, choices=Right.choices)
    channel = models.CharField(_("medio de recepción"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("estado"), max_length=12, choices=Status.choices,
                              default=Status.RECEIVED)
    # The requester, as written on the request (not yet verified).
    first_name = models.CharField(_("nombre"), max_length=80)
    last_name = models.CharField(_("primer apellido"), max_length=80)
    second_last_name = models.CharField(_("segundo apellido"), max_length=80, blank=True)
    curp = models.CharField(_("CURP"), max_length=18)
    email = models.EmailField(_("correo electrónico"), max_length=254, blank=True)
    phone = models.CharField(_("teléfono"), max_length=20, blank=True)
    representative = models.CharField(_("representante"), max_length=160, blank=True)
    description = models.TextField(_("descripción de la solicitud"), max_length=2000)
    opposed_channel = models.CharField(_("medio al que se opone"), max_length=18, blank=True)
    notice = models.ForeignKey(PrivacyNotice, verbose_name=_("aviso mostrado"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    # The person it is about: matched by CURP at registration, confirmed on verification.
    person = models.ForeignKey("people.Person", verbose_name=_("titular"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="arco_requests")
    # Deadlines (business days; see deadlines.py).
    received_on = models.DateField(_("recibida el"))
    due_on = models.DateField(_("responder a más tardar"))
    extended = models.BooleanField(_("plazo ampliado"), default=False)
    extension_reason = models.TextField(_("motivo de la ampliación"), blank=True)
    answered_on = models.DateField(_("respondida el"), null=True, blank=True)
    effective_due_on = models.DateField(_("hacer efectiva a más tardar"), null=True, blank=True)
    concluded_on = models.DateField(_("concluida el"), null=True, blank=True)
    # Identity verification.
    id_document = models.CharField(_("documento de identidad"), max_length=12, blank=True,
                                   choices=IdDocument.choices)
    id_document_number = models.CharField(_("número o folio del documento"), max_length=40,
                                          blank=True)
    id_notes = models.CharField(_("observaciones de la verificación"), max_length=300, blank=True)
    verified_by = models.ForeignKey(User, verbose_name=_("verificó la identidad"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("identidad verificada el"), null=True, blank=True)
    # The answer.
    granted = models.BooleanField(_("procedente"), null=True, blank=True)
    answer_text = models.TextField(_("respuesta"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(User, verbose_name=_("respondió"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # Access: the export, frozen when generated (what is delivered is what was generated).
    export_data = models.JSONField(_("exportación de datos"), null=True, blank=True)
    export_generated_at = models.DateTimeField(_("exportación generada el"), null=True, blank=True)
    delivery = models.CharField(_("entrega"), max_length=14, blank=True, choices=Delivery.choices)
    delivered_by = models.ForeignKey(User, verbose_name=_("entregó"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, verbose_name=_("registró"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)

    class Meta:
        verbose_name = _("solicitud ARCO")
        verbose_name_plural = _("solicitudes ARCO")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="arco_status_due")]
        constraints = [
            models.CheckConstraint(condition=Q(right__in=["acceso", "rectificacion", "cancelacion",
                                                          "oposicion"]), name="arco_right_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.folio} · {self.get_right_display()}"

    @property
    def requester_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name, self.second_last_name) if p)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def opposed_channel_label(self) -> str:
        if self.opposed_channel in ContactOpposition.Channel.values:
            return str(ContactOpposition.Channel(self.opposed_channel).label)
        return ""


class ContactOpposition(models.Model):
    """A person objects to being contacted through a channel; collections/conduct.py refuses it."""

    class Channel(models.TextChoices):
        # Values are collections' Action channels (collections/conduct.py).
        CALL = "llamada_saliente", _("Llamadas telefónicas")
        SMS = "sms", _("Mensajes SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")
        EMAIL = "correo", _("Correo electrónico")
        VISIT = "visita", _("Visitas domiciliarias")
        LETTER = "carta", _("Cartas")

    person = models.ForeignKey("people.Person", verbose_name=_("persona"), on_delete=models.CASCADE,
                               related_name="contact_oppositions")
    channel = models.CharField(_("medio"), max_length=18, choices=Channel.choices)
    since = models.DateField(_("desde"))
    request = models.ForeignKey(ArcoRequest, verbose_name=_("solicitud"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="oppositions")
    created_by = models.ForeignKey(User, verbose_name=_("registró"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("oposición a un medio de contacto")
        verbose_name_plural = _("oposiciones a medios de contacto")
        constraints = [models.UniqueConstraint(fields=["person", "channel"],
                                               name="opposition_person_channel")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.get_channel_display()}"
