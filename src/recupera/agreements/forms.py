"""Forms of the negotiation pages: they parse; every rule is the services' (services.py)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from recupera.agreements.models import Agreement, AuthorityLimit, Campaign, Level, NegotiationPolicy
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
    new_rate_pct = forms.DecimalField(label=_("Nueva tasa anual % (reestructura)"), required=False,
                                      max_digits=8, decimal_places=4,
                                      widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                                      help_text=_("En porcentaje anual, p. ej. 6 = 6 %. Vacío: la tasa "
                                                  "del crédito."))
    reason = forms.CharField(label=_("Motivo / justificación"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("kind") == Agreement.Kind.PLAN and not data.get("installments"):
            self.add_error("installments", _("Indique el número de pagos del convenio (al menos uno)."))
        rate = data.get("new_rate_pct")
        if rate is not None and not (Decimal("0") <= rate < Decimal("100")):
            self.add_error("new_rate_pct", _("La nueva tasa anual debe ser de 0 % o más y menor que 100 %."))
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
            rate = data.get("new_rate_pct")
            kwargs["new_rate"] = None if rate is None else rate / Decimal("100")
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
    fees_pct = _pct_field(_("Condonación de gastos de cobranza (%)"))

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["late_interest_pct"] = data.get("late_interest_pct") or 0
        data["interest_pct"] = data.get("interest_pct") or 0
        data["fees_pct"] = data.get("fees_pct") or 0
        data["balance_min"] = data.get("balance_min") or Decimal("0")
        return data


LIMIT_PCT_FIELDS = ("max_late_interest_pct", "max_interest_pct", "max_principal_pct", "min_down_payment_pct")
LIMIT_FIELDS = (*LIMIT_PCT_FIELDS, "max_installments")
SEGMENT_FIELDS = ("name", "active", "priority", "dpd_min", "dpd_max", "balance_min", "balance_max", "stage",
                  "campaign", "max_term_months", "capitalize_interest", "break_after_missed", "tolerance_days",
                  "revoke_on_break", "offer_valid_days")


def _stage_choices() -> list[tuple[str, str]]:
    from recupera.collections.models import Stage

    return [("", _("Cualquier etapa")), *Stage.choices]


class PolicyForm(forms.Form):
    """A negotiation policy: its segment and terms, and one row of limits per authority level.
    Ranges (0–100, desde ≤ hasta) are the services' (policy_create / policy_update)."""

    name = forms.CharField(label=_("Nombre"), max_length=120)
    active = forms.BooleanField(label=_("Vigente"), required=False, initial=True)
    priority = forms.IntegerField(label=_("Prioridad"), initial=100,
                                  help_text=_("La política de menor número que aplique al crédito es la "
                                              "que rige."))
    dpd_min = forms.IntegerField(label=_("Días de atraso desde"), initial=0)
    dpd_max = forms.IntegerField(label=_("Días de atraso hasta"), required=False)
    balance_min = forms.DecimalField(label=_("Adeudo desde"), max_digits=14, decimal_places=2, initial=Decimal("0"))
    balance_max = forms.DecimalField(label=_("Adeudo hasta"), max_digits=14, decimal_places=2, required=False)
    stage = forms.ChoiceField(label=_("Etapa del caso"), choices=_stage_choices, required=False)
    campaign = forms.ModelChoiceField(label=_("Solo para los créditos de la campaña, durante su vigencia"),
                                      queryset=Campaign.objects.all(),
                                      required=False, empty_label=_("Sin campaña (siempre)"))
    max_term_months = forms.IntegerField(label=_("Plazo máximo de reestructura (meses)"), initial=60)
    capitalize_interest = forms.BooleanField(label=_("Capitalizar intereses en la reestructura"), required=False)
    break_after_missed = forms.IntegerField(label=_("Convenio incumplido tras N pagos omitidos"), initial=2)
    tolerance_days = forms.IntegerField(label=_("Días de tolerancia por pago"), initial=5)
    revoke_on_break = forms.BooleanField(label=_("Revocar la condonación si se incumple"), required=False,
                                         initial=True)
    offer_valid_days = forms.IntegerField(label=_("Vigencia de la oferta (días)"), initial=15)

    def __init__(self, *args, policy: NegotiationPolicy | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if policy is not None and "initial" not in kwargs and not args:
            initial = {f: getattr(policy, f) for f in SEGMENT_FIELDS}
            for lim in policy.limits.all():
                initial.update({f"l{lim.level}_{f}": getattr(lim, f) for f in LIMIT_FIELDS})
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for level in Level:
            for field in LIMIT_FIELDS:
                model_field = AuthorityLimit._meta.get_field(field)
                label = f"{model_field.verbose_name} · {level.label}"
                if field == "max_installments":
                    self.fields[f"l{level}_{field}"] = forms.IntegerField(
                        label=label, initial=12, widget=forms.NumberInput(attrs={"aria-label": label}))
                else:
                    self.fields[f"l{level}_{field}"] = forms.DecimalField(
                        label=label, max_digits=7, decimal_places=4, initial=Decimal("0"),
                        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal",
                                                        "aria-label": label}))

    def segment_fields(self) -> list[forms.BoundField]:
        return [self[f] for f in SEGMENT_FIELDS]

    def limit_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(level.label), [self[f"l{level}_{f}"] for f in LIMIT_FIELDS]) for level in Level]

    @staticmethod
    def limit_headers() -> list[str]:
        return [str(AuthorityLimit._meta.get_field(f).verbose_name) for f in LIMIT_FIELDS]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        values = {f: data.get(f) for f in SEGMENT_FIELDS}
        values["stage"] = values["stage"] or ""
        values["balance_min"] = values["balance_min"] if values["balance_min"] is not None else Decimal("0")
        values["limits"] = [{"level": int(level), **{f: data.get(f"l{level}_{f}") for f in LIMIT_FIELDS}}
                            for level in Level]
        return values
