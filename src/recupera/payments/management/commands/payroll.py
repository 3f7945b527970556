"""`recupera payroll export|import`: payroll deduction (descuento vía nómina).

    recupera payroll export --period 2025-04-Q1 --out nomina-2025-04-Q1.csv [--agency SEP]
    recupera payroll import APLICADOS.csv [--user USUARIO] [--date AAAA-MM-DD] [--mode …]

`import` is `recupera import payments FILE --layout nomina` (same pipeline, same report).
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Descuento vía nómina: exportar lo que cada dependencia debe descontar e importar lo descontado."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACCIÓN", required=True)
        export = sub.add_parser("export", help="CSV de descuentos a aplicar en un periodo.")
        export.add_argument("--period", required=True, metavar="PERIODO",
                            help="AAAA-MM (mensual), AAAA-MM-Q1 o AAAA-MM-Q2 (quincenal).")
        export.add_argument("--out", required=True, metavar="ARCHIVO", help="Archivo CSV de salida.")
        export.add_argument("--agency", default="", metavar="DEPENDENCIA",
                            help="Solo una dependencia (por omisión, todas).")
        export.add_argument("--date", default="", help="Fecha de operación (AAAA-MM-DD).")
        imp = sub.add_parser("import", help="Descuentos aplicados por la dependencia (formato nomina).")
        imp.add_argument("file", metavar="ARCHIVO", nargs="?", default="",
                         help="CSV: period, employee_number, folio, amount_deducted, operation_id.")
        imp.add_argument("--resume", default="", metavar="ID",
                         help="Reanudar una importación fallida o interrumpida (su número).")
        imp.add_argument("--layout", default="nomina", metavar="FORMATO",
                         help="Formato (por omisión: nomina).")
        imp.add_argument("--mode", choices=["todo_o_nada", "solo_validos"], default="solo_validos",
                         help="Si hay renglones con error: no aplicar nada, o aplicar los válidos.")
        imp.add_argument("--user", default="", help="Usuario que registra la importación.")
        imp.add_argument("--date", default="", help="Fecha de operación (AAAA-MM-DD).")
        imp.add_argument("--chunk", default="1000", help="Renglones por transacción (1 a 10000).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            from recupera.payments.importing import _handle

            code = _handle(options, self.stdout)
            if code:
                sys.exit(code)
            return
        self._export(options)

    def _export(self, options: dict[str, Any]) -> None:
        from recupera.core.money import format_mxn
        from recupera.core.services import business_date_get
        from recupera.payments.payroll import parse_period, payroll_csv, payroll_lines

        try:
            period = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            business_date = (dt.date.fromisoformat(options["date"]) if options.get("date")
                             else business_date_get())
        except ValueError as exc:
            raise CommandError(f"La fecha «{options['date']}» no es válida; escríbala como "
                               "AAAA-MM-DD.") from exc
        lines = list(payroll_lines(period=period, business_date=business_date,
                                   agency=options.get("agency", "")))
        Path(options["out"]).write_text(payroll_csv(lines), encoding="utf-8")
        from recupera.core.dataaccess import record_view  # the CLI has no user: "sistema"

        record_view(user=None, what="nomina.exportacion", fields="CURP",
                    person_ids=[line.person_id for line in lines])
        total = sum((line.amount_to_deduct for line in lines), Decimal("0"))
        self.stdout.write(f"Periodo {period.code} ({period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}): "
                          f"{len(lines)} descuentos, {format_mxn(total)}, en {options['out']}.\n")
