"""Forms of the negotiation pages: they parse; every rule is the services' (services.py)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from recupera.agreements.models import Agreement
from recupera.credits.models import Credit

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
PROPOSABLE = [(k.value, k.label) for k in (Agreement.Kind.SETTLEMENT, Agreement.Kind.PLAN,
                                            Agreement.Kind.RESTRUCTURE)]


def _pct_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=Decimal("0"), max_value=Decimal("100"),
                              max_digits=7, decimal_places=4, initial=Decimal("0"),
                              widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))


class ProposeForm(forms.Form):
    """One offer: the type, the percentages to forgive and, for a plan or a restructure, its terms."""

    kind = forms.ChoiceField(label=_("Tipo de oferta"), choices=PROPOSABLE)
    late_interest_pct = _pct_field(_("Condonación de moratorios y gastos (%)"))
    interest_pct = _pct_field(_("Descuento de interés ordinario vencido (%)"))
    principal_pct = _pct_field(_("Descuento de capital (%)"))
    down_payment = forms.DecimalField(label=_("Enganche (convenio de pago)"), required=False,
                                      min_value=Decimal("0"), max_digits=14, decimal_places=2,
                                      widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    installments = forms.IntegerField(label=_("Número de pagos (convenio de pago)"), required=False,
                                      min_value=1, max_value=360)
    first_due_date = forms.DateField(label=_("Primer pago"), required=False, input_formats=DATE_FORMATS,
                                     widget=forms.DateInput(attrs={"placeholder": "dd/mm/aaaa"}),
                                     help_text=_("Por omisión, un mes después de hoy."))
    new_term_months = forms.IntegerField(label=_("Nuevo plazo en meses (reestructura)"), required=False,
                                         min_value=1, max_value=600)
    reason = forms.CharField(label=_("Motivo / justificación"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("kind") == Agreement.Kind.PLAN and not data.get("installments"):
            self.add_error("installments", _("Indique el número de pagos del convenio (al menos uno)."))
        return data

    def service_kwargs(self) -> dict:
        """The keyword arguments of services.agreement_propose (the form is valid)."""
        data = self.cleaned_data
        kwargs = {
            "kind": data["kind"],
            "late_interest_pct": data.get("late_interest_pct") or 0,
            "interest_pct": data.get("interest_pct") or 0,
            "principal_pct": data.get("principal_pct") or 0,
            "first_due_date": data.get("first_due_date"),
            "reason": data.get("reason") or "",
        }
        if data["kind"] == Agreement.Kind.PLAN:
            kwargs.update(down_payment=data.get("down_payment"), installments=data.get("installments") or 0)
        if data["kind"] == Agreement.Kind.RESTRUCTURE:
            kwargs["new_term_months"] = data.get("new_term_months")
        return kwargs


class DecideForm(forms.Form):
    comment = forms.CharField(label=_("Comentario"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Obligatorio para rechazar."))


CHANNELS = [("caja", _("Caja")), ("banco", _("Depósito bancario")), ("spei", _("SPEI"))]
ELIGIBLE_STATUSES = [(s.value, s.label) for s in (Credit.Status.REPAYING, Credit.Status.OVERDUE,
                                                  Credit.Status.LEGAL, Credit.Status.RESTRUCTURED)]


def _date_field(label: str, **kwargs) -> forms.DateField:  # type: ignore[no-untyped-def]
    return forms.DateField(label=label, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs={"placeholder": "dd/mm/aaaa"}), **kwargs)


class SettleForm(forms.Form):
    """The payment of an authorized settlement (liquidación con descuento)."""

    value_date = _date_field(_("Fecha valor del pago"))
    channel = forms.ChoiceField(label=_("Canal"), choices=CHANNELS)
    reference = forms.CharField(label=_("Referencia / folio del pago"), max_length=80,
                                help_text=_("Repetir la misma referencia no aplica el pago dos veces."))


class SpecialRequestForm(forms.Form):
    """A write-off or a death/disability waiver request with its supporting document."""

    reason = forms.CharField(label=_("Motivo y sustento"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("Documento soporte (acta, dictamen…)"), required=False)
    description = forms.CharField(label=_("Descripción del documento"), max_length=200, required=False)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("file") and not (data.get("description") or "").strip():
            self.add_error("description", _("Describa el documento (p. ej., acta de defunción)."))
        return data


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Documento soporte"))
    description = forms.CharField(label=_("Descripción"), max_length=200)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=120)
    starts_on = _date_field(_("Inicia"))
    ends_on = _date_field(_("Termina"))
    dpd_min = forms.IntegerField(label=_("Días de atraso desde"), min_value=0, initial=1)
    dpd_max = forms.IntegerField(label=_("Días de atraso hasta"), min_value=0, required=False)
    balance_min = forms.DecimalField(label=_("Adeudo desde"), min_value=Decimal("0"), max_digits=14,
                                     decimal_places=2, initial=Decimal("0"))
    balance_max = forms.DecimalField(label=_("Adeudo hasta"), min_value=Decimal("0"), max_digits=14,
                                     decimal_places=2, required=False)
    statuses = forms.MultipleChoiceField(label=_("Estados del crédito"), choices=ELIGIBLE_STATUSES,
                                         required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text=_("Sin marcar: cualquier estado con adeudo."))
    late_interest_pct = _pct_field(_("Condonación de moratorios (%)"))
    interest_pct = _pct_field(_("Descuento de interés ordinario vencido (%)"))

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["late_interest_pct"] = data.get("late_interest_pct") or 0
        data["interest_pct"] = data.get("interest_pct") or 0
        data["balance_min"] = data.get("balance_min") or Decimal("0")
        return data
