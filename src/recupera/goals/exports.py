"""The month's report as data (CLI, API), as an Excel workbook (core/spreadsheets.py) and a
collector's one-page scorecard PDF (credits/pdf.py's child-process rendering)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from recupera.core.money import money_json
from recupera.core.spreadsheets import xlsx_append
from recupera.engine import goals as gm
from recupera.engine.calendar import BusinessCalendar
from recupera.goals import charts, selectors
from recupera.goals.models import Recovery

KINDS = {"payment": "Pago", "prepayment": "Pago anticipado a capital", "payoff": "Liquidación",
         "reversal": "Reversa"}
CHANNELS = {"banco": "Banco", "caja": "Caja", "nomina": "Nómina", "": "—"}


def month_data(month: dt.date, calendar: BusinessCalendar) -> dict[str, Any]:
    """The report of `recupera goals report --json` (docs/goals.md) (and the API): per collector
    `username`, `name`, `goal`, `recovered`, `percent`; plus `total`. Money as strings."""
    report = selectors.month_report(month, calendar)
    rows = [{"username": r.collector.username, "name": r.name, "goal": money_json(r.goal),
             "recovered": money_json(r.recovered),
             "percent": None if r.percent is None else str(r.percent), "payments": r.payments}
            for r in report.rows]
    return {"month": month.strftime("%Y-%m"), "frozen": report.frozen is not None,
            "collectors": rows,
            "unassigned": money_json(report.unassigned),
            "goal": money_json(report.goal),
            "total": money_json(report.total),
            "percent": None if report.percent is None else str(report.percent)}


def month_workbook(month: dt.date, calendar: BusinessCalendar) -> bytes:
    """Sheet «Gestores» (goal, recovered, percent per collector, sin gestor, total) and sheet
    «Pagos atribuidos» (every entry counted, with its collector): the sums agree to the cent."""
    report = selectors.month_report(month, calendar)
    wb = Workbook()
    ws = wb.active
    ws.title = "Gestores"
    xlsx_append(ws, [f"Metas de recuperación · {selectors.month_name(month)}"
                     + (" (mes congelado)" if report.frozen else "")])
    ws["A1"].font = Font(bold=True)
    xlsx_append(ws, ["Usuario", "Gestor", "Meta", "Recuperado", "Avance %", "Pagos"])
    for r in report.rows:
        xlsx_append(ws, [r.collector.username, r.name, r.goal, r.recovered,
                         r.percent if r.percent is not None else "", r.payments])
    xlsx_append(ws, ["", "Sin gestor", "", report.unassigned, "", report.unassigned_payments])
    xlsx_append(ws, ["", "Total", report.goal, report.total,
                     report.percent if report.percent is not None else "",
                     sum(r.payments for r in report.rows) + report.unassigned_payments])
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = '"$"#,##0.00'
    ws.column_dimensions["B"].width = 34
    for col in "CD":
        ws.column_dimensions[col].width = 16
    names = {r.collector.pk: (r.collector.username, r.name) for r in report.rows}
    sheet = wb.create_sheet("Pagos atribuidos")
    xlsx_append(sheet, ["Usuario", "Gestor", "Folio", "Tipo", "Canal", "Fecha valor", "Cuenta el día",
                        "Importe"])
    qs = (Recovery.objects.filter(month=month).select_related("credit", "collector")
          .only("credit__folio", "collector__username", "collector__first_name", "collector__last_name",
                "kind", "channel", "value_date", "day", "amount").order_by("collector_id", "day", "id"))
    for rec in qs.iterator(chunk_size=2000):
        user, name = names.get(rec.collector_id, ("", "Sin gestor")) if rec.collector_id else ("", "Sin gestor")
        if rec.collector_id and not user:
            user, name = rec.collector.username, rec.collector.get_full_name() or rec.collector.username
        xlsx_append(sheet, [user, name, rec.credit.folio, KINDS.get(rec.kind, rec.kind),
                            CHANNELS.get(rec.channel, rec.channel), rec.value_date, rec.day, rec.amount])
    for row in sheet.iter_rows(min_row=2, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"
    for row in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = '"$"#,##0.00'
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def scorecard_html(collector: Any, month: dt.date, as_of: dt.date, calendar: BusinessCalendar) -> str:
    me = selectors.collector_month(collector, month, calendar)
    work = selectors.productivity(month, [collector.pk]).get(collector.pk) or selectors.ProductivityTotals(collector.pk)
    days = [month + dt.timedelta(days=i) for i in range((gm.month_end(month) - month).days + 1)]
    bdays = [d for d in days if calendar.is_business_day(d)]
    through = min(as_of, gm.month_end(month)) if month <= as_of else None
    daily = {d.day: d.recovered for d in work.days}
    return render_to_string("goals/pdf/scorecard.html", {
        "document_title": "Boleta de desempeño", "generated_at": timezone.localtime(),
        "collector": collector, "month_label": selectors.month_name(month), "me": me, "work": work,
        "as_of": as_of,
        "line": charts.data_uri(charts.cumulative(days, daily, me.goal, bdays, through=through,
                                                  width=700, height=280)),
    })


def scorecard_pdf(collector: Any, month: dt.date, as_of: dt.date, calendar: BusinessCalendar) -> bytes:
    from recupera.credits.pdf import html_documents_to_pdf

    return html_documents_to_pdf([scorecard_html(collector, month, as_of, calendar)])
