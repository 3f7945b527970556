"""Acceptance (issue 7): a gestor simulates a payment plan beyond their authority, the supervisor
approves it in «Autorizaciones», the convenio de pago PDF is produced and the plan's first
payment (the down payment) shows on the credit page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from recupera.core.roles import Role

AS_OF = dt.date(2024, 6, 20)

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _overdue_credit():
    """12,000 disbursed 15/01/2023, 12 installments from 15/01/2024: six months overdue."""
    from recupera.credits.models import Product
    from recupera.credits.services import credit_create, credit_refresh, disbursement_add
    from recupera.people.models import Person

    people = [Person.objects.create(curp=curp, first_name=first, last_name=last, second_last_name="Soto",
                                    sex="M", birth_date=dt.date(1995, 5, 5), search_name=f"{first} {last}".upper())
              for curp, first, last in (("CONV950505MSRPTN01", "Ana", "López"),
                                        ("CONV950505HSRPTN02", "Jorge", "Ruiz"))]
    credit = credit_create(actor=None, folio="E2E-CONV-1", product=Product.objects.get(code="CE"),
                           borrower=people[0], guarantors=[people[1]], first_due_date=dt.date(2024, 1, 15),
                           term_months=12)
    disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2023, 1, 15), amount=Decimal("12000.00"))
    credit_refresh(credit=credit, as_of=AS_OF)
    return credit


def test_plan_beyond_authority_approved_pdf_and_first_payment(live_server, browser_page, login, make_user,
                                                             screenshot):
    from recupera.agreements.models import Agreement
    from recupera.collections.services import case_open, cases_reassign
    from recupera.core.models import OperatingDate
    from recupera.credits.services import payment_post

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
    collector = make_user(Role.COLLECTOR, username="gestora", first_name="Lucía")
    supervisor = make_user(Role.SUPERVISOR, username="jefe", first_name="Ramón")
    credit = _overdue_credit()
    case = case_open(actor=None, credit=credit, as_of=AS_OF, origin="automatico")
    cases_reassign(actor=None, cases=[case], collector=collector, reason="prueba", as_of=AS_OF)

    # The gestor simulates and proposes 100 % of late interest in 10 payments (beyond a gestor).
    page = login(collector)
    page.goto(f"{live_server.url}/convenios/simular/{credit.folio}/")
    assert "$12,410.41" in page.inner_text("main")
    page.select_option("#id_kind", "convenio")
    page.fill("#id_late_interest_pct", "100")
    page.fill("#id_down_payment", "2000.00")
    page.fill("#id_installments", "10")
    page.fill("#id_first_due_date", "20/07/2024")
    page.fill("#id_reason", "Recuperó empleo; paga enganche en caja")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/convenios/*/")
    assert "requiere autorización de Jefe de Departamento" in page.inner_text("main")
    agreement = Agreement.objects.get(credit=credit)
    assert agreement.status == Agreement.Status.PENDING
    assert page.inner_text("#estado-convenio") == "Por autorizar"
    screenshot(page, "agreements-offer-pending")

    # The supervisor approves it in «Autorizaciones».
    page.click("text=Salir")
    page = login(supervisor)
    page.click("nav >> text=Autorizaciones")
    row = page.locator(f"#convenio-{agreement.pk}")
    assert "$12,291.63" in row.inner_text()
    row.locator("input[name=comment]").fill("Procede")
    row.locator("button[value=aprobar]").click()
    page.wait_for_selector("#sin-pendientes")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.IN_FORCE

    # The convenio de pago PDF.
    page.goto(f"{live_server.url}/convenios/{agreement.pk}/")
    assert page.inner_text("#estado-convenio") == "Vigente"
    href = page.get_attribute("#documento", "href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body()[:5] == b"%PDF-"

    # The plan's first payment (the down payment) shows on the credit page.
    payment_post(actor=None, credit=credit, amount=Decimal("2000.00"), value_date=AS_OF, channel="caja",
                 natural_key="e2e-enganche", as_of=AS_OF)
    page.goto(f"{live_server.url}/creditos/{credit.folio}/")
    movements = page.inner_text("section[aria-labelledby=h-movimientos]")
    assert "20/06/2024" in movements and "$2,000.00" in movements
    screenshot(page, "agreements-first-payment")


def test_write_off_requested_with_its_document_decided_by_the_committee_then_a_recovery(
        live_server, browser_page, login, make_user, screenshot, settings, tmp_path):
    """The Subdirección requests a write-off with its supporting document, the Dirección / Comité
    authorizes it in «Autorizaciones»: the credit shows nothing owed and «Castigado»; a payment
    received afterwards shows as a recovery."""
    from recupera.agreements.models import Agreement
    from recupera.core.models import OperatingDate
    from recupera.credits.services import payment_post

    settings.MEDIA_ROOT = tmp_path
    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
    officer = make_user(Role.PORTFOLIO_OFFICE, username="subdirectora", first_name="Patricia")
    director = make_user(Role.COMMITTEE, username="director", first_name="Manuel")
    credit = _overdue_credit()
    document = tmp_path / "dictamen.pdf"
    document.write_bytes(b"%PDF-1.4 dictamen")

    page = login(officer)
    page.goto(f"{live_server.url}/convenios/solicitar/{credit.folio}/castigo/")
    assert "Dirección / Comité" in page.inner_text("main")
    page.fill("#id_reason", "Irrecuperable: no localizable, sin bienes")
    page.set_input_files("#id_file", str(document))
    page.fill("#id_description", "Dictamen jurídico")
    page.click("#solicitud button[type=submit]")
    page.wait_for_url("**/convenios/*/")
    agreement = Agreement.objects.get(credit=credit, kind="castigo")
    assert agreement.status == Agreement.Status.PENDING and "Dictamen jurídico" in page.inner_text("#soportes")

    page.click("text=Salir")
    page = login(director)
    page.click("nav >> text=Autorizaciones")
    row = page.locator(f"#convenio-{agreement.pk}")
    assert "$12,410.41" in row.inner_text()
    row.locator("input[name=comment]").fill("Acta de comité 3/2024")
    row.locator("button[value=aprobar]").click()
    page.wait_for_selector("#sin-pendientes")

    payment_post(actor=None, credit=credit, amount=Decimal("1000.00"), value_date=AS_OF, channel="caja",
                 natural_key="e2e-recupera", as_of=AS_OF)
    page.goto(f"{live_server.url}/creditos/{credit.folio}/")
    assert "Castigado" in page.inner_text("h1")
    assert page.inner_text("[data-figure=payoff_amount]") == "$0.00"
    assert page.inner_text("[data-figure=written_off]") == "$11,410.41"
    assert "recuperación de capital castigado" in page.inner_text("section[aria-labelledby=h-movimientos]")
    screenshot(page, "agreements-write-off-recovery")
