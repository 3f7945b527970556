"""Forms of the negotiation pages: they parse; every rule is the services' (services.py)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from recupera.agreements.models import Agreement

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
