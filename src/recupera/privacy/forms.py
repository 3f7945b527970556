"""Forms of the privacy app. They check shape only; the services validate and their errors land
on the fields (apply_errors)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from recupera.privacy.models import ArcoRequest, ContactOpposition

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            target = key if key in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ArcoRequestForm(forms.Form):
    right = forms.ChoiceField(label=_("Derecho que desea ejercer"), choices=ArcoRequest.Right.choices,
                              widget=forms.RadioSelect)
    first_name = forms.CharField(label=_("Nombre(s)"), max_length=80)
    last_name = forms.CharField(label=_("Primer apellido"), max_length=80)
    second_last_name = forms.CharField(label=_("Segundo apellido"), max_length=80, required=False)
    curp = forms.CharField(label=_("CURP"), max_length=18,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono",
                                                         "autocapitalize": "characters"}))
    email = forms.CharField(label=_("Correo electrónico"), max_length=254, required=False,
                            help_text=_("Escriba un correo o un teléfono para recibir la respuesta."))
    phone = forms.CharField(label=_("Teléfono"), max_length=20, required=False)
    representative = forms.CharField(label=_("Representante (si lo hay)"), max_length=160,
                                     required=False)
    opposed_channel = forms.ChoiceField(
        label=_("Medio de contacto al que se opone (solo oposición)"), required=False,
        choices=[("", "—"), *ContactOpposition.Channel.choices])
    description = forms.CharField(label=_("Describa su solicitud"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("Qué datos desea conocer, corregir, cancelar o a qué "
                                              "tratamiento se opone."))
    accept_notice = forms.BooleanField(label=_("Leí el aviso de privacidad"), required=True,
                                       error_messages={"required": _(
                                           "Confirme que leyó el aviso de privacidad.")})


class VerifyIdentityForm(forms.Form):
    id_document = forms.ChoiceField(label=_("Documento de identidad presentado"),
                                    choices=[("", "—"), *ArcoRequest.IdDocument.choices])
    id_document_number = forms.CharField(label=_("Número o folio del documento"), max_length=40,
                                         required=False)
    id_notes = forms.CharField(label=_("Observaciones"), max_length=300, required=False)


class ExtendForm(forms.Form):
    reason = forms.CharField(label=_("Motivo de la ampliación"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    granted = forms.TypedChoiceField(label=_("Sentido de la respuesta"), coerce=lambda v: v == "1",
                                     choices=[("1", _("Procedente")), ("0", _("Improcedente"))])
    answer_text = forms.CharField(label=_("Respuesta al titular"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class DeliverForm(forms.Form):
    delivery = forms.ChoiceField(label=_("Medio de entrega"), choices=ArcoRequest.Delivery.choices)


class OpposeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Medio de contacto"),
                                choices=[("", "—"), *ContactOpposition.Channel.choices])


class RectifyForm(forms.Form):
    IDENTITY = ("first_name", "last_name", "second_last_name", "rfc", "curp")
    ADDRESS = ("street", "number", "neighborhood", "municipality_name", "postal_code")

    first_name = forms.CharField(label=_("Nombre(s)"), max_length=80, required=False)
    last_name = forms.CharField(label=_("Primer apellido"), max_length=80, required=False)
    second_last_name = forms.CharField(label=_("Segundo apellido"), max_length=80, required=False)
    rfc = forms.CharField(label=_("RFC"), max_length=13, required=False)
    curp = forms.CharField(label=_("CURP"), max_length=18, required=False)
    remove_contacts = forms.MultipleChoiceField(
        label=_("Medios de contacto que ya no son válidos (se dan de baja)"), required=False,
        widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label=_("Teléfono correcto (nuevo)"), max_length=30, required=False)
    email = forms.CharField(label=_("Correo correcto (nuevo)"), max_length=120, required=False)
    street = forms.CharField(label=_("Domicilio correcto: calle"), max_length=120, required=False)
    number = forms.CharField(label=_("Número"), max_length=20, required=False)
    neighborhood = forms.CharField(label=_("Colonia"), max_length=80, required=False)
    municipality_name = forms.CharField(label=_("Municipio"), max_length=80, required=False)
    postal_code = forms.CharField(label=_("Código postal"), max_length=5, required=False)

    def __init__(self, *args, contact_points=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["remove_contacts"].choices = [
            (str(point.pk), f"{point.get_kind_display()}: {point.value}") for point in contact_points]

    def changes(self) -> dict:  # type: ignore[type-arg]
        """What the officer asked to rectify, in the shape privacy.services.arco_rectify takes."""
        data = self.cleaned_data
        changes = {name: data[name] for name in self.IDENTITY if name in self.changed_data}
        changes["remove_contacts"] = [int(pk) for pk in data.get("remove_contacts") or []]
        changes["phone"] = data.get("phone", "")
        changes["email"] = data.get("email", "")
        changes["address"] = {name: data.get(name, "") for name in self.ADDRESS}
        return changes


class NoticeForm(forms.Form):
    version = forms.CharField(label=_("Versión"), max_length=20)
    title = forms.CharField(label=_("Título"), max_length=120, initial="Aviso de privacidad integral")
    effective_date = forms.DateField(label=_("Vigente desde"), widget=DATE_WIDGET,
                                     input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    text = forms.CharField(label=_("Texto del aviso"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 12}))
