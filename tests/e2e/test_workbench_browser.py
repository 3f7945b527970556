"""Acceptance (issue 5): a collector opens the first case of the queue and logs a call with a
promise; the supervisor sees it; a payment on the promise date keeps it; a missed promise is
broken and puts its case back at the top of the queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from recupera.core.roles import Role

AS_OF = dt.date(2025, 3, 10)
DUE = dt.date(2025, 3, 14)

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _credit(n: int, amount: str):
    from recupera.credits.models import Product
    from recupera.credits.services import credit_create, credit_refresh, disbursement_add
    from recupera.people.models import ContactPoint, Person
    from recupera.people.names import search_name

    people = []
    for i, (first, last) in enumerate((("Ana", "López"), ("Jorge", "Ruiz"))):
        person = Person.objects.create(curp=f"BRWS{n}{i}0505MSRPTN0{n}"[:18], first_name=first,
                                       last_name=last, second_last_name="Soto", sex="M",
                                       birth_date=dt.date(1995, 5, 5), search_name=search_name(first, last, "Soto"))
        ContactPoint.objects.create(person=person, kind="phone", value=f"+5266210000{n}{i}",
                                    digits=f"66210000{n}{i}", is_primary=True)
        people.append(person)
    credit = credit_create(actor=None, folio=f"E2E-{n}", product=Product.objects.get(code="CE"),
                           borrower=people[0], guarantors=[people[1]], first_due_date=dt.date(2025, 1, 15),
                           term_months=24)
    disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2022, 1, 10), amount=Decimal(amount))
    credit_refresh(credit=credit, as_of=AS_OF)
    return credit


def _log_promise(page, amount: str) -> None:
    page.select_option("#id_channel", "llamada_entrante")
    page.select_option("#id_party", "acreditado")
    page.select_option("#id_outcome", label="Promesa de pago")
    page.fill("#id_promise_due_on", DUE.strftime("%d/%m/%Y"))
    page.fill("#id_notes", "Promete pagar el viernes en BBVA")
    page.fill("#id_promise_amount", amount)
    page.press("#id_promise_amount", "Enter")  # keyboard: Enter submits (htmx)
    page.wait_for_selector("text=Gestión registrada.")


def test_collector_promise_supervisor_kept_and_broken(live_server, browser_page, login, make_user,
                                                      screenshot):
    from recupera.collections import services
    from recupera.collections.models import Case, Promise
    from recupera.core.models import OperatingDate
    from recupera.credits.services import payment_post

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
    collector = make_user(Role.COLLECTOR, username="gestora", first_name="Lucía")
    supervisor = make_user(Role.SUPERVISOR, username="jefe", first_name="Ramón")
    big, small = _credit(1, "40000.00"), _credit(2, "6000.00")
    services.cases_sync(actor=None, as_of=AS_OF)
    services.cases_reassign(actor=supervisor, cases=list(Case.objects.all()), collector=collector,
                            reason="Cartera inicial", as_of=AS_OF)
    first, second = Case.objects.get(credit=big), Case.objects.get(credit=small)

    # The collector opens the first case of the queue with the keyboard and logs a promise.
    page = login(collector)
    page.goto(f"{live_server.url}/cobranza/")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    assert "E2E-1" in rows.nth(0).inner_text() and "Atraso de" in rows.nth(0).inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cobranza/caso/{first.pk}/")
    _log_promise(page, "1500.00")
    assert "Pendiente" in page.inner_text("section[aria-labelledby=promesas]")
    screenshot(page, "workbench-case-promise")

    # ... and the second case (j moves down, Enter opens).
    page.goto(f"{live_server.url}/cobranza/")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cobranza/caso/{second.pk}/")
    _log_promise(page, "800.00")

    # The supervisor sees the action and the promise.
    page.click("text=Salir")
    page = login(supervisor)
    page.goto(f"{live_server.url}/cobranza/equipo/")
    assert "Lucía" in page.inner_text("table.team")
    page.goto(f"{live_server.url}/cobranza/caso/{first.pk}/")
    body = page.inner_text("main")
    assert "Promesa de pago" in body and "Promete pagar el viernes" in body and "$1,500.00" in body

    # A payment on the promise date keeps the first promise; the second is missed.
    payment_post(actor=None, credit=big, amount=Decimal("1500.00"), value_date=DUE, channel="banco",
                 natural_key="e2e-1", as_of=DUE)
    services.promises_evaluate(as_of=DUE)
    services.promises_evaluate(as_of=DUE + dt.timedelta(days=1))
    assert Promise.objects.get(case=first).status == "cumplida"
    assert Promise.objects.get(case=second).status == "incumplida"
    page.reload()
    assert "Cumplida" in page.inner_text("section[aria-labelledby=promesas]")

    # The broken promise puts the second case back at the top of the collector's queue.
    OperatingDate.objects.filter(pk=1).update(business_date=DUE + dt.timedelta(days=1))
    page.click("text=Salir")
    page = login(collector)
    page.goto(f"{live_server.url}/cobranza/")
    top = page.locator("table.queue tbody tr").nth(0).inner_text()
    assert "E2E-2" in top and "Promesa incumplida" in top
    screenshot(page, "workbench-queue-broken-promise")
    page.goto(f"{live_server.url}/cobranza/caso/{second.pk}/")
    assert "Incumplida" in page.inner_text("section[aria-labelledby=promesas]")
