"""`recupera import portfolio PATH [--partial] [--as-of YYYY-MM-DD] [--dry-run] [--user NAME]`.

Exit code 0 when every row was fine, 1 when there were problems (all-or-nothing: nothing was
stored; --partial: the valid credits were stored and the rest is in the report).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError

from recupera.credits.importing.problems import ENTITIES, Counts
from recupera.credits.importing.registry import ImportCommand, register_import

ENTITY_LABELS = {"personas": "personas", "creditos": "créditos", "ministraciones": "ministraciones",
                 "pagos": "pagos"}


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"«{value}» no es una fecha AAAA-MM-DD") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="RUTA", type=Path,
                        help="carpeta con personas.csv, creditos.csv, ministraciones.csv y pagos.csv, "
                             "o un libro .xlsx con esas hojas")
    parser.add_argument("--partial", action="store_true",
                        help="guardar los créditos válidos aunque otros tengan errores")
    parser.add_argument("--as-of", dest="as_of", type=_date, default=None, metavar="AAAA-MM-DD",
                        help="fecha de corte (por omisión, la fecha de operación)")
    parser.add_argument("--dry-run", dest="dry_run", action="store_true",
                        help="validar y simular sin guardar nada")
    parser.add_argument("--user", dest="username", default=None, metavar="USUARIO",
                        help="usuario al que se atribuyen los cambios en la auditoría")


def counts_table(counts: Counts) -> list[str]:
    lines = [f"{'':16}{'creados':>10}{'ya existían':>14}{'con error':>12}"]
    for entity in ENTITIES:
        lines.append(f"{ENTITY_LABELS[entity]:16}{counts.get(entity, 'creados'):>10}"
                     f"{counts.get(entity, 'ya_existian'):>14}{counts.get(entity, 'con_error'):>12}")
    return lines


def handle(options: dict[str, Any], out: TextIO) -> int:
    from django.contrib.auth import get_user_model

    from recupera.core.services import business_date_get
    from recupera.credits.importing.portfolio import PortfolioSource
    from recupera.credits.importing.services import portfolio_import

    path: Path = options["path"]
    if not path.exists():
        raise CommandError(f"No existe {path}.")
    actor = None
    if options.get("username"):
        actor = get_user_model().objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"No existe el usuario {options['username']}.")
    as_of = options.get("as_of") or business_date_get()
    result = portfolio_import(actor=actor, source=PortfolioSource.from_path(path), as_of=as_of,
                              partial=bool(options.get("partial")), dry_run=bool(options.get("dry_run")))
    mode = "parcial" if result.partial else "todo o nada"
    out.write(f"Importación de cartera: {path} (fecha de corte {as_of.isoformat()}, modo {mode})")
    for problem in result.problems:
        out.write(str(problem))
    for line in counts_table(result.counts):
        out.write(line)
    out.write(result.summary())
    return 1 if result.problems else 0


register_import(ImportCommand(
    name="portfolio",
    help="Importa la cartera heredada (personas, créditos, ministraciones y pagos).",
    add_arguments=add_arguments,
    handle=handle,
))
