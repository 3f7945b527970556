"""Which credit a bank operation pays: reference first, then the folio or the CURP written in
the concept. What matches nothing keeps its reason and goes to the unidentified queue."""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from recupera.payments.models import BankOperation, PaymentReference
from recupera.payments.parsing import WARNING, ParsedRow, Problem
from recupera.payments.references import algorithm

CURP_RE = re.compile(r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b")
TOKEN_RE = re.compile(r"[A-Z0-9][A-Z0-9/-]{2,19}")
CHUNK = 5000


def match_rows(rows: list[ParsedRow]) -> list[Problem]:
    """Set credit_id/match/unidentified_reason on each row. Returns warnings for the report."""
    from recupera.credits.models import Credit

    payroll = [row for row in rows if row.folio or row.employee_number]
    warnings: list[Problem] = _match_payroll(payroll, Credit) if payroll else []
    rows = [row for row in rows if not (row.folio or row.employee_number)]
    by_algorithm: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        name = row.agreement.reference_algorithm
        if row.reference and algorithm(name).valid(row.reference):
            by_algorithm[name].add(row.reference)
    known: dict[tuple[str, str], int] = {}
    for name, refs in by_algorithm.items():
        ordered = sorted(refs)
        for start in range(0, len(ordered), CHUNK):
            for ref, credit_id in PaymentReference.objects.filter(
                    algorithm=name, reference__in=ordered[start:start + CHUNK]
            ).values_list("reference", "credit_id"):
                known[(name, ref)] = credit_id

    pending: list[ParsedRow] = []
    for row in rows:
        name = row.agreement.reference_algorithm
        if not row.reference:
            row.unidentified_reason = _("sin referencia")
        elif not algorithm(name).valid(row.reference):
            row.unidentified_reason = _("la referencia %(ref)s tiene el dígito verificador "
                                        "incorrecto") % {"ref": row.reference}
        else:
            credit_id = known.get((name, row.reference))
            if credit_id is not None:
                row.credit_id, row.match = credit_id, BankOperation.Match.REFERENCE
                continue
            row.unidentified_reason = _("la referencia %(ref)s no corresponde a ningún crédito") % {
                "ref": row.reference}
        pending.append(row)

    if pending:
        _match_by_folio(pending, Credit)
        _match_by_curp([r for r in pending if r.credit_id is None], Credit)

    for row in pending:
        if row.credit_id is not None:
            how = _("el folio") if row.match == BankOperation.Match.FOLIO else _("la CURP")
            warnings.append(Problem(row.line_number, "reference", _(
                "%(reason)s; se identificó por %(how)s del concepto.") % {
                "reason": row.unidentified_reason[:1].upper() + row.unidentified_reason[1:],
                "how": how}, WARNING))
            row.unidentified_reason = ""
        else:
            warnings.append(Problem(row.line_number, "reference", _(
                "%(reason)s; el pago queda en la bandeja de pagos no identificados.") % {
                "reason": row.unidentified_reason[:1].upper() + row.unidentified_reason[1:]},
                WARNING))
    return warnings


def _candidates(text: str) -> set[str]:
    return set(TOKEN_RE.findall(text.upper()))


def _match_by_folio(rows: list[ParsedRow], Credit) -> None:  # type: ignore[no-untyped-def]
    tokens: set[str] = set()
    for row in rows:
        tokens |= _candidates(row.concept) | _candidates(row.reference)
    if not tokens:
        return
    folios: dict[str, int] = {}
    ordered = sorted(tokens)
    for start in range(0, len(ordered), CHUNK):
        folios.update(Credit.objects.filter(folio__in=ordered[start:start + CHUNK])
                      .values_list("folio", "pk"))
    for row in rows:
        hits = {folios[t] for t in _candidates(row.concept) | _candidates(row.reference) if t in folios}
        if len(hits) == 1:
            row.credit_id, row.match = hits.pop(), BankOperation.Match.FOLIO


def _match_by_curp(rows: list[ParsedRow], Credit) -> None:  # type: ignore[no-untyped-def]
    curps = {c for row in rows for c in CURP_RE.findall(row.concept.upper())}
    if not curps:
        return
    credits_of: dict[str, list[int]] = defaultdict(list)
    for curp, pk in (Credit.objects.filter(borrower__curp__in=sorted(curps))
                     .exclude(status=Credit.Status.PAID_OFF).values_list("borrower__curp", "pk")):
        credits_of[curp].append(pk)
    for row in rows:
        found = {pk for c in CURP_RE.findall(row.concept.upper()) for pk in credits_of.get(c, [])}
        if len(found) == 1:
            row.credit_id, row.match = found.pop(), BankOperation.Match.CURP
        elif len(found) > 1:
            row.unidentified_reason += _(" (la CURP del concepto tiene %(n)s créditos)") % {
                "n": len(found)}


def _match_payroll(rows: list[ParsedRow], Credit) -> list[Problem]:  # type: ignore[no-untyped-def]
    """Payroll deductions (layout `nomina`): the folio first, else the employee number of an
    active enrollment (only when it names exactly one credit)."""
    from recupera.payments.models import PayrollEnrollment

    folios = dict(Credit.objects.filter(folio__in=sorted({r.folio for r in rows if r.folio}))
                  .values_list("folio", "pk"))
    by_employee: dict[str, list[int]] = defaultdict(list)
    numbers = sorted({r.employee_number for r in rows if r.employee_number})
    for number, credit_id in PayrollEnrollment.objects.filter(
            active=True, employee_number__in=numbers).values_list("employee_number", "credit_id"):
        by_employee[number].append(credit_id)
    warnings: list[Problem] = []
    for row in rows:
        if row.folio and row.folio in folios:
            row.credit_id, row.match = folios[row.folio], BankOperation.Match.FOLIO
            continue
        found = by_employee.get(row.employee_number, []) if row.employee_number else []
        reason = (_("el folio %(f)s no corresponde a ningún crédito") % {"f": row.folio}
                  if row.folio else _("sin folio"))
        if len(found) == 1:
            row.credit_id, row.match = found[0], BankOperation.Match.EMPLOYEE
            warnings.append(Problem(row.line_number, "folio", _(
                "%(reason)s; se identificó por el número de empleado %(n)s.") % {
                "reason": reason[:1].upper() + reason[1:], "n": row.employee_number}, WARNING))
            continue
        if len(found) > 1:
            reason += _(" y el número de empleado %(n)s tiene %(k)s créditos en nómina") % {
                "n": row.employee_number, "k": len(found)}
        elif row.employee_number:
            reason += _(" y el número de empleado %(n)s no está inscrito en nómina") % {
                "n": row.employee_number}
        row.unidentified_reason = reason
        warnings.append(Problem(row.line_number, "folio", _(
            "%(reason)s; el pago queda en la bandeja de pagos no identificados.") % {
            "reason": reason[:1].upper() + reason[1:]}, WARNING))
    return warnings
