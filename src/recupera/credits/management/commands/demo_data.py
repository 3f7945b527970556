"""`recupera demo-data --credits N --seed S [--as-of YYYY-MM-DD]`: a deterministic synthetic
portfolio of product CE (see recupera.credits.synthetic). Re-running with the same seed skips the
folios that exist."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def _date(value: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"«{value}» no es una fecha válida; use el formato AAAA-MM-DD") from exc


class Command(BaseCommand):
    help = "Genera una cartera sintética determinista (créditos del producto CE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--credits", type=int, default=300, help="número de créditos (default %(default)s)")
        parser.add_argument("--seed", type=int, default=2026, help="semilla (default %(default)s)")
        parser.add_argument("--as-of", dest="as_of", type=_date, default=None,
                            help="fecha de operación AAAA-MM-DD (por omisión, la del sistema)")
        parser.add_argument("--bulk", action="store_true",
                            help="PostgreSQL: copias de unos cientos de créditos modelo (automático desde 50,000)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from recupera.core.services import business_date_get
        from recupera.credits.models import Credit
        from recupera.credits.synthetic import demo_portfolio_create

        if opts["credits"] < 1:
            self.stderr.write("Error: --credits debe ser 1 o mayor.")
            raise SystemExit(2)
        as_of = opts["as_of"] or business_date_get()
        started = time.monotonic()
        from django.db import connection

        if connection.vendor == "postgresql" and (opts["bulk"] or opts["credits"] >= 50_000):
            from recupera.credits.bulk_demo import bulk_portfolio_create

            counts = bulk_portfolio_create(actor=None, credits=opts["credits"], seed=opts["seed"],
                                           as_of=as_of, progress=self.stdout.write)
            self.stdout.write(f"Cartera sintética masiva (semilla {opts['seed']}) al {as_of:%d/%m/%Y} "
                              f"en {time.monotonic() - started:.1f} s: {counts}")
            return
        counts = demo_portfolio_create(actor=None, credits=opts["credits"], seed=opts["seed"],
                                       as_of=as_of)
        seconds = time.monotonic() - started
        if opts["verbosity"] < 1:
            return
        labels = dict(Credit.Status.choices)
        total = sum(counts.values())
        self.stdout.write(f"Cartera sintética (semilla {opts['seed']}) al {as_of:%d/%m/%Y}: "
                          f"{total} créditos en {seconds:.1f} s")
        for status, _label in Credit.Status.choices:
            if counts.get(status):
                self.stdout.write(f"  {labels[status]:<22} {counts[status]:>7}")
