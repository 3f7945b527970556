"""Issue #21 item 12: Auditoría reads the personal-data view log with filters (person, user,
dates), paginated, and exports it to CSV and Excel (cells made safe)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from recupera.people.models import Person, PersonViewLog

pytestmark = pytest.mark.django_db
URL = reverse("audit:data_views")


@pytest.fixture
def viewed(make_case, collector, supervisor, client_for):
    """The collector opened their case's borrower; the supervisor opened another credit."""
    mine = make_case()
    other = make_case(collector=None)
    client_for(collector).get(reverse("people:detail", args=[mine.credit.borrower_id]))
    client_for(supervisor).get(reverse("credits:detail", args=[other.credit.folio]))
    return mine.credit.borrower, other.credit.borrower


def _body(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_auditor_filters_by_person_user_and_dates(viewed, auditor, collector, client_for):
    mine, other = viewed
    client = client_for(auditor)
    html = client.get(URL).content.decode()
    assert "Consultas de datos personales" in html and "Exportar Excel" in html
    body = _body(client.get(URL, {"person": mine.curp}).content.decode())
    assert mine.full_name in body and "gestor1" in body and "Ficha de la persona" in body
    assert "jefe1" not in body
    body = _body(client.get(URL, {"user": collector.pk}).content.decode())
    assert body.count("<tr>") == 1 and "Ficha de la persona" in body
    body = _body(client.get(URL, {"person": str(other.pk)}).content.decode())
    assert "jefe1" in body and "Ficha del crédito" in body and "gestor1" not in body
    today = dt.date.today()
    body = _body(client.get(URL, {"date_from": (today + dt.timedelta(days=1)).strftime("%d/%m/%Y")})
                 .content.decode())
    assert "No hay consultas con esos filtros." in body
    html = client.get(URL, {"date_from": "27/11/2026", "date_to": "01/11/2026"}).content.decode()
    assert "La fecha «hasta» es anterior a la fecha «desde»." in html


def test_page_is_paginated_in_a_fixed_number_of_queries(viewed, auditor, client_for,
                                                        django_assert_num_queries):
    mine, _other = viewed
    PersonViewLog.objects.bulk_create([PersonViewLog(person=mine, username="x", what="persona.ficha")
                                       for _ in range(60)])
    client = client_for(auditor)
    client.get(URL)
    # session, user, roles, menu's messages, business date, the users of the filter, count, page
    with django_assert_num_queries(8) as first:
        html = client.get(URL).content.decode()
    assert _body(html).count("<tr>") == 50 and "Siguiente" in html and "64 consultas" in html
    with django_assert_num_queries(len(first.captured_queries)):
        assert _body(client.get(URL, {"page": 2}).content.decode()).count("<tr>") == 14


def test_csv_and_excel_exports_are_safe(viewed, auditor, client_for):
    from openpyxl import load_workbook

    mine, _other = viewed
    Person.objects.filter(pk=mine.pk).update(first_name='=HYPERLINK("http://evil.example")',
                                             last_name="+cmd|' /C calc'!A0", second_last_name="")
    client = client_for(auditor)
    response = client.get(URL, {"person": str(mine.pk), "formato": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Fecha y hora", "Usuario", "Persona (id)", "Persona", "Consulta", "Datos mostrados"]
    assert rows[1][1:] == ["gestor1", str(mine.pk), "'=HYPERLINK(\"http://evil.example\") +cmd|' /C calc'!A0",
                           "Ficha de la persona", "CURP, RFC, nacimiento, teléfonos, correos, domicilios"]
    response = client.get(URL, {"person": str(mine.pk), "formato": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][3] == "'=HYPERLINK(\"http://evil.example\") +cmd|' /C calc'!A0"
    assert values[1][1] == "gestor1" and len(values) == 2


def test_an_export_over_the_limit_is_refused_on_screen(viewed, auditor, client_for, monkeypatch):
    from recupera.people import views_dataaccess

    monkeypatch.setattr(views_dataaccess, "EXPORT_MAX", 1)
    response = client_for(auditor).get(URL, {"formato": "csv"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "<tbody>" in html
    assert "La exportación tiene un máximo de 1 renglones" in html


def test_only_audit_and_the_officer_read_it(viewed, collector, it_admin, officer, client_for):
    assert client_for(collector).get(URL).status_code == 403
    assert client_for(it_admin).get(URL).status_code == 403
    assert client_for(officer).get(URL).status_code == 200
