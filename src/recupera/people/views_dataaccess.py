"""Auditoría's page of the personal-data view log (issue #21 item 12): who saw whose personal
data, what and when, filtered by person, user and dates, 50 rows a page, exported to CSV or
Excel through core.spreadsheets (at most EXPORT_MAX rows; beyond that the page asks to narrow
the filters)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recupera.core.dataaccess import WHAT
from recupera.core.spreadsheets import safe_csv_writer, xlsx_append
from recupera.core.views import require_perm

PAGE_SIZE = 50
EXPORT_MAX = 100_000
HEADER = ["Fecha y hora", "Usuario", "Persona (id)", "Persona", "Consulta", "Datos mostrados"]


class DataViewFilterForm(forms.Form):
    person = forms.CharField(label=gettext_lazy("Persona (CURP, nombre o id)"), required=False,
                             max_length=120)
    user = forms.ModelChoiceField(label=gettext_lazy("Usuario"), required=False,
                                  queryset=get_user_model().objects.order_by("username"),
                                  empty_label=gettext_lazy("Todos"))
    what = forms.ChoiceField(label=gettext_lazy("Consulta"), required=False,
                             choices=[("", gettext_lazy("Todas")), *WHAT.items()])
    date_from = forms.DateField(label=gettext_lazy("Desde (dd/mm/aaaa)"), required=False)
    date_to = forms.DateField(label=gettext_lazy("Hasta (dd/mm/aaaa)"), required=False)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("La fecha «hasta» es anterior a la fecha «desde»."))
        return data


def data_views(*, filters: dict[str, Any]) -> QuerySet[Any]:
    """The log, newest first, with user and person (one query a page)."""
    from recupera.people.models import Person, PersonViewLog
    from recupera.people.selectors import search_condition

    qs = PersonViewLog.objects.select_related("person").order_by("-at", "-id")
    person = (filters.get("person") or "").strip()
    if person.isdigit():
        qs = qs.filter(person_id=int(person)) if len(person) <= 18 else qs.none()
    elif person:
        condition = search_condition(person)
        qs = qs.filter(person__in=Person.objects.filter(condition)) if condition is not None else qs.none()
    if filters.get("user"):
        qs = qs.filter(user=filters["user"])
    if filters.get("what"):
        qs = qs.filter(what=filters["what"])
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        qs = qs.filter(at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=tz))
    if filters.get("date_to"):
        qs = qs.filter(at__lt=dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1),
                                                  dt.time.min, tzinfo=tz))
    return qs


def _row(log: Any) -> list[Any]:
    return [date_format(timezone.localtime(log.at), "d/m/Y H:i:s"), log.username or _("sistema"),
            log.person_id, log.person.full_name, log.what_label, log.fields]


@login_required
def data_view_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "core.view_data_log")
    form = DataViewFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    logs = data_views(filters=filters)
    export = request.GET.get("formato")
    params = request.GET.copy()
    for key in ("page", "formato"):
        params.pop(key, None)
    base = params.urlencode()
    if export in ("csv", "xlsx") and form.is_valid():
        rows = list(logs[:EXPORT_MAX + 1])
        if len(rows) > EXPORT_MAX:
            messages.error(request, _("La exportación tiene un máximo de %(n)s renglones; acote las "
                                      "fechas, la persona o el usuario.") % {"n": f"{EXPORT_MAX:,}"})
            return redirect(f"{request.path}?{base}")
        return _export(rows, export)
    page = Paginator(logs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/data_views.html", {
        "filter_form": form, "page_obj": page, "querystring_base": f"{base}&" if base else "",
        "export_base": f"?{base}&" if base else "?",
    })


def _export(rows: list[Any], kind: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "csv":
        out = io.StringIO()
        writer = safe_csv_writer(out)
        writer.writerow(HEADER)
        for log in rows:
            writer.writerow(_row(log))
        response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="consultas-datos-{stamp}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Consultas"))
    xlsx_append(sheet, HEADER)
    for log in rows:
        xlsx_append(sheet, _row(log))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="consultas-datos-{stamp}.xlsx"'
    return response
