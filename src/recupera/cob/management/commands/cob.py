"""`recupera cob [--date AAAA-MM-DD] [--allow-date-jump] [--user USUARIO]`: the daily close of a
business date (default: today in Hermosillo). Idempotent: a finished date is not repeated; an
interrupted one resumes. A date more than one business day after the business date is refused
unless `--allow-date-jump` is given (audited).

`recupera cob --void AAAA-MM-DD --reason TEXTO`: undo the close of a wrong date (the latest one;
docs/daily-close.md, "Recovering from a wrong date")."""

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
        parser.add_argument("--allow-date-jump", dest="allow_date_jump", action="store_true",
                            help="permitir una fecha más de un día hábil después de la fecha de "
                                 "operación (queda en la bitácora de auditoría)")
        parser.add_argument("--void", type=_date, default=None, metavar="AAAA-MM-DD",
                            help="anular el cierre de esa fecha (el último) y regresar la fecha de "
                                 "operación a la anterior; requiere --reason")
        parser.add_argument("--reason", default="", metavar="TEXTO",
                            help="motivo de la anulación (queda en la bitácora de auditoría)")
        parser.add_argument("--user", dest="username", default=None, metavar="USUARIO",
                            help="usuario al que se atribuye el cierre en la auditoría")

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        from django.contrib.auth import get_user_model

        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"No existe el usuario {username}.")
        return actor

    def handle(self, *args: Any, **opts: Any) -> None:
        from recupera.cob.services import CloseBusy, close_run, close_run_void

        actor = self._actor(opts.get("username"))
        quiet = opts["verbosity"] < 1
        if opts.get("void"):
            void_date = opts["void"]
            if isinstance(void_date, str):
                void_date = _date(void_date)
            try:
                run = close_run_void(actor=actor, business_date=void_date, reason=opts.get("reason") or "")
            except (ValidationError, CloseBusy) as exc:
                message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                raise CommandError(message) from exc
            from recupera.core.services import business_date_get

            if not quiet:
                self.stdout.write(f"Cierre del {run.business_date:%d/%m/%Y} anulado; la fecha de operación "
                                  f"vuelve a ser {business_date_get():%d/%m/%Y}. Ejecute el cierre de la "
                                  f"fecha correcta.")
            return
        business_date = opts["date"] or timezone.localdate()
        if isinstance(business_date, str):  # call_command(date="…") skips the parser's type
            business_date = _date(business_date)
        started = time.monotonic()
        try:
            run = close_run(actor=actor, business_date=business_date,
                            allow_date_jump=bool(opts.get("allow_date_jump")),
                            progress=None if quiet else (lambda m: self.stdout.write(m)))
        except (ValidationError, CloseBusy) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            if isinstance(exc, ValidationError) and getattr(exc, "code", None) == "salto_de_fecha":
                message += " Use --allow-date-jump para autorizarlo."
            raise CommandError(message) from exc
        if not quiet:
            self.stdout.write(f"Cierre del {business_date:%d/%m/%Y}: {run.get_status_display().lower()} "
                              f"en {time.monotonic() - started:.1f} s")
