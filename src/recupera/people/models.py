"""Persons, their contact points and addresses, and the Sonora municipalities catalog.

Every write goes through people/services.py (validation, audit row); these models keep the
data and the invariants the database can hold.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SONORA = "Sonora"

# The 32 federal entities (name as written in addresses, CURP state code).
MEXICAN_STATES: tuple[tuple[str, str], ...] = (
    ("Aguascalientes", "AS"),
    ("Baja California", "BC"),
    ("Baja California Sur", "BS"),
    ("Campeche", "CC"),
    ("Coahuila", "CL"),
    ("Colima", "CM"),
    ("Chiapas", "CS"),
    ("Chihuahua", "CH"),
    ("Ciudad de México", "DF"),
    ("Durango", "DG"),
    ("Guanajuato", "GT"),
    ("Guerrero", "GR"),
    ("Hidalgo", "HG"),
    ("Jalisco", "JC"),
    ("Estado de México", "MC"),
    ("Michoacán", "MN"),
    ("Morelos", "MS"),
    ("Nayarit", "NT"),
    ("Nuevo León", "NL"),
    ("Oaxaca", "OC"),
    ("Puebla", "PL"),
    ("Querétaro", "QT"),
    ("Quintana Roo", "QR"),
    ("San Luis Potosí", "SP"),
    ("Sinaloa", "SL"),
    ("Sonora", "SR"),
    ("Tabasco", "TC"),
    ("Tamaulipas", "TS"),
    ("Tlaxcala", "TL"),
    ("Veracruz", "VZ"),
    ("Yucatán", "YN"),
    ("Zacatecas", "ZS"),
)
STATE_CHOICES = [(name, name) for name, _code in MEXICAN_STATES]


class Municipality(models.Model):
    """One of Sonora's 72 municipalities (INEGI catalog, loaded by a data migration)."""

    inegi_code = models.CharField(_("clave INEGI"), max_length=3, unique=True)
    name = models.CharField(_("nombre"), max_length=80, unique=True)
    latitude = models.DecimalField(_("latitud de la cabecera"), max_digits=7, decimal_places=4)
    longitude = models.DecimalField(_("longitud de la cabecera"), max_digits=8, decimal_places=4)
    population = models.PositiveIntegerField(_("población (censo 2020)"), default=0)
    region = models.CharField(_("región"), max_length=40, db_index=True)

    class Meta:
        verbose_name = _("municipio")
        verbose_name_plural = _("municipios")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Anyone in the system. Borrower, guarantor and reference are roles on a credit."""

    class Sex(models.TextChoices):
        MAN = "H", _("Hombre")
        WOMAN = "M", _("Mujer")

    curp = models.CharField(_("CURP"), max_length=18, unique=True)
    rfc = models.CharField(_("RFC"), max_length=13, blank=True)
    first_name = models.CharField(_("nombre"), max_length=80)
    last_name = models.CharField(_("primer apellido"), max_length=80)
    second_last_name = models.CharField(_("segundo apellido"), max_length=80, blank=True)
    birth_date = models.DateField(_("fecha de nacimiento"), null=True, blank=True)
    sex = models.CharField(_("sexo"), max_length=1, choices=Sex.choices)
    # "NOMBRE APELLIDO1 APELLIDO2" without accents; kept by the services; the name search reads it.
    search_name = models.CharField(_("nombre para búsqueda"), max_length=245, db_index=True,
                                   editable=False)
    # Blocking before deletion (docs/domain.md §7): kept, but no longer used for collection.
    data_blocked = models.BooleanField(_("datos bloqueados"), default=False)
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)
    updated_at = models.DateTimeField(_("última modificación"), auto_now=True)

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["last_name", "second_last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "second_last_name", "first_name"],
                         name="person_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.curp})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name, self.second_last_name) if p)


class ContactPoint(models.Model):
    """A phone or e-mail on file. Only contact points on file may be used (docs/domain.md §5)."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Teléfono")
        EMAIL = "email", _("Correo electrónico")

    class Label(models.TextChoices):
        MOBILE = "celular", _("Celular")
        HOME = "casa", _("Casa")
        WORK = "trabajo", _("Trabajo")
        OTHER = "otro", _("Otro")

    person = models.ForeignKey(Person, verbose_name=_("persona"), on_delete=models.CASCADE,
                               related_name="contact_points")
    kind = models.CharField(_("tipo"), max_length=5, choices=Kind.choices)
    # Phones in E.164 (+526621234567); e-mails in lower case.
    value = models.CharField(_("valor"), max_length=254)
    # Phones: the last 10 digits, so a search by phone is one indexed lookup.
    digits = models.CharField(_("dígitos"), max_length=10, blank=True, db_index=True, editable=False)
    label = models.CharField(_("etiqueta"), max_length=8, choices=Label.choices, default=Label.MOBILE)
    is_primary = models.BooleanField(_("principal"), default=False)
    active = models.BooleanField(_("vigente"), default=True)
    source = models.CharField(_("origen"), max_length=40, default="captura")
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)

    class Meta:
        verbose_name = _("medio de contacto")
        verbose_name_plural = _("medios de contacto")
        ordering = ["kind", "-is_primary", "-active", "id"]
        indexes = [models.Index(fields=["person", "kind"], name="contact_person_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["phone", "email"]), name="contact_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.value


class Address(models.Model):
    """A postal address. Only one is current; earlier ones are kept for history."""

    person = models.ForeignKey(Person, verbose_name=_("persona"), on_delete=models.CASCADE,
                               related_name="addresses")
    street = models.CharField(_("calle"), max_length=120, blank=True)
    number = models.CharField(_("número"), max_length=20, blank=True)
    neighborhood = models.CharField(_("colonia"), max_length=120, blank=True)
    # Sonora: a catalog municipality (municipality_name repeats its name for display and search).
    # Elsewhere: municipality is null and municipality_name is free text.
    municipality = models.ForeignKey(Municipality, verbose_name=_("municipio"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="addresses")
    municipality_name = models.CharField(_("municipio (texto)"), max_length=80, blank=True)
    state = models.CharField(_("estado"), max_length=40, choices=STATE_CHOICES, default=SONORA)
    postal_code = models.CharField(_("código postal"), max_length=5, blank=True)
    is_current = models.BooleanField(_("vigente"), default=True)
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)

    class Meta:
        verbose_name = _("domicilio")
        verbose_name_plural = _("domicilios")
        ordering = ["-is_current", "-created_at", "-id"]
        indexes = [models.Index(fields=["person", "is_current"], name="address_person_current")]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(is_current=True),
                                    name="address_one_current_per_person"),
            models.CheckConstraint(
                condition=~Q(state=SONORA) | Q(municipality__isnull=False),
                name="address_sonora_needs_municipality"),
        ]

    def __str__(self) -> str:
        parts = [f"{self.street} {self.number}".strip(), self.neighborhood,
                 self.municipality_name, self.state]
        text = ", ".join(p for p in parts if p)
        return f"{text} C.P. {self.postal_code}" if self.postal_code else text

    @property
    def latitude(self):  # type: ignore[no-untyped-def]
        return self.municipality.latitude if self.municipality_id else None

    @property
    def longitude(self):  # type: ignore[no-untyped-def]
        return self.municipality.longitude if self.municipality_id else None


class PersonViewLog(models.Model):
    """Who was shown whose personal data, what and when (docs/data-access.md; core/dataaccess.py).

    One row per person and view; the username is kept as it was when the row was written."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("usuario"), null=True,
                             on_delete=models.PROTECT, related_name="+")
    username = models.CharField(_("usuario (al consultar)"), max_length=150, blank=True,
                                default="", db_default="")
    person = models.ForeignKey(Person, verbose_name=_("persona"), on_delete=models.CASCADE,
                               related_name="view_logs")
    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True)
    what = models.CharField(_("consulta"), max_length=40, blank=True, default="",
                            db_default="persona.ficha")
    fields = models.CharField(_("datos mostrados"), max_length=200, blank=True, default="",
                              db_default="")

    class Meta:
        verbose_name = _("consulta de datos personales")
        verbose_name_plural = _("bitácora de consultas de datos personales")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "-at"], name="viewlog_person_at"),
            models.Index(fields=["user", "-at"], name="viewlog_user_at"),
            models.Index(fields=["-at"], name="viewlog_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username or self.user_id} → {self.person_id}"

    @property
    def what_label(self) -> str:
        from recupera.core.dataaccess import WHAT

        return str(WHAT.get(self.what, self.what))
