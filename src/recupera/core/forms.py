from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Usuario"), required=False, queryset=get_user_model().objects.order_by("username"),
        empty_label=_("Todos"),
    )
    action = forms.CharField(label=_("Acción contiene"), required=False)
    object_type = forms.CharField(label=_("Tipo de objeto"), required=False)
    object_id = forms.CharField(label=_("Id del objeto"), required=False)
    date_from = forms.DateField(label=_("Desde (dd/mm/aaaa)"), required=False)
    date_to = forms.DateField(label=_("Hasta (dd/mm/aaaa)"), required=False)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("La fecha «hasta» es anterior a la fecha «desde»."))
        return data
