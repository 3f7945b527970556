from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _


class IdentifierForm(forms.Form):
    identifier = forms.CharField(
        label=_("Folio del crédito o CURP"), max_length=20, strip=True,
        help_text=_("El folio viene en su contrato y en su estado de cuenta. La CURP tiene 18 letras y números."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Código de 6 dígitos"), max_length=12, strip=True,
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "one-time-code"}))


class CallbackForm(forms.Form):
    day = forms.DateField(label=_("Día"), input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Hora (de Sonora)"), input_formats=["%H:%M"],
                           widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"))
    phone = forms.TypedChoiceField(label=_("Teléfono"), coerce=int, choices=())

    def __init__(self, *args, phones: list[tuple[int, str]], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["phone"].choices = phones


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Su pregunta"), max_length=1500,
                           widget=forms.Textarea(attrs={"rows": 5}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Respuesta para la persona (la verá en el portal)"), max_length=3000,
                             widget=forms.Textarea(attrs={"rows": 4}))


def combine(day: dt.date, time: dt.time) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, time))
