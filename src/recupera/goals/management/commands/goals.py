"""`recupera goals report --month AAAA-MM [--json] [--xlsx FILE]`: the month's goals and
recovered money per collector (docs/goals.md; JSON fields fixed by the design)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recupera.core.money import format_mxn


class Command(BaseCommand):
    help = "Metas de recuperación: `goals report --month AAAA-MM [--json] [--xlsx ARCHIVO]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="acciones")
        report = sub.add_parser("report", help="meta y recuperado del mes por gestor")
        report.add_argument("--month", required=True, help="mes AAAA-MM, p. ej. 2026-12")
        report.add_argument("--json", dest="as_json", action="store_true", help="salida JSON")
        report.add_argument("--xlsx", dest="xlsx", default=None, help="escribe además el Excel del mes")

    def handle(self, *args: Any, **opts: Any) -> None:
        from decimal import Decimal

        from recupera.core.calendar import business_calendar
        from recupera.goals import exports
        from recupera.goals.selectors import month_name
        from recupera.goals.services import parse_month

        try:
            month = parse_month(opts["month"])
        except ValidationError as exc:
            raise CommandError(exc.message_dict["month"][0]) from None
        calendar = business_calendar()
        if opts.get("xlsx"):
            path = Path(opts["xlsx"])
            if not path.parent.exists():
                raise CommandError(f"La carpeta {path.parent} no existe.")
            path.write_bytes(exports.month_workbook(month, calendar))
        data = exports.month_data(month, calendar)
        if opts["as_json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Metas de recuperación · {month_name(month)}"
                          + (" (mes congelado)" if data["frozen"] else ""))
        for r in data["collectors"]:
            pct = f"{r['percent']} %" if r["percent"] is not None else "sin meta"
            self.stdout.write(f"  {r['name'][:34]:<34} meta {format_mxn(Decimal(r['goal'])):>16}  "
                              f"recuperado {format_mxn(Decimal(r['recovered'])):>16}  {pct}")
        self.stdout.write(f"  {'Sin gestor':<34} {'':>21} recuperado {format_mxn(Decimal(data['unassigned'])):>16}")
        pct = f"{data['percent']} %" if data["percent"] is not None else "sin meta"
        self.stdout.write(f"  {'Total':<34} meta {format_mxn(Decimal(data['goal'])):>16}  "
                          f"recuperado {format_mxn(Decimal(data['total'])):>16}  {pct}")
        if opts.get("xlsx"):
            self.stdout.write(f"Excel escrito en {opts['xlsx']}")
