"""The privacy documents (WeasyPrint, through credits.pdf): the access export and the answer to
an ARCO request. The export PDF is rendered from the JSON frozen on the request, so the PDF and
the JSON delivered to the titular say the same thing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from recupera.core.money import format_mxn
from recupera.privacy.models import ArcoRequest

MONEY_KEYS = frozenset({"capital_ministrado", "saldo_de_capital", "total_vencido",
                        "monto_para_liquidar", "importe", "pagado", "adeudo", "paga", "condona"})
LABELS = {
    "curp": "CURP", "rfc": "RFC", "nombre": "Nombre", "primer_apellido": "Primer apellido",
    "segundo_apellido": "Segundo apellido", "fecha_nacimiento": "Fecha de nacimiento",
    "sexo": "Sexo", "datos_bloqueados": "Datos bloqueados", "alta": "Alta", "tipo": "Tipo",
    "valor": "Valor", "etiqueta": "Etiqueta", "principal": "Principal", "vigente": "Vigente",
    "origen": "Origen", "domicilio": "Domicilio", "folio": "Folio", "papel": "Papel",
    "producto": "Producto", "estado": "Estado", "saldos_al": "Saldos al",
    "capital_ministrado": "Capital ministrado", "saldo_de_capital": "Saldo de capital",
    "total_vencido": "Total vencido", "monto_para_liquidar": "Monto para liquidar",
    "dias_de_atraso": "Días de atraso", "fecha": "Fecha", "importe": "Importe", "canal": "Canal",
    "credito": "Crédito", "etapa": "Etapa", "abierto_el": "Abierto el", "cerrado_el": "Cerrado el",
    "gestor": "Gestor", "persona_contactada": "Persona contactada", "resultado": "Resultado",
    "notas": "Notas", "hecha_el": "Hecha el", "fecha_prometida": "Fecha prometida",
    "pagado": "Pagado", "adeudo": "Adeudo", "paga": "Paga", "condona": "Condona",
    "quien_llamo": "Quién llamó", "telefono": "Teléfono", "recado": "Recado",
    "version": "Versión", "donde": "Dónde", "medio": "Medio", "desde": "Desde",
    "derecho": "Derecho", "recibida_el": "Recibida el", "usuario": "Usuario", "accion": "Acción",
    "objeto": "Objeto",
}
SECTIONS = [
    ("medios_de_contacto", "Medios de contacto"),
    ("domicilios", "Domicilios"),
    ("creditos", "Créditos (como acreditado o aval)"),
    ("casos_de_cobranza", "Casos de cobranza"),
    ("convenios", "Convenios y ofertas"),
    ("recados", "Recados"),
    ("avisos_de_privacidad", "Avisos de privacidad mostrados"),
    ("oposiciones", "Oposiciones a medios de contacto"),
    ("solicitudes_arco", "Solicitudes ARCO"),
    ("bitacora_de_cambios", "Bitácora de cambios a sus datos"),
    ("consultas_de_sus_datos", "Consultas de sus datos por el personal"),
]
NESTED_TITLES = {"movimientos": "Movimientos del crédito", "gestiones": "Gestiones del caso",
                 "promesas": "Promesas de pago del caso"}


def _cell(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if key in MONEY_KEYS:
        return format_mxn(Decimal(str(value)))
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if "T" in value:
                moment = dt.datetime.fromisoformat(value)
                return f"{moment:%d/%m/%Y %H:%M}"
            return f"{dt.date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    return str(value)


def _table(title: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k in (rows[0] if rows else {}) if not isinstance(rows[0][k], list)]
    return {"title": title, "columns": [LABELS.get(k, k) for k in keys],
            "rows": [[_cell(k, row.get(k)) for k in keys] for row in rows]}


def export_sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The export's lists as titled tables (nested lists become their own tables)."""
    out: list[dict[str, Any]] = []
    for key, title in SECTIONS:
        rows = data.get(key) or []
        out.append(_table(title, rows))
        for row in rows:
            for nested_key, nested_title in NESTED_TITLES.items():
                nested = row.get(nested_key)
                if nested:
                    owner = row.get("folio") or row.get("credito") or ""
                    out.append(_table(f"{nested_title} {owner}".strip(), nested))
    return out


def export_summary(data: dict[str, Any] | None) -> list[tuple[str, int]]:
    if not data:
        return []
    return [(title, len(data.get(key) or [])) for key, title in SECTIONS]


def export_pdf(arco: ArcoRequest, *, request: Any = None) -> bytes:
    from recupera.credits.pdf import render_pdf

    data = arco.export_data or {}
    person = data.get("persona") or {}
    return render_pdf("privacy/pdf/export.html", {
        "document_title": "Exportación de datos personales", "arco": arco,
        "generated_at": timezone.localtime(),
        "person_rows": [(LABELS.get(k, k), _cell(k, v)) for k, v in person.items()],
        "sections": export_sections(data) if person else [],
        "note": data.get("nota", ""),
        "as_of": _cell("fecha", data.get("fecha_de_operacion")),
    }, request=request)


def response_pdf(arco: ArcoRequest, *, request: Any = None) -> bytes:
    from recupera.credits.pdf import render_pdf

    return render_pdf("privacy/pdf/response.html", {
        "document_title": "Respuesta a solicitud de derechos ARCO", "arco": arco,
        "generated_at": timezone.localtime(),
    }, request=request)
