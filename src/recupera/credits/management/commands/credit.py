"""`recupera credit show FOLIO [--as-of YYYY-MM-DD] [--json]`: the credit as the engine sees it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from recupera.core.money import format_mxn

BUCKET_LABELS = {
    "al_corriente": "al corriente", "1-30": "1 a 30 días", "31-60": "31 a 60 días",
    "61-90": "61 a 90 días", "91-180": "91 a 180 días", "181-365": "181 a 365 días",
    "mas_de_365": "más de 365 días",
}
INSTALLMENT_STATUS = {
    "pending": "pendiente", "partial": "parcial", "paid": "pagada", "paid_late": "pagada con atraso",
    "overdue": "vencida", "cancelled": "cancelada",
}


def _date_arg(value: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"«{value}» no es una fecha válida; use el formato AAAA-MM-DD") from exc


def _d(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "—"


def _m(text: str) -> str:
    from decimal import Decimal

    return format_mxn(Decimal(text))


class Command(BaseCommand):
    help = "Consulta de créditos: `credit show FOLIO [--as-of AAAA-MM-DD] [--json]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="acciones")
        show = sub.add_parser("show", help="el crédito como lo calcula el motor a una fecha")
        show.add_argument("folio")
        show.add_argument("--as-of", dest="as_of", type=_date_arg, default=None,
                          help="fecha de cálculo AAAA-MM-DD (por omisión, la fecha de operación)")
        show.add_argument("--json", dest="as_json", action="store_true",
                          help="salida JSON (importes como cadenas con dos decimales)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "show":
            self.show(opts["folio"], opts.get("as_of"), opts.get("as_json", False))

    def show(self, folio: str, as_of: dt.date | None, as_json: bool) -> None:
        from recupera.core.services import business_date_get
        from recupera.credits.engine_io import credit_state, state_json
        from recupera.credits.models import Credit
        from recupera.credits.selectors import credit_detail

        try:
            credit = credit_detail(folio=folio)
        except Credit.DoesNotExist:
            self.stderr.write(f"Error: no existe el crédito con folio «{folio}».")
            raise SystemExit(1) from None
        as_of = as_of or business_date_get()
        data = state_json(credit, credit_state(credit, as_of=as_of))
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self.summary(credit, data))

    def summary(self, credit: Any, data: dict[str, Any]) -> str:
        lines = [
            f"Crédito {data['folio']} · {credit.product.name}",
            f"Acreditado: {data['borrower']['name']} (CURP {data['borrower']['curp']})",
            f"Calculado al {_d(data['as_of'])} · Estado: {credit.Status(data['status']).label}",
            f"Días de atraso: {data['days_past_due']} ({BUCKET_LABELS.get(data['bucket'], data['bucket'])})",
            "",
            f"  Capital ministrado       {_m(data['principal_disbursed']):>16}",
            f"  Saldo de capital         {_m(data['principal_outstanding']):>16}",
            f"  Capital vencido          {_m(data['overdue_principal']):>16}",
            f"  Interés ordinario vencido{_m(data['overdue_interest']):>16}",
            f"  Interés moratorio        {_m(data['late_interest']):>16}",
            f"  Gastos de cobranza       {_m(data['fees_due']):>16}",
            f"  Total vencido            {_m(data['total_overdue']):>16}",
            f"  Monto para liquidar      {_m(data['payoff_amount']):>16}",
            f"  Saldo a favor            {_m(data['credit_balance']):>16}",
            f"  Mensualidad              {_m(data['installment_amount']):>16}",
            f"  Próximo vencimiento      {_d(data['next_due_date']):>16}",
            "",
        ]
        active = [i for i in data["installments"] if i["status"] != "cancelled"]
        if active:
            lines.append(" Núm.  Vence       Capital       Interés   Bonificación  Estado")
            for i in active:
                lines.append(
                    f" {i['number']:>4}  {_d(i['due_date'])}  {_m(i['principal']):>12}  "
                    f"{_m(i['interest']):>12}  {_m(i['rebate']):>12}  "
                    f"{INSTALLMENT_STATUS.get(i['status'], i['status'])}")
            lines.append("")
        if data["payments"]:
            lines.append("Movimientos:")
            for p in data["payments"]:
                note = f" ({p['rejected_reason']})" if p["rejected_reason"] else ""
                lines.append(f"  {_d(p['date'])}  {p['kind']:<12} {_m(p['amount']):>14}  "
                             f"{p['channel']}{note}")
        return "\n".join(lines)
