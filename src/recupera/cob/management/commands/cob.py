"""`recupera cob [--date AAAA-MM-DD]`: the daily close of a business date (default: today in
Hermosillo). Idempotent: a finished date is not repeated; an interrupted one resumes."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"«{value}» no es una fecha válida; use el formato AAAA-MM-DD") from exc


class Command(BaseCommand):
    help = "Cierre diario: avanza la fecha de operación y corre los pasos del cierre."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, default=None,
                            help="fecha de operación a cerrar, AAAA-MM-DD (por omisión, hoy)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from recupera.cob.services import CloseBusy, close_run

        business_date = opts["date"] or timezone.localdate()
        if isinstance(business_date, str):  # call_command(date="…") skips the parser's type
            business_date = _date(business_date)
        quiet = opts["verbosity"] < 1
        started = time.monotonic()
        try:
            run = close_run(actor=None, business_date=business_date,
                            progress=None if quiet else (lambda m: self.stdout.write(m)))
        except (ValidationError, CloseBusy) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from exc
        if not quiet:
            self.stdout.write(f"Cierre del {business_date:%d/%m/%Y}: {run.get_status_display().lower()} "
                              f"en {time.monotonic() - started:.1f} s")
