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
        self.fields["person"].choices = [("", _("— (otra persona)"))] + [
            (pk, f"{p} · {', '.join(roles)}") for pk, (p, roles) in persons.items()]
        points = {pt.pk: pt for pts in view.contact_points.values() for pt in pts}
        self.points = points
        self.fields["contact_point"].choices = [("", _("— ninguno"))] + [
            (pk, f"{self.persons[pt.person_id]} · {pt.get_kind_display()} {pt.value}"
             f"{' · ' + pt.get_label_display() if pt.kind == 'phone' else ''}")
            for pk, pt in points.items() if pt.person_id in self.persons]
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
                                      choices=list(conduct.RULE_LABELS.items()),
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
