"""`recupera privacy reminders [--date D] [--json]`: the ARCO requests whose deadline is past or
within 5 business days (exit 1 when any is overdue, so a scheduler can alert).
`recupera privacy purge [--date D] [--apply]`: the blocked persons whose retention ended and who
owe nothing; without --apply it only lists them (docs/privacy.md)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from recupera.core.calendar import business_calendar
from recupera.core.services import business_date_get
from recupera.privacy import selectors, services


def _date(value: str | None) -> dt.date:
    if not value:
        return business_date_get()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"La fecha «{value}» no es válida (aaaa-mm-dd).") from exc


class Command(BaseCommand):
    help = "Solicitudes ARCO por vencer o vencidas, y supresión de datos bloqueados."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reminders = sub.add_parser("reminders", help="Solicitudes ARCO vencidas o por vencer.")
        reminders.add_argument("--date", help="Fecha de operación (aaaa-mm-dd).")
        reminders.add_argument("--json", action="store_true")
        purge = sub.add_parser("purge", help="Suprime datos bloqueados cuyo periodo de "
                                             "conservación terminó.")
        purge.add_argument("--date", help="Fecha de operación (aaaa-mm-dd).")
        purge.add_argument("--apply", action="store_true", help="Suprime (sin esto solo lista).")

    def handle(self, *args: Any, **opts: Any) -> None:
        as_of = _date(opts.get("date"))
        if opts["action"] == "reminders":
            flags = selectors.deadline_flags(as_of=as_of, calendar=business_calendar())
            rows = [{"folio": f.request.folio, "right": f.request.right,
                     "status": f.request.status, "deadline": f.deadline.isoformat(),
                     "flag": f.kind, "business_days_left": f.days_left} for f in flags]
            if opts["json"]:
                self.stdout.write(json.dumps({"as_of": as_of.isoformat(), "requests": rows},
                                             ensure_ascii=False))
            else:
                for f in flags:
                    self.stdout.write(f"{f.request.folio}\t{f.label}\t{f.stage} a más tardar el "
                                      f"{f.deadline:%d/%m/%Y}")
                self.stdout.write(f"{len(flags)} solicitudes ARCO vencidas o por vencer al "
                                  f"{as_of:%d/%m/%Y}.")
            if any(f.kind == selectors.OVERDUE for f in flags):
                sys.exit(1)
            return
        candidates = services.purge_candidates(as_of=as_of)
        for person, reason in candidates:
            self.stdout.write(f"persona {person.pk}\t{reason or 'se puede suprimir'}")
        if opts["apply"]:
            purged = services.purge_blocked(actor=None, as_of=as_of)
            self.stdout.write(f"Se suprimieron los datos de {len(purged)} personas.")
