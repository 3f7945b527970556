"""A collector signs in, types a folio in the search box and lands on the credit page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from recupera.core.money import format_mxn

pytestmark = pytest.mark.browser

BUSINESS_DATE = dt.date(2025, 11, 27)
FOLIO = "CE-2024-000777"


@pytest.fixture
def overdue_credit():
    from recupera.core.services import business_date_set
    from recupera.credits.models import Product
    from recupera.credits.services import credit_create, disbursement_add, payment_post
    from recupera.people.models import ContactPoint, Person
    from recupera.people.names import search_name

    business_date_set(actor=None, business_date=BUSINESS_DATE)
    people = [Person.objects.create(curp=curp, first_name=first, last_name=last,
                                    second_last_name=second, sex=sex, birth_date=dt.date(2001, 5, 4),
                                    search_name=search_name(first, last, second))
              for curp, first, last, second, sex in (
                  ("VARM010504MSRLMRA3", "María Fernanda", "Valenzuela", "Romero", "M"),
                  ("DUEJ750211HSRRNS09", "Jesús", "Durazo", "Encinas", "H"))]
    ContactPoint.objects.create(person=people[0], kind="phone", value="+526621234567",
                                digits="6621234567", label="celular", is_primary=True)
    credit = credit_create(actor=None, folio=FOLIO, product=Product.objects.get(code="CE"),
                           borrower=people[0], guarantors=[people[1]],
                           school="Universidad de Sonora", career="Ingeniería Civil",
                           first_due_date=dt.date(2025, 1, 15), term_months=24)
    disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2023, 8, 15),
                     amount=Decimal("15000.00"))
    disbursement_add(actor=None, credit=credit, number=2, date=dt.date(2024, 1, 15),
                     amount=Decimal("15000.00"))
    for k, (on, amount) in enumerate(((dt.date(2025, 1, 15), "1330.00"),
                                      (dt.date(2025, 2, 20), "1330.00"),
                                      (dt.date(2025, 4, 2), "2000.00"))):
        payment_post(actor=None, credit=credit, amount=Decimal(amount), value_date=on,
                     channel="banco", natural_key=f"e2e-{k}", as_of=BUSINESS_DATE)
    return credit


def test_collector_finds_a_credit_by_folio_and_sees_the_payoff(
        live_server, browser_page, login, make_user, overdue_credit, screenshot):
    from recupera.core.roles import Role
    from recupera.credits.engine_io import credit_state
    from recupera.credits.selectors import credit_detail

    state = credit_state(credit_detail(folio=FOLIO), as_of=BUSINESS_DATE)
    payoff = format_mxn(state.payoff_amount)
    from recupera.collections.services import case_open, cases_reassign

    collector = make_user(Role.COLLECTOR, username="gestora", first_name="Lucía")
    case = case_open(actor=None, credit=overdue_credit, as_of=BUSINESS_DATE)  # her case
    cases_reassign(actor=None, cases=[case], collector=collector, reason="asignación", as_of=BUSINESS_DATE)

    page = login(collector)
    page.fill("#q", FOLIO)
    page.press("#q", "Enter")
    page.wait_for_url(f"**/creditos/{FOLIO}/")

    assert page.locator("h1").inner_text().split()[:2] == ["Crédito", FOLIO]
    payoff_box = page.locator(".keyfig.payoff")
    assert payoff_box.inner_text().split() == ["Monto", "para", "liquidar", "al", "27/11/2025:", payoff]
    assert page.locator("#total-vencido").inner_text() == format_mxn(state.total_overdue)
    assert page.locator("table.schedule tbody tr").count() == 24
    assert page.get_by_role("link", name="Estado de cuenta (PDF)").is_visible()
    screenshot(page, "credit_page")

    # The as-of selector: a bad date is explained in Spanish and the page stays usable.
    page.fill("#as_of", "32/13/2025")
    page.press("#as_of", "Enter")
    page.wait_for_load_state()
    assert "no es una fecha válida" in page.locator("#as-of-error").inner_text()
    assert page.locator("#monto-liquidar").inner_text() == payoff
