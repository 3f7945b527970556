"""The goals pages: what a collector, the Jefe and the Subdirección see, who may see what, the
drill-down equals the recovered figure and the Excel export, and each page's query count."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

from openpyxl import load_workbook

from recupera.core.roles import Role

MARCH = "2025-03"


def test_collector_home_shows_goal_progress_and_what_is_missing(month_setup, client_for, collector):
    page = client_for(collector).get("/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Mi día" in text and "$4,000.00" in text and "$1,250.50" in text
    assert "31.3 %" in text  # 1,250.50 / 4,000.00
    # 2,749.50 missing over the 14 business days after Monday 10/03/2025 (17/03 is a holiday)
    assert "$196.39" in text and "quedan 14 días hábiles" in text


def test_home_of_other_roles_has_no_goal_panel(month_setup, client_for, supervisor):
    assert "Mi día" not in client_for(supervisor).get("/").content.decode()


def test_home_query_count_is_fixed(month_setup, client_for, collector, django_assert_max_num_queries):
    client = client_for(collector)
    client.get("/")
    with django_assert_max_num_queries(22) as ctx:
        client.get("/")
    first = len(ctx.captured_queries)
    from tests.goals.conftest import unassigned_payment

    unassigned_payment(dt.date(2025, 3, 8))
    with django_assert_max_num_queries(first):
        client.get("/")


def test_team_dashboard_lists_collectors_charts_and_productivity(month_setup, client_for, supervisor,
                                                                  django_assert_max_num_queries):
    client = client_for(supervisor)
    client.get(f"/metas/equipo/?mes={MARCH}")
    with django_assert_max_num_queries(25) as ctx:
        page = client.get(f"/metas/equipo/?mes={MARCH}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Lucía" in text and "Mario Soto" in text
    assert "$1,250.50" in text and "$400.00" in text and "$300.00" in text  # sin gestor
    assert "$1,950.50" in text and "19.5 %" in text  # total against the institute's $10,000.00
    assert text.count('src="data:image/svg+xml;base64,') >= 4  # 2 charts + sparklines
    n = len(ctx.captured_queries)
    from tests.goals.conftest import unassigned_payment

    unassigned_payment(dt.date(2025, 3, 9))
    with django_assert_max_num_queries(n):
        client.get(f"/metas/equipo/?mes={MARCH}")


def test_drill_down_sums_to_the_recovered_figure_and_the_excel_agrees(month_setup, client_for, supervisor,
                                                                      collector):
    from recupera.core.calendar import business_calendar
    from recupera.goals.selectors import collector_month

    client = client_for(supervisor)
    page = client.get(f"/metas/equipo/{collector.pk}/pagos/?mes={MARCH}").content.decode()
    recovered = collector_month(collector, dt.date(2025, 3, 1), business_calendar()).recovered
    assert recovered == D("1250.50")
    assert 'data-testid="total">$1,250.50<' in page
    assert "Reversa" in page and "-$200.00" in page and "Nómina" in page
    wb = load_workbook(io.BytesIO(client.get(f"/metas/exportar.xlsx?mes={MARCH}").content))
    rows = list(wb["Gestores"].iter_rows(min_row=3, values_only=True))
    mine = next(r for r in rows if r[0] == "gestor1")
    assert D(str(mine[3])) == recovered
    detail = [r for r in wb["Pagos atribuidos"].iter_rows(min_row=2, values_only=True) if r[0] == "gestor1"]
    assert sum(D(str(r[7])) for r in detail) == recovered and len(detail) == 4
    total = next(r for r in rows if r[1] == "Total")
    assert D(str(total[3])) == D("1950.50")


def test_permissions(month_setup, client_for, collector, auditor, make_user):
    assert client_for(collector).get(f"/metas/equipo/?mes={MARCH}").status_code == 403
    assert client_for(collector).get("/metas/instituto/").status_code == 403
    assert client_for(collector).get("/metas/fijar/").status_code == 403
    assert client_for(auditor).get(f"/metas/equipo/?mes={MARCH}").status_code == 200
    assert client_for(auditor).get("/metas/fijar/").status_code == 403
    cashier = make_user(Role.CASHIER)
    assert client_for(cashier).get("/metas/instituto/").status_code == 403


def test_institute_page(month_setup, client_for, portfolio_officer, django_assert_max_num_queries):
    client = client_for(portfolio_officer)
    client.get(f"/metas/instituto/?mes={MARCH}")
    with django_assert_max_num_queries(25):
        page = client.get(f"/metas/instituto/?mes={MARCH}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "$1,950.50" in text and "Últimos 12 meses" in text and "Marzo de 2025" in text
    assert "Temprana" in text or "Tardía" in text or "Preventiva" in text
    assert "Sin caso" in text  # the $300.00 without a case


def test_set_goals_page_proposes_then_saves(month_setup, client_for, supervisor, collector, collector_b):
    from recupera.core.services import business_date_set
    from recupera.goals.models import Goal

    business_date_set(actor=None, business_date=dt.date(2025, 3, 28))
    client = client_for(supervisor)
    page = client.post("/metas/fijar/", {"mes": "2025-04", "institute": "9000.01", "metodo": "igual",
                                         "accion": "proponer"})
    text = page.content.decode()
    assert "4500.01" in text and "4500.00" in text and "Propuesta de reparto" in text
    assert not Goal.objects.filter(month=dt.date(2025, 4, 1)).exists()
    page = client.post("/metas/fijar/", {"mes": "2025-04", "institute": "9000.01", "accion": "guardar",
                                         f"gestor_{collector.pk}": "4500.01", f"gestor_{collector_b.pk}": "abc"})
    assert page.status_code == 422
    assert "«abc» no es un importe válido" in page.content.decode()
    page = client.post("/metas/fijar/", {"mes": "2025-04", "institute": "9000.01", "accion": "guardar",
                                         f"gestor_{collector.pk}": "4500.01", f"gestor_{collector_b.pk}": "4500.00",
                                         f"desde_{collector_b.pk}": "15/04/2025"}, follow=True)
    assert "Metas de abril de 2025 guardadas (3 cambios)." in page.content.decode()
    assert Goal.objects.get(month=dt.date(2025, 4, 1), collector=collector_b).active_from == dt.date(2025, 4, 15)
    # March has started: a change needs the reason
    page = client.post("/metas/fijar/", {"mes": MARCH, "accion": "guardar", f"gestor_{collector.pk}": "5000"})
    assert page.status_code == 422 and "escriba el motivo del cambio" in page.content.decode()
    # February is read-only
    page = client.get("/metas/fijar/?mes=2025-02").content.decode()
    assert "los meses pasados son de solo lectura" in page


def test_scorecard_pdf(month_setup, client_for, collector):
    response = client_for(collector).get(f"/metas/equipo/{collector.pk}/boleta.pdf?mes={MARCH}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_collector_may_not_read_anothers_scorecard(month_setup, client_for, collector, collector_b):
    assert client_for(collector).get(f"/metas/equipo/{collector_b.pk}/boleta.pdf").status_code == 403
