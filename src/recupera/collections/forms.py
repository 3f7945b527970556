from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from recupera.collections import conduct
from recupera.collections.models import (
    Channel,
    CollectionSettings,
    ConductSettings,
    DeadlineRule,
    Inquiry,
    Party,
    Stage,
)


class QueueFilterForm(forms.Form):
    FLAGS = [("", _("Todos")), ("plazo", _("Plazo vencido")), ("promesa_hoy", _("Promesa vence hoy")),
             ("incumplida", _("Promesa incumplida"))]
    q = forms.CharField(label=_("Folio, CURP o nombre"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Etapa"), required=False,
                              choices=[("", _("Todas"))] + list(Stage.choices))
    flag = forms.ChoiceField(label=_("Atención"), required=False, choices=FLAGS)


class ActionForm(forms.Form):
    """The action (gestión) form of the case page: keyboard first (Tab order = reading order,
    Enter submits, letters jump in the selects)."""

    channel = forms.ChoiceField(label=_("Canal"), choices=Channel.choices, initial=Channel.CALL_OUT)
    party = forms.ChoiceField(label=_("Con quién"), choices=Party.choices, initial=Party.BORROWER)
    person = forms.TypedChoiceField(label=_("Persona"), required=False, coerce=int, empty_value=None)
    contact_point = forms.TypedChoiceField(label=_("Teléfono o correo usado"), required=False,
                                           coerce=int, empty_value=None)
    outcome = forms.TypedChoiceField(label=_("Resultado"), coerce=int)
    promise_amount = forms.DecimalField(label=_("Importe prometido"), required=False,
                                        max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    promise_due_on = forms.DateField(label=_("Fecha prometida (dd/mm/aaaa)"), required=False)
    duration_minutes = forms.IntegerField(label=_("Duración (min)"), required=False, min_value=0,
                                          max_value=600)
    next_step_on = forms.DateField(label=_("Siguiente paso (dd/mm/aaaa)"), required=False)
    debtor_requested = forms.BooleanField(label=_("El deudor pidió que se le llamara"), required=False)
    notes = forms.CharField(label=_("Notas"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, view: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.view = view
        persons = {}
        for party in view.parties:
            persons.setdefault(party.person_id, (party.person, []))[1].append(party.get_role_display())
        self.persons = {pk: p for pk, (p, _roles) in persons.items()}
        # A blocked person (ARCO cancellation) is named «Datos bloqueados» and their contact
        # points are not offered: blocked data is no longer used for collection.
        self.fields["person"].choices = [("", _("— (otra persona)"))] + [
            (pk, f"{_('Datos bloqueados') if p.data_blocked else p} · {', '.join(roles)}")
            for pk, (p, roles) in persons.items()]
        points = {pt.pk: pt for pts in view.contact_points.values() for pt in pts}
        self.points = points
        self.fields["contact_point"].choices = [("", _("— ninguno"))] + [
            (pk, f"{self.persons[pt.person_id]} · {pt.get_kind_display()} {pt.value}"
             f"{' · ' + pt.get_label_display() if pt.kind == 'phone' else ''}")
            for pk, pt in points.items()
            if pt.person_id in self.persons and not self.persons[pt.person_id].data_blocked]
        self.outcomes = {o.pk: o for o in view.outcomes}
        self.fields["outcome"].choices = [("", "—")] + [(o.pk, o.name) for o in view.outcomes]
        self.fields["outcome"].widget.attrs.update({"autofocus": True, "accesskey": "r"})
        for name in ("promise_amount",):
            self.fields[name].widget.attrs.update({"inputmode": "decimal"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") is not None and data["person"] not in self.persons:
            self.add_error("person", _("Elija una persona del crédito."))
        point_id = data.get("contact_point")
        if point_id is not None and point_id not in self.points:
            self.add_error("contact_point", _("Elija un medio de contacto del expediente."))
        outcome = self.outcomes.get(data.get("outcome"))
        if data.get("outcome") is not None and outcome is None:
            self.add_error("outcome", _("Elija un resultado del catálogo."))
        if outcome and outcome.requires_promise:
            if not data.get("promise_amount"):
                self.add_error("promise_amount", _("Escriba el importe que la persona promete pagar."))
            if not data.get("promise_due_on"):
                self.add_error("promise_due_on", _("Escriba la fecha en que promete pagar."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        person = self.persons.get(d.get("person")) if d.get("person") is not None else None
        point = self.points.get(d.get("contact_point")) if d.get("contact_point") is not None else None
        if person is None and point is not None:
            person = self.persons.get(point.person_id)
        return {
            "channel": d["channel"], "party": d["party"], "person": person, "contact_point": point,
            "outcome": self.outcomes[d["outcome"]], "notes": d.get("notes") or "",
            "duration_seconds": d["duration_minutes"] * 60 if d.get("duration_minutes") is not None else None,
            "next_step_on": d.get("next_step_on"), "debtor_requested": bool(d.get("debtor_requested")),
            "promise_amount": d.get("promise_amount"), "promise_due_on": d.get("promise_due_on"),
        }


class OverrideForm(forms.Form):
    rules = forms.MultipleChoiceField(label=_("Reglas que se exceptúan"),
                                      choices=[(code, label) for code, label in conduct.RULE_LABELS.items()
                                               if code not in conduct.NOT_OVERRIDABLE],
                                      widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Justificación"), max_length=300, min_length=10)


class ReassignForm(forms.Form):
    collector = forms.ModelChoiceField(label=_("Nuevo gestor"), queryset=None)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("Motivo (vacaciones, permiso, carga de trabajo…)"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from recupera.collections.services import _active_collectors

        self.fields["collector"].queryset = _active_collectors().order_by("first_name", "username")
        self.fields["collector"].label_from_instance = lambda u: u.get_full_name() or u.username


class BulkReassignForm(ReassignForm):
    from_collector = forms.ModelChoiceField(label=_("Casos de"), queryset=None)  # type: ignore[arg-type]
    stage = forms.ChoiceField(label=_("Solo la etapa"), required=False,
                              choices=[("", _("Todas"))] + list(Stage.choices))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["from_collector"].queryset = get_user_model().objects.filter(
            cases__status="abierto").distinct().order_by("first_name", "username")
        self.fields["from_collector"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.order_fields(["from_collector", "stage", "collector", "reason"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_collector") and data.get("from_collector") == data.get("collector"):
            self.add_error("collector", _("Elija un gestor distinto del actual."))
        return data


class MessageForm(forms.Form):
    for_user = forms.ModelChoiceField(label=_("Para"), queryset=None)  # type: ignore[arg-type]
    caller = forms.CharField(label=_("Quién llamó"), max_length=120)
    phone = forms.CharField(label=_("Teléfono"), max_length=20, required=False)
    text = forms.CharField(label=_("Recado"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        from recupera.core.roles import Role

        self.fields["for_user"].queryset = get_user_model().objects.filter(
            is_active=True, groups__name__in=[Role.COLLECTOR.value, Role.SUPERVISOR.value,
                                              Role.PORTFOLIO_OFFICE.value]).distinct().order_by(
            "first_name", "username")
        self.fields["for_user"].label_from_instance = lambda u: u.get_full_name() or u.username


class InquiryForm(forms.Form):
    caller = forms.CharField(label=_("Nombre de quien pregunta"), max_length=120)
    phone = forms.CharField(label=_("Teléfono"), max_length=20, required=False)
    channel = forms.ChoiceField(label=_("Canal"), choices=[(Channel.CALL_IN, Channel.CALL_IN.label),
                                                           (Channel.IN_PERSON, Channel.IN_PERSON.label),
                                                           (Channel.EMAIL, Channel.EMAIL.label)])
    category = forms.ChoiceField(label=_("Categoría"), choices=Inquiry.Category.choices)
    question = forms.CharField(label=_("Pregunta"), widget=forms.Textarea(attrs={"rows": 2}))
    resolution = forms.CharField(label=_("Respuesta / resolución"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    resolved = forms.BooleanField(label=_("Resuelta"), required=False)


class LetterBatchForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Plantilla"), queryset=None)  # type: ignore[arg-type]
    stage = forms.ChoiceField(label=_("Etapa"), required=False, choices=[("", _("Todas"))] + list(Stage.choices))
    collector = forms.ModelChoiceField(label=_("Gestor"), required=False, queryset=None)  # type: ignore[arg-type]
    dpd_min = forms.IntegerField(label=_("Días de atraso desde"), required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from recupera.collections.models import LetterTemplate
        from recupera.collections.services import _active_collectors

        self.fields["template"].queryset = LetterTemplate.objects.filter(active=True)
        self.fields["collector"].queryset = _active_collectors().order_by("first_name", "username")
        self.fields["collector"].label_from_instance = lambda u: u.get_full_name() or u.username


class CollectionSettingsForm(forms.ModelForm):
    class Meta:
        model = CollectionSettings
        fields = ["open_case_min_dpd", "early_from_dpd", "late_from_dpd", "extrajudicial_from_dpd",
                  "preventive_case_days", "promise_tolerance", "promise_grace_days"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cuts = [data.get("early_from_dpd"), data.get("late_from_dpd"), data.get("extrajudicial_from_dpd")]
        if all(c is not None for c in cuts) and not (1 <= cuts[0] < cuts[1] < cuts[2]):
            raise forms.ValidationError(_("Las etapas deben empezar en días crecientes: temprana < tardía < "
                                          "extrajudicial, y temprana desde al menos 1 día."))
        return data


class ConductSettingsForm(forms.ModelForm):
    class Meta:
        model = ConductSettings
        fields = ["timezone", "weekdays", "window_start", "window_end", "max_call_attempts",
                  "attempts_window_days", "quiet_days_after_conversation", "minor_age",
                  "older_adult_age", "contact_points_on_file_only"]

    def clean_timezone(self) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = self.cleaned_data["timezone"].strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(_("«{v}» no es una zona horaria (ejemplo: America/Hermosillo).")
                                        .format(v=value)) from exc
        return value

    def clean_weekdays(self) -> str:
        parts = [p.strip() for p in self.cleaned_data["weekdays"].split(",") if p.strip()]
        if not parts or any(not p.isdigit() or int(p) > 6 for p in parts):
            raise forms.ValidationError(_("Escriba números del 0 (lunes) al 6 (domingo) separados por coma."))
        return ",".join(str(d) for d in sorted({int(p) for p in parts}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("window_start") and data.get("window_end") and data["window_start"] >= data["window_end"]:
            self.add_error("window_end", _("La hora final debe ser posterior a la inicial."))
        return data


DeadlineFormSet = forms.modelformset_factory(
    DeadlineRule, fields=["first_contact_business_days", "action_every_days"], extra=0)


class PesosField(forms.DecimalField):
    """An amount in pesos as people write it in Mexico: "50,000.00", "$50000" or "50000.5"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "decimal", "placeholder": "0.00"})
        self.widget.attrs.pop("step", None)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("$", "").replace(",", "").replace(" ", "").strip()
        return super().to_python(value)


def _collector_label(user: Any) -> str:
    return user.get_full_name() or user.username


class AssignmentRuleForm(forms.Form):
    """Parse a rule of the Subdirección; the rule's checks (balance range, collectors,
    municipality or region) live in services._rule_clean and come back to the named field."""

    name = forms.CharField(label=_("Nombre"), max_length=80)
    order = forms.IntegerField(label=_("Orden (la primera regla que coincide toma el caso)"),
                               min_value=0, max_value=32767, initial=10)
    municipality = forms.ModelChoiceField(label=_("Municipio"), required=False, queryset=None,  # type: ignore[arg-type]
                                          empty_label=_("— cualquiera"), error_messages={
                                              "invalid_choice": _("Municipio: elija un municipio de Sonora.")})
    region = forms.ChoiceField(label=_("o región"), required=False, error_messages={
        "invalid_choice": _("Región: elija una región de Sonora de la lista.")})
    stage = forms.ChoiceField(label=_("Etapa"), required=False,
                              choices=[("", _("— cualquiera"))] + list(Stage.choices),
                              error_messages={"invalid_choice": _("Etapa: elija una etapa de la lista.")})
    balance_min = PesosField(label=_("Saldo desde (MXN)"), required=False)
    balance_max = PesosField(label=_("Saldo hasta (MXN)"), required=False)
    collectors = forms.ModelMultipleChoiceField(label=_("Gestores"), queryset=None,  # type: ignore[arg-type]
                                                widget=forms.CheckboxSelectMultiple,
                                                error_messages={
                                                    "required": _("Gestores: elija al menos un gestor de cobranza."),
                                                    "invalid_choice": _("Gestores: elija solo gestores de "
                                                                        "cobranza activos de la lista."),
                                                    "invalid_pk_value": _("Gestores: elija solo gestores de "
                                                                          "cobranza activos de la lista.")})

    def __init__(self, *args: Any, rule: Any = None, **kwargs: Any) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": rule.name, "order": rule.order, "municipality": rule.municipality_id,
                "region": rule.region, "stage": rule.stage, "balance_min": rule.balance_min,
                "balance_max": rule.balance_max, "collectors": [u.pk for u in rule.collectors.all()]}
        super().__init__(*args, **kwargs)
        from recupera.collections.services import _active_collectors
        from recupera.people.models import Municipality

        self.rule = rule
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        regions = sorted(set(Municipality.objects.values_list("region", flat=True)))
        self.fields["region"].choices = [("", _("— cualquiera"))] + [(r, r) for r in regions]
        self.fields["collectors"].queryset = _active_collectors().distinct().order_by(
            "first_name", "last_name", "username")
        self.fields["collectors"].label_from_instance = _collector_label
        self.fields["name"].widget.attrs.update({"autofocus": True})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("municipality") and data.get("region"):
            self.add_error("region", _("Región: elija un municipio o una región, no ambos."))
        low, high = data.get("balance_min"), data.get("balance_max")
        if low is not None and high is not None and low > high:
            self.add_error("balance_max", _("Saldo hasta: debe ser mayor o igual que el saldo desde."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"name": d["name"], "order": d["order"], "municipality": d.get("municipality"),
                "region": d.get("region") or "", "stage": d.get("stage") or "",
                "balance_min": d.get("balance_min"), "balance_max": d.get("balance_max"),
                "collectors": list(d["collectors"])}


class OutcomeForm(forms.Form):
    """Add or rename an entry of the outcome catalog (its meaning is fixed when it is added)."""

    name = forms.CharField(label=_("Nombre"), max_length=80)
    order = forms.IntegerField(label=_("Orden en la lista"), min_value=0, max_value=32767, initial=10)
    is_conversation = forms.BooleanField(label=_("Hubo conversación con la persona"), required=False)
    discusses_debt = forms.BooleanField(label=_("Se trató el adeudo o se pidió el pago"), required=False)
    requires_promise = forms.BooleanField(label=_("Lleva promesa de pago"), required=False)

    MEANING = ("is_conversation", "discusses_debt", "requires_promise")

    def __init__(self, *args: Any, outcome: Any = None, **kwargs: Any) -> None:
        if outcome is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": outcome.name, "order": outcome.order}
        super().__init__(*args, **kwargs)
        self.outcome = outcome
        if outcome is not None:  # renaming: the meaning stays
            for name in self.MEANING:
                del self.fields[name]
        self.fields["name"].widget.attrs.update({"autofocus": True})

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kwargs = {"name": d["name"], "order": d["order"]}
        if self.outcome is None:
            kwargs.update({name: bool(d.get(name)) for name in self.MEANING})
        return kwargs
