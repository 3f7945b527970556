"""Staff forms. They check shape only; the services validate and their errors land on fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from recupera.people.models import SONORA, STATE_CHOICES, ContactPoint, Municipality
from recupera.people.services import FIELD_NAMES

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's {field: [messages]} on the form's fields (or on top when not shown)."""
    for key, messages in exc.message_dict.items():
        name = FIELD_NAMES.get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class IdentityForm(forms.Form):
    curp = forms.CharField(label=_("CURP"), max_length=18, min_length=18,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono",
                                                         "autocapitalize": "characters"}))
    first_name = forms.CharField(label=_("Nombre(s)"), max_length=80)
    last_name = forms.CharField(label=_("Primer apellido"), max_length=80)
    second_last_name = forms.CharField(label=_("Segundo apellido"), max_length=80, required=False)
    rfc = forms.CharField(label=_("RFC"), max_length=13, required=False,
                          help_text=_("Opcional. Si el dígito verificador no cuadra se guarda con "
                                      "un aviso."),
                          widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono",
                                                        "autocapitalize": "characters"}))
    birth_date = forms.DateField(label=_("Fecha de nacimiento"), required=False, widget=DATE_WIDGET,
                                 input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                 help_text=_("Opcional; se toma de la CURP si se deja vacía."))


class AddressFields(forms.Form):
    street = forms.CharField(label=_("Calle"), max_length=120, required=False)
    number = forms.CharField(label=_("Número"), max_length=20, required=False)
    neighborhood = forms.CharField(label=_("Colonia"), max_length=120, required=False)
    state = forms.ChoiceField(label=_("Estado"), choices=STATE_CHOICES, initial=SONORA)
    municipality = forms.ModelChoiceField(
        label=_("Municipio (Sonora)"), queryset=Municipality.objects.order_by("name"),
        required=False, empty_label=_("— Elija —"))
    municipality_name = forms.CharField(label=_("Municipio (fuera de Sonora)"), max_length=80,
                                        required=False)
    postal_code = forms.RegexField(label=_("Código postal"), regex=r"^\d{5}$", required=False,
                                   error_messages={"invalid": _("El código postal debe tener 5 "
                                                                "dígitos.")},
                                   widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                 "maxlength": "5"}))

    def address_data(self) -> dict[str, object] | None:
        data = {name: self.cleaned_data.get(name) for name in
                ("street", "number", "neighborhood", "municipality", "municipality_name",
                 "postal_code")}
        if not any(data.values()):
            return None
        data["state"] = self.cleaned_data.get("state") or SONORA
        return data


class PersonCreateForm(IdentityForm, AddressFields):
    phone = forms.CharField(label=_("Teléfono"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
                            help_text=_("10 dígitos, por ejemplo 662 123 4567."))
    email = forms.CharField(label=_("Correo electrónico"), max_length=254, required=False,
                            widget=forms.EmailInput())

    field_order = ["curp", "first_name", "last_name", "second_last_name", "rfc", "birth_date",
                   "phone", "email", "street", "number", "neighborhood", "state", "municipality",
                   "municipality_name", "postal_code"]

    def __init__(self, *args, notice=None, **kwargs):  # type: ignore[no-untyped-def]
        """`notice`: the privacy notice in force (privacy app); the collector confirms it was
        shown to the person, and the version is recorded with the new person."""
        super().__init__(*args, **kwargs)
        if notice is not None:
            self.fields["notice_shown"] = forms.BooleanField(
                label=_("Se mostró a la persona el aviso de privacidad (versión %(v)s)")
                % {"v": notice.version}, required=True,
                error_messages={"required": _("Confirme que mostró el aviso de privacidad a la "
                                              "persona antes de capturar sus datos.")})


class PersonEditForm(IdentityForm):
    pass


class AddressForm(AddressFields):
    pass


class ContactPointForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo"), choices=ContactPoint.Kind.choices,
                             widget=forms.RadioSelect, initial=ContactPoint.Kind.PHONE)
    value = forms.CharField(label=_("Teléfono o correo"), max_length=254)
    label = forms.ChoiceField(label=_("Etiqueta"), choices=ContactPoint.Label.choices)
    is_primary = forms.BooleanField(label=_("Hacerlo el principal"), required=False)


def apply_contact_errors(form: ContactPointForm, exc: ValidationError) -> None:
    """telefono/correo errors belong to the value field of the contact form."""
    for key, messages in exc.message_dict.items():
        target = {"telefono": "value", "correo": "value", "tipo": "kind", "etiqueta": "label"}.get(key)
        for message in messages:
            form.add_error(target, message)
