"""`recupera import payments FILE --layout NAME`: registered in the import registry."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from recupera.credits.importing.registry import ImportCommand, register_import

# Exit codes (docs/import-layouts.md, «Línea de comandos»): a scheduled job tells them apart.
EXIT_OK = 0  # every row applied (or a duplicate, or sent to the unidentified queue)
EXIT_FAILED = 1  # the file was rejected as a whole, or the import failed (resumable)
EXIT_USAGE = 2  # bad arguments: no such file, layout, user or import; a bad date or chunk
EXIT_ROWS_REJECTED = 3  # applied, but some rows were rejected: see the report and correct them
MAX_CHUNK = 10_000


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="ARCHIVO", nargs="?", default="",
                        help="Archivo de pagos del banco (no hace falta con --resume).")
    parser.add_argument("--layout", default="", metavar="FORMATO",
                        help="Formato: bbva-cie, estado-cuenta-pipe, generic-csv, nomina…")
    parser.add_argument("--mode", choices=["todo_o_nada", "solo_validos"], default="solo_validos",
                        help="Si hay renglones con error: no aplicar nada, o aplicar los válidos.")
    parser.add_argument("--user", default="", help="Usuario que registra la importación.")
    parser.add_argument("--date", default="", help="Fecha de operación (AAAA-MM-DD); no puede ser "
                        "posterior a la fecha de operación del sistema.")
    parser.add_argument("--chunk", default="1000", help="Renglones por transacción (1 a 10000).")
    parser.add_argument("--resume", default="", metavar="ID",
                        help="Reanudar una importación fallida o interrumpida (su número).")


def _business_date(text: str, out: TextIO) -> dt.date | None:
    from recupera.core.services import business_date_get

    today = business_date_get()
    if not text:
        return today
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        out.write(f"La fecha «{text}» no es válida; escríbala como AAAA-MM-DD (p. ej. "
                  f"{today:%Y-%m-%d}).\n")
        return None
    if value > today:
        out.write(f"La fecha {value:%d/%m/%Y} es posterior a la fecha de operación del sistema "
                  f"({today:%d/%m/%Y}): no se importan pagos con fecha futura. Espere al cierre "
                  f"de ese día.\n")
        return None
    return value


def _chunk(text: str, out: TextIO) -> int | None:
    text = str(text).strip()
    if not text.lstrip("-").isdigit() or not 1 <= int(text) <= MAX_CHUNK:
        out.write(f"--chunk «{text}» no es válido: indique cuántos renglones por transacción, "
                  f"de 1 a {MAX_CHUNK:,}.\n")
        return None
    return int(text)


def _handle(options: dict[str, Any], out: TextIO) -> int:
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from recupera.payments.models import FileLayout, PaymentImport
    from recupera.payments.services import payment_file_import, payment_import_resume

    chunk = _chunk(options.get("chunk", "1000"), out)
    if chunk is None:
        return EXIT_USAGE
    actor = None
    if options.get("user"):
        actor = get_user_model().objects.filter(username=options["user"]).first()
        if actor is None:
            out.write(f"No existe el usuario {options['user']}.\n")
            return EXIT_USAGE
    if options.get("resume"):
        text = str(options["resume"]).strip()
        imp = PaymentImport.objects.filter(pk=int(text)).first() if text.isdigit() else None
        if imp is None:
            out.write(f"No existe la importación {text}.\n")
            return EXIT_USAGE
        try:
            imp = payment_import_resume(actor=actor, payment_import=imp, chunk_size=chunk)
        except ValidationError as exc:
            out.write(" ".join(exc.messages) + "\n")
            return EXIT_USAGE
        return _report(imp, out)
    if not options.get("file"):
        out.write("Indique el archivo de pagos (o --resume ID para reanudar una importación).\n")
        return EXIT_USAGE
    path = Path(options["file"])
    if not path.is_file():
        out.write(f"No existe el archivo {path}.\n")
        return EXIT_USAGE
    layout = FileLayout.objects.filter(name=options.get("layout") or "").first()
    if layout is None:
        names = ", ".join(FileLayout.objects.values_list("name", flat=True))
        out.write(f"Formato desconocido: «{options.get('layout') or ''}». Use --layout con uno "
                  f"de: {names}.\n")
        return EXIT_USAGE
    business_date = _business_date(options.get("date") or "", out)
    if business_date is None:
        return EXIT_USAGE
    try:
        imp = payment_file_import(actor=actor, layout=layout, name=path.name,
                                  content=path.read_bytes(), business_date=business_date,
                                  mode=options["mode"], chunk_size=chunk)
    except ValidationError as exc:
        out.write(" ".join(exc.messages) + "\n")
        return EXIT_USAGE
    return _report(imp, out)


def _report(imp: Any, out: TextIO) -> int:
    from recupera.core.money import format_mxn
    from recupera.payments.models import PaymentImport
    from recupera.payments.parsing import where_text

    out.write(f"Importación {imp.pk}: {imp.get_status_display()}\n")
    out.write(f"  renglones: {imp.total_lines}\n")
    out.write(f"  aplicados: {imp.applied_count} ({format_mxn(imp.applied_amount)})\n")
    out.write(f"  duplicados (no aplicados otra vez): {imp.duplicate_count}\n")
    out.write(f"  no identificados o en revisión: {imp.unidentified_count} "
              f"({format_mxn(imp.unidentified_amount)})\n")
    out.write(f"  con error (no guardados): {imp.error_count}\n")
    for p in imp.problems[:200]:
        out.write(f"  [{p['severity']}] {where_text(p['row'], p.get('column_label', ''))}: "
                  f"{p['message']}\n")
    if len(imp.problems) > 200:
        out.write(f"  … y {len(imp.problems) - 200} más (véalos en la pantalla de la importación).\n")
    if imp.status != PaymentImport.Status.DONE:
        return EXIT_FAILED
    if imp.error_count:
        out.write(f"  Hubo {imp.error_count} renglones rechazados: corríjalos en la pantalla de la "
                  f"importación y vuelva a enviarlos (código de salida {EXIT_ROWS_REJECTED}).\n")
        return EXIT_ROWS_REJECTED
    return EXIT_OK


register_import(ImportCommand(
    name="payments", help="Pagos de bancos, caja o nómina (bbva-cie, generic-csv, …).",
    add_arguments=_add_arguments, handle=_handle))
