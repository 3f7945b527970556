"""Forms of the custody app. They check shape only; the services validate, and their errors are
shown on the form (apply_errors)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from recupera.core.roles import Role
from recupera.custody import documents
from recupera.custody.models import HolderKind, Item, Location

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ShelfChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.code} · {obj.name}"


def shelf_field(label: str, *, required: bool = True, help_text: str = "") -> ShelfChoiceField:
    return ShelfChoiceField(
        label=label, required=required, help_text=help_text, empty_label="—",
        queryset=Location.objects.filter(kind__in=Location.HOLDS_ITEMS, active=True).order_by("code"))


class CollectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:  # type: ignore[no-untyped-def]
        return obj.get_full_name() or obj.get_username()


class CheckOutForm(forms.Form):
    holder_kind = forms.ChoiceField(label=_("Se entrega a"), choices=HolderKind.choices)
    holder_user = CollectorChoiceField(
        label=_("Gestor"), required=False, empty_label="—",
        queryset=get_user_model().objects.filter(groups__name=Role.COLLECTOR.value, is_active=True)
        .order_by("first_name", "last_name"),
        help_text=_("Solo si se entrega a un gestor de cobranza."))
    holder_name = forms.CharField(label=_("Nombre de quien recibe"), max_length=160, required=False,
                                  help_text=_("Abogado, despacho o juzgado (con número de expediente)."))
    purpose = forms.CharField(label=_("Motivo"), max_length=300,
                              widget=forms.Textarea(attrs={"rows": 2}))
    due_back = forms.DateField(label=_("Debe volver a más tardar el"), widget=DATE_WIDGET)


class CheckInForm(forms.Form):
    location = shelf_field(_("Se guarda en"), required=False,
                           help_text=_("Vacío: en su lugar de siempre."))
    remark = forms.CharField(label=_("Observaciones"), max_length=300, required=False)


class TransferForm(forms.Form):
    location = shelf_field(_("Nuevo lugar"))
    reason = forms.CharField(label=_("Motivo"), max_length=300, required=False)


class ReturnForm(forms.Form):
    received_by = forms.CharField(label=_("Nombre de quien recibe (acreditado o su representante)"),
                                  max_length=160)
    remark = forms.CharField(label=_("Observaciones (identificación presentada)"), max_length=300,
                             required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motivo"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class LossForm(forms.Form):
    reason = forms.CharField(label=_("Circunstancias del extravío"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CopyForm(forms.Form):
    file = forms.FileField(label=_("Archivo escaneado (PDF, JPG, PNG o TIFF; hasta 15 MB)"))
    description = forms.CharField(label=_("Descripción"), max_length=200, required=False)


class CampaignForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Ubicación que se inventaría"), empty_label="—",
                                      queryset=Location.objects.filter(active=True).order_by("code"))


class ScanForm(forms.Form):
    code = forms.CharField(label=_("Código"), max_length=40, widget=forms.TextInput(attrs={
        "autofocus": True, "autocomplete": "off", "class": "mono scan-input", "spellcheck": "false",
        "autocapitalize": "characters", "placeholder": "RES-0000000"}))
    found_at = shelf_field(_("Estoy contando en"))


class LabelsForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Ubicación"), required=False, empty_label=_("Todo el archivo"),
                                      queryset=Location.objects.filter(active=True).order_by("code"))
    sheet = forms.ChoiceField(label=_("Hoja de etiquetas"),
                              choices=[(k, s.label) for k, s in documents.SHEETS.items()])
    skip = forms.IntegerField(label=_("Etiquetas ya usadas al inicio de la hoja"), min_value=0,
                              max_value=29, initial=0, required=False)


class RegisterNotesForm(forms.Form):
    location = shelf_field(_("Se guardan en"))


class DossierForm(forms.Form):
    program = forms.ChoiceField(label=_("Programa"), choices=Item.Program.choices)
    folio = forms.CharField(label=_("Folio del crédito"), max_length=20, required=False,
                            help_text=_("Para el expediente de un crédito educativo."))
    curp = forms.CharField(label=_("CURP del beneficiario"), max_length=18, required=False,
                           help_text=_("Para una beca o un estímulo."))
    location = shelf_field(_("Se guarda en"))
    description = forms.CharField(label=_("Descripción"), max_length=200, required=False)


class LocationForm(forms.Form):
    code = forms.CharField(label=_("Clave"), max_length=30)
    name = forms.CharField(label=_("Nombre"), max_length=120)
    kind = forms.ChoiceField(label=_("Tipo"), choices=Location.Kind.choices)
    parent = forms.ModelChoiceField(label=_("Dentro de"), required=False, empty_label="—",
                                    queryset=Location.objects.filter(active=True).exclude(
                                        kind__in=[Location.Kind.DRAWER, Location.Kind.BOX]).order_by("code"))
