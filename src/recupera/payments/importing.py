"""`recupera import payments FILE --layout NAME`: registered in the import registry."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from recupera.credits.importing.registry import ImportCommand, register_import


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="ARCHIVO", help="Archivo de pagos del banco.")
    parser.add_argument("--layout", required=True, metavar="FORMATO",
                        help="Formato: bbva-cie, estado-cuenta-pipe, generic-csv, nomina…")
    parser.add_argument("--mode", choices=["todo_o_nada", "solo_validos"], default="solo_validos",
                        help="Si hay renglones con error: no aplicar nada, o aplicar los válidos.")
    parser.add_argument("--user", default="", help="Usuario que registra la importación.")
    parser.add_argument("--date", default="", help="Fecha de operación (AAAA-MM-DD).")
    parser.add_argument("--chunk", type=int, default=1000, help="Renglones por transacción.")


def _handle(options: dict[str, Any], out: TextIO) -> int:
    from django.contrib.auth import get_user_model

    from recupera.core.money import format_mxn
    from recupera.core.services import business_date_get
    from recupera.payments.models import FileLayout, PaymentImport
    from recupera.payments.services import payment_file_import

    path = Path(options["file"])
    if not path.is_file():
        out.write(f"No existe el archivo {path}.\n")
        return 2
    layout = FileLayout.objects.filter(name=options["layout"]).first()
    if layout is None:
        names = ", ".join(FileLayout.objects.values_list("name", flat=True))
        out.write(f"Formato desconocido: {options['layout']}. Use uno de: {names}.\n")
        return 2
    actor = None
    if options.get("user"):
        actor = get_user_model().objects.filter(username=options["user"]).first()
        if actor is None:
            out.write(f"No existe el usuario {options['user']}.\n")
            return 2
    business_date = (dt.date.fromisoformat(options["date"]) if options.get("date")
                     else business_date_get())
    imp = payment_file_import(actor=actor, layout=layout, name=path.name,
                              content=path.read_bytes(), business_date=business_date,
                              mode=options["mode"], chunk_size=options["chunk"])
    out.write(f"Importación {imp.pk}: {imp.get_status_display()}\n")
    out.write(f"  renglones: {imp.total_lines}\n")
    out.write(f"  aplicados: {imp.applied_count} ({format_mxn(imp.applied_amount)})\n")
    out.write(f"  duplicados (no aplicados otra vez): {imp.duplicate_count}\n")
    out.write(f"  no identificados: {imp.unidentified_count} ({format_mxn(imp.unidentified_amount)})\n")
    out.write(f"  con error (no guardados): {imp.error_count}\n")
    for p in imp.problems[:200]:
        where = f"renglón {p['row']}" if p["row"] else "archivo"
        out.write(f"  [{p['severity']}] {where}: {p['message']}\n")
    if len(imp.problems) > 200:
        out.write(f"  … y {len(imp.problems) - 200} más (véalos en la pantalla de la importación).\n")
    return 0 if imp.status == PaymentImport.Status.DONE else 1


register_import(ImportCommand(
    name="payments", help="Pagos de bancos, caja o nómina (bbva-cie, generic-csv, …).",
    add_arguments=_add_arguments, handle=_handle))
