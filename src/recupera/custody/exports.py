"""The archive's inventory as an Excel workbook (cells made safe by core/spreadsheets.py)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from recupera.core.spreadsheets import xlsx_append
from recupera.custody import classification

EXPORT_MAX = 200_000


def header() -> list[str]:
    return [_("Código"), _("Tipo"), _("Programa"), _("Folio"), _("Pagaré"), _("Importe del pagaré"),
            _("Acreditado o beneficiario"), _("Clasificación"), _("Estado de resguardo"), _("Ubicación"),
            _("En poder de"), _("Prestado desde"), _("Debe volver el"), _("Días de retraso")]


def row(item: Any, klass: str | None, *, as_of: dt.date) -> list[Any]:
    late = (as_of - item.due_back).days if item.due_back and item.is_out and item.due_back < as_of else None
    person = _("Datos bloqueados") if getattr(item.person, "data_blocked", False) else item.person.full_name
    return [item.code, item.get_kind_display(), item.get_program_display(),
            item.credit.folio if item.credit_id else "", item.note.number if item.note_id else "",
            item.note.amount if item.note_id else None, person, classification.label(klass),
            item.get_status_display(), item.location.code, item.holder_name or "",
            item.out_since, item.due_back, late]


def inventory_xlsx(rows: list[tuple[Any, str | None, str]], *, as_of: dt.date) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Inventario"))
    xlsx_append(sheet, [_("Inventario del archivo al {d}").format(d=as_of.strftime("%d/%m/%Y"))])
    xlsx_append(sheet, header())
    for item, klass, _label in rows:
        xlsx_append(sheet, row(item, klass, as_of=as_of))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(data: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
