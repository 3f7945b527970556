"""The legal clock on screen: the alerts page (collector / Jefe), the case page and the
credit page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 26)
ALERT_QUERIES = 8  # the Jefe: one more, the second factor


@pytest.fixture
def flagged(make_case, collector, make_user, settings):
    """Three open cases whose first installment (15/12/2023, 15/02/2024, 15/01/2025) is unpaid:
    two of gestor1 flagged by the close (prescribe 15/12/2026 and 15/02/2027), one of another
    collector flagged too, and a fourth far from its date."""
    from recupera.cob.steps import prescriptions_flag
    from recupera.core.roles import Role
    from recupera.core.services import business_date_set

    other = make_user(Role.COLLECTOR, username="gestor2", first_name="Raúl", last_name="Mora")
    cases = [make_case(first_due_date=dt.date(2023, 12, 15), as_of=AS_OF),
             make_case(first_due_date=dt.date(2024, 2, 15), as_of=AS_OF),
             make_case(first_due_date=dt.date(2024, 1, 15), as_of=AS_OF, collector=other),
             make_case(first_due_date=dt.date(2025, 1, 15), as_of=AS_OF)]
    business_date_set(actor=None, business_date=AS_OF)
    with transaction.atomic():
        prescriptions_flag(as_of=AS_OF, window_days=180)
    return cases


def test_a_collector_sees_the_alerts_of_their_cases_with_the_days_left(flagged, client_for, collector,
                                                                       django_assert_num_queries):
    client = client_for(collector)
    url = reverse("legal:prescription_alerts")
    client.get(url)
    with django_assert_num_queries(ALERT_QUERIES):
        html = client.get(url).content.decode()
    table = html[html.index('id="por-prescribir"'):]
    assert table.count("<tr>") == 3  # head + 2 rows
    assert table.index("15/12/2026") < table.index("15/02/2027")
    assert "Faltan 19 días" in table and "Faltan 81 días" in table
    assert flagged[2].credit.folio not in table and flagged[3].credit.folio not in table
    assert reverse("collections:case", args=[flagged[0].pk]) in table
    assert "Gestor" not in table


def test_the_jefe_sees_every_alert_with_its_collector(flagged, client_for, supervisor,
                                                     django_assert_num_queries):
    from recupera.cob.models import PrescriptionAlert

    client = client_for(supervisor)
    url = reverse("legal:prescription_alerts")
    client.get(url)
    with django_assert_num_queries(ALERT_QUERIES + 1):
        html = client.get(url).content.decode()
    table = html[html.index('id="por-prescribir"'):]
    assert table.count("<tr>") == 4
    PrescriptionAlert.objects.filter(credit_id=flagged[0].credit_id).delete()
    with django_assert_num_queries(ALERT_QUERIES + 1):  # not one query more per row
        assert client.get(url).content.decode().count("Abrir caso") == 2
    assert "Raúl Mora" in table and "Lucía" in table
    assert "15/01/2027" in table and "Faltan 50 días" in table


def test_no_alerts_says_so(client_for, collector):
    html = client_for(collector).get(reverse("legal:prescription_alerts")).content.decode()
    assert "Ningún pagaré de sus casos está próximo a prescribir." in html


def test_case_and_credit_pages_show_the_date_and_why(flagged, client_for, collector, supervisor):
    case = flagged[0]
    html = client_for(collector).get(reverse("collections:case", args=[case.pk])).content.decode()
    assert "15/12/2026" in html and "Faltan 19 días" in html
    assert "Cuenta desde mensualidad impaga más antigua: 15/12/2023." in html
    html = client_for(supervisor).get(reverse("credits:detail", args=[case.credit.folio])).content.decode()
    cell = html[html.index('id="prescripcion"'):]
    assert cell.startswith('id="prescripcion">15/12/2026')
    # the pagaré's row too (not the last installment's 15/11/2028 + 3 years)
    assert "2028" not in html[html.index("disbursements"):html.index("</table>", html.index("disbursements"))]
