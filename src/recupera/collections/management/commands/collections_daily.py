"""recupera collections_daily [--date AAAA-MM-DD]: the workbench's steps of the daily close —
judge promises, open/close/re-stage cases (and their priorities), assign new cases by rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Evalúa promesas, sincroniza casos y asigna los nuevos por reglas (paso del cierre diario)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                            help="Fecha de operación (por omisión, la del sistema).")

    def handle(self, *args: Any, **options: Any) -> None:
        from recupera.collections import services
        from recupera.core.services import business_date_get

        as_of = options["date"] or business_date_get()
        promises = services.promises_evaluate(as_of=as_of)
        cases = services.cases_sync(actor=None, as_of=as_of)
        assigned = services.assignment_run(actor=None, as_of=as_of)
        self.stdout.write(f"{as_of:%d/%m/%Y} promesas={promises} casos={cases} asignación={assigned}")
