"""`recupera import portfolio PATH [--partial] [--as-of YYYY-MM-DD] [--dry-run] [--user NAME]`,
`recupera import portfolio --jobs` (the recent upload jobs, interrupted ones marked) and
`recupera import portfolio --resume N [--user NAME]` (run an interrupted job again, here).

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
    parser.add_argument("path", metavar="RUTA", type=Path, nargs="?",
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
    parser.add_argument("--jobs", action="store_true",
                        help="listar las importaciones recientes de la pantalla (marca las interrumpidas)")
    parser.add_argument("--resume", type=int, default=None, metavar="NUM",
                        help="reanudar aquí la importación interrumpida con ese número")


def counts_table(counts: Counts) -> list[str]:
    lines = [f"{'':16}{'creados':>10}{'ya existían':>14}{'con error':>12}"]
    for entity in ENTITIES:
        lines.append(f"{ENTITY_LABELS[entity]:16}{counts.get(entity, 'creados'):>10}"
                     f"{counts.get(entity, 'ya_existian'):>14}{counts.get(entity, 'con_error'):>12}")
    return lines


def _jobs(out: TextIO) -> int:
    from recupera.credits.importing.jobs import import_job_is_stale
    from recupera.credits.models_import import ImportJob

    jobs = list(ImportJob.objects.filter(kind=ImportJob.Kind.PORTFOLIO).order_by("-created_at", "-id")[:20])
    if not jobs:
        out.write("No hay importaciones.")
    for job in jobs:
        status = job.get_status_display()
        if import_job_is_stale(job):
            status = "INTERRUMPIDA (el proceso ya no existe): reanúdela con --resume " + str(job.pk)
        elif job.status == ImportJob.Status.FAILED:
            status += ": reanúdela con --resume " + str(job.pk)
        out.write(f"{job.pk:>6}  {job.created_at:%d/%m/%Y %H:%M}  {job.get_mode_display():<12}  {status}")
    return 0


def _resume(job_id: int, actor: Any, out: TextIO) -> int:
    from django.core.exceptions import ValidationError

    from recupera.credits.importing.jobs import import_job_resume, import_job_run
    from recupera.credits.models_import import ImportJob

    if not ImportJob.objects.filter(pk=job_id, kind=ImportJob.Kind.PORTFOLIO).exists():
        raise CommandError(f"No existe la importación de cartera núm. {job_id}.")
    try:
        import_job_resume(actor=actor, job_id=job_id)
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from exc
    status = import_job_run(job_id=job_id)
    job = ImportJob.objects.get(pk=job_id)
    out.write(f"Importación núm. {job_id} reanudada (intento {job.attempts}): {job.get_status_display()}")
    for problem in job.report:
        where = ", ".join(str(p) for p in (problem["file"], f"fila {problem['row']}" if problem["row"] else "",
                                           f"columna {problem['column']}" if problem["column"] else "") if p)
        out.write(f"{where}: {problem['message']}")
    return 0 if status == ImportJob.Status.DONE else 1


def handle(options: dict[str, Any], out: TextIO) -> int:
    from django.contrib.auth import get_user_model

    from recupera.core.services import business_date_get
    from recupera.credits.importing.portfolio import PortfolioSource
    from recupera.credits.importing.services import portfolio_import

    actor = None
    if options.get("username"):
        actor = get_user_model().objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"No existe el usuario {options['username']}.")
    if options.get("jobs"):
        return _jobs(out)
    if options.get("resume") is not None:
        return _resume(options["resume"], actor, out)
    path: Path | None = options.get("path")
    if path is None:
        raise CommandError("Indique la RUTA de la cartera (carpeta o libro .xlsx), o --jobs, o --resume NUM.")
    if not path.exists():
        raise CommandError(f"No existe {path}.")
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
