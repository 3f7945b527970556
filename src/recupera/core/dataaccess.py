"""The personal-data view log: who saw whose personal data, what, and when (issue #21 item 5).

Personal data here are a person's identifying and contact data: CURP, RFC, birth date, phones,
e-mails and addresses. A page, PDF, export or API answer that shows any of them to a user calls
:func:`record_view` with the ids of the persons shown, a code of what was shown (``WHAT``) and
the fields. A name alone (lists of credits, the work queue) is not logged.

Cost: the views of one request are collected in memory and written by
:class:`PersonalDataViewMiddleware` in ONE bulk insert after the response is ready, and only
when the response is a success (a refused or failed request showed nothing). Outside a request
(the CLI, tasks) :func:`record_view` writes at once, also in one insert.

The rows live in ``people.PersonViewLog`` (user, the username as it was, person, what, fields,
when); Auditoría reads them at /auditoria/consultas/ (people/views_dataaccess.py).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

# What was shown: code stored in the log -> Spanish label on screens and exports.
WHAT: dict[str, Any] = {
    "persona.ficha": _("Ficha de la persona"),
    "persona.lista": _("Lista o búsqueda de personas"),
    "credito.ficha": _("Ficha del crédito"),
    "credito.estado_pdf": _("Estado de cuenta (PDF)"),
    "caso.ficha": _("Ficha del caso"),
    "llamada.busqueda": _("Llamada entrante"),
    "cartas.pdf": _("Cartas de cobranza (PDF)"),
    "convenio.pdf": _("Convenio o carta de finiquito (PDF)"),
    "nomina.exportacion": _("Archivo de descuento vía nómina"),
    "resguardo.copia": _("Copia digital de un documento en resguardo"),
    "api.persona": _("API: una persona"),
    "api.credito": _("API: un crédito"),
}
ALL_FIELDS = "CURP, RFC, nacimiento, teléfonos, correos, domicilios"

_pending: contextvars.ContextVar[list[tuple[Any, str, str]] | None] = contextvars.ContextVar(
    "recupera_personal_data_views", default=None)


def record_view(*, user: Any, person_ids: Iterable[int | None], what: str, fields: str) -> None:
    """Log that `user` was shown `fields` of these persons through `what` (a WHAT code)."""
    if what not in WHAT:
        raise ValueError(f"unknown personal-data view {what!r}")
    ids = sorted({int(pk) for pk in person_ids if pk})
    if not ids:
        return
    rows = [(pk, what, fields[:200]) for pk in ids]
    pending = _pending.get()
    if pending is not None:
        pending.extend(rows)
        return
    _write(user, rows)


def _write(user: Any, rows: list[tuple[int, str, str]]) -> None:
    from recupera.core import extensions

    seen: set[tuple[int, str]] = set()
    unique = []
    for pk, what, fields in rows:
        if (pk, what) in seen:
            continue
        seen.add((pk, what))
        unique.append((pk, what, fields))
    extensions.write_view_logs(user=user, rows=unique)  # people.services: one insert


class PersonalDataViewMiddleware:
    """Collects a request's personal-data views and writes them in one insert at its end."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rows: list[tuple[int, str, str]] = []
        token = _pending.set(rows)
        try:
            response = self.get_response(request)
        finally:
            _pending.reset(token)
        if rows and response.status_code < 400:
            _write(getattr(request, "user", None), rows)
        return response
