from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from recupera.payments.models import FileLayout, PaymentImport, Receipt


class LayoutChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FileLayout) -> str:
        return obj.label


class ImportUploadForm(forms.Form):
    layout = LayoutChoiceField(label=_("Formato"), queryset=FileLayout.objects.filter(active=True),
                                    to_field_name="name", empty_label=None)
    mode = forms.ChoiceField(label=_("Si hay renglones con error"), choices=PaymentImport.Mode.choices,
                             initial=PaymentImport.Mode.VALID_ROWS)
    file = forms.FileField(label=_("Archivo del banco"))

    def clean_file(self):  # type: ignore[no-untyped-def]
        from django.core.exceptions import ValidationError

        from recupera.payments.services import upload_check

        f = self.cleaned_data["file"]
        if f.size == 0:
            raise forms.ValidationError(_("El archivo está vacío."))
        try:
            upload_check(name=f.name, size=f.size)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["file"]) from exc
        return f


class ResubmitForm(forms.Form):
    text = forms.CharField(label=_("Renglones rechazados (corríjalos y vuelva a enviarlos)"),
                           max_length=2_000_000, strip=False,
                           widget=forms.Textarea(attrs={"rows": 8, "class": "mono",
                                                        "spellcheck": "false"}))


class UnidentifiedSearchForm(forms.Form):
    q = forms.CharField(label=_("Referencia, concepto o importe"), required=False, max_length=60)
    date_from = forms.DateField(label=_("Desde"), required=False)
    date_to = forms.DateField(label=_("Hasta"), required=False)


class AssignForm(forms.Form):
    folio = forms.CharField(label=_("Folio del crédito"), max_length=20)
    note = forms.CharField(label=_("Cómo se identificó"), max_length=200,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CashPaymentForm(forms.Form):
    folio = forms.CharField(label=_("Folio del crédito"), max_length=20)
    amount = forms.DecimalField(label=_("Importe"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.ChoiceField(label=_("Forma de pago"), choices=Receipt.Method.choices)
    kind = forms.ChoiceField(label=_("Tipo"), choices=Receipt.Kind.choices)
    prepayment_mode = forms.ChoiceField(
        label=_("En pago anticipado, el acreditado prefiere"), required=False,
        choices=[("keep_installment", _("Plazo menor (misma mensualidad)")),
                 ("keep_term", _("Mensualidad menor (mismo plazo)"))])
    request_id = forms.CharField(widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex)


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("Motivo de la reversa"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2}))
    requeue = forms.BooleanField(label=_("Mal aplicado: regresar el pago a la bandeja de no "
                                         "identificados para asignarlo al crédito correcto"),
                                 required=False)


class CashCutForm(forms.Form):
    date = forms.DateField(label=_("Fecha de operación"), required=False)
    cashier = forms.CharField(label=_("Cajero (usuario)"), required=False, max_length=150)
