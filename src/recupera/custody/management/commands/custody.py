"""`recupera custody labels --pdf FILE [--location CODE] [--sheet carta-30|a4-21] [--skip N]`:
the label sheet of the archive's items (in custody or lent), or of one location and what it holds.
`recupera custody overdue [--date D] [--json]`: the loans past their due-back date (exit 1 when
there is any, so a scheduler can alert).
`recupera custody export --xlsx FILE [--location CODE]`: the inventory workbook."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from recupera.core.services import business_date_get
from recupera.custody import documents, exports, selectors
from recupera.custody.models import OUT_STATUSES, ItemStatus, Location


def _location(code: str | None) -> Location | None:
    if not code:
        return None
    location = Location.objects.filter(code=code.strip().upper()).first()
    if location is None:
        raise CommandError(f"No hay una ubicación con la clave «{code}».")
    return location


def _date(value: str | None) -> dt.date:
    if not value:
        return business_date_get()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"La fecha «{value}» no es válida (aaaa-mm-dd).") from exc


class Command(BaseCommand):
    help = "Archivo de resguardo: etiquetas, préstamos vencidos e inventario en Excel."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        labels = sub.add_parser("labels", help="Hoja de etiquetas (PDF).")
        labels.add_argument("--pdf", required=True, help="Archivo PDF a escribir.")
        labels.add_argument("--location", help="Clave de la ubicación (incluye lo que tiene dentro).")
        labels.add_argument("--sheet", default=documents.DEFAULT_SHEET, choices=sorted(documents.SHEETS))
        labels.add_argument("--skip", type=int, default=0, help="Etiquetas ya usadas al inicio de la hoja.")
        overdue = sub.add_parser("overdue", help="Préstamos vencidos.")
        overdue.add_argument("--date", help="Fecha de operación (aaaa-mm-dd).")
        overdue.add_argument("--json", action="store_true")
        export = sub.add_parser("export", help="Inventario en Excel.")
        export.add_argument("--xlsx", required=True, help="Archivo .xlsx a escribir.")
        export.add_argument("--location", help="Clave de la ubicación.")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "labels":
            location = _location(opts.get("location"))
            items = list(selectors.items_filter(location=location).filter(
                status__in=[ItemStatus.IN_CUSTODY, *OUT_STATUSES]))
            if not items:
                raise CommandError("No hay documentos en resguardo en esa ubicación.")
            if len(items) > documents.LABELS_MAX:
                raise CommandError(f"Son {len(items)} etiquetas; imprima a lo más {documents.LABELS_MAX} a la "
                                   "vez con --location.")
            Path(opts["pdf"]).write_bytes(documents.labels_pdf(items, sheet=opts["sheet"],
                                                               skip=max(0, opts["skip"])))
            self.stdout.write(f"{len(items)} etiquetas en {opts['pdf']}")
        elif action == "overdue":
            as_of = _date(opts.get("date"))
            rows = [{"code": i.code, "folio": i.credit.folio if i.credit_id else None, "status": i.status,
                     "holder_kind": i.holder_kind, "holder": i.holder_name, "out_since": i.out_since.isoformat(),
                     "due_back": i.due_back.isoformat(), "days_late": (as_of - i.due_back).days}
                    for i in selectors.overdue_loans(as_of)]
            if opts["json"]:
                self.stdout.write(json.dumps({"as_of": as_of.isoformat(), "loans": rows}, ensure_ascii=False))
            else:
                for r in rows:
                    self.stdout.write(f"{r['code']}  {r['holder']}  debía volver el "
                                      f"{dt.date.fromisoformat(r['due_back']):%d/%m/%Y} ({r['days_late']} días)")
                if not rows:
                    self.stdout.write("Ningún préstamo vencido.")
            if rows:
                sys.exit(1)
        else:
            as_of = business_date_get()
            rows = selectors.item_rows(selectors.items_filter(location=_location(opts.get("location")))
                                       [:exports.EXPORT_MAX])
            Path(opts["xlsx"]).write_bytes(exports.inventory_xlsx(rows, as_of=as_of))
            self.stdout.write(f"{len(rows)} documentos en {opts['xlsx']}")
