"""The portfolio import as one service: validate every row, then store (or not).

    result = portfolio_import(actor=user, source=PortfolioSource.from_path(path),
                              as_of=business_date, partial=False, dry_run=False)

All-or-nothing (default): any problem -> nothing stored. Partial: every credit whose rows are
all valid is stored; the rest is reported. Re-importing the same data changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from recupera.credits.importing.portfolio import PortfolioPlan, PortfolioSource, validate_portfolio
from recupera.credits.importing.problems import Counts, Problem
from recupera.credits.importing.writer import Progress, apply_plan


@dataclass
class ImportResult:
    problems: list[Problem]
    counts: Counts
    stored: bool  # something may have been written (False: rejected or dry run)
    rejected: bool  # all-or-nothing (or an unreadable file) with problems: nothing stored
    dry_run: bool
    partial: bool

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One Spanish sentence: what happened."""
        n = len(self.problems)
        if self.rejected:
            return _("Se encontraron %(n)s problemas: no se guardó nada. Corrija los archivos y vuelva a "
                     "importarlos.") % {"n": n}
        if self.dry_run:
            if n:
                return _("Simulación: se encontraron %(n)s problemas; no se guardó nada.") % {"n": n}
            return _("Simulación: los archivos son válidos; no se guardó nada.")
        if n:
            return _("Importación parcial: se guardaron los créditos válidos; %(n)s problemas quedaron "
                     "sin importar.") % {"n": n}
        if self.counts.created_total == 0:
            return _("Sin cambios: todo lo que contienen los archivos ya existía.")
        return _("Importación terminada sin problemas.")


def portfolio_import(*, actor: Any, source: PortfolioSource, as_of: dt.date, partial: bool = False,
                     dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    report = progress or (lambda phase, done, total: None)
    report(_("Validando archivos"), 0, 1)
    plan: PortfolioPlan = validate_portfolio(source, as_of=as_of)
    report(_("Validando archivos"), 1, 1)
    rejected = plan.file_problems or (plan.has_problems and not partial)
    stored = False
    if not rejected:
        if partial:
            plan.problems.extend(_skipped_credits(plan))
        stored = apply_plan(actor=actor, plan=plan, partial=partial, dry_run=dry_run, progress=progress)
        if not stored and not dry_run:
            rejected = True
    problems = sorted(plan.problems, key=_problem_order)
    return ImportResult(problems=problems, counts=plan.counts, stored=stored, rejected=rejected,
                        dry_run=dry_run, partial=partial)


FILE_ORDER = {"personas": 0, "creditos": 1, "ministraciones": 2, "pagos": 3}


def _problem_order(problem: Problem) -> tuple[int, str, int, str]:
    rank = next((i for name, i in FILE_ORDER.items() if name in problem.file), 9)
    return (rank, problem.file, problem.row or 0, problem.column)


def _skipped_credits(plan: PortfolioPlan) -> list[Problem]:
    """In partial mode, say which credits were left out because of a bad row of theirs."""
    problems = []
    label = plan.labels["creditos"]
    for bundle in plan.bundles.values():
        if bundle.bad and bundle.first_row is not None:
            problems.append(Problem(label, bundle.first_row, "folio", _(
                "el crédito %(folio)s no se importó, con sus ministraciones y pagos, porque alguna de "
                "sus filas tiene errores.") % {"folio": bundle.folio}))
    return problems
