"""Acceptance (issue 21): an ARCO access request from the public form to the delivered export.
A titular registers it at /portal/arco/ (no login); the data-protection officer verifies the
identity, generates the export of everything Recupera holds and marks it delivered. Each step is
asserted on screen."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from recupera.core.roles import Role

AS_OF = dt.date(2026, 11, 13)

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOTICE_TEXT = ("El Instituto de Becas y Crédito Educativo del Estado de Sonora es responsable del "
               "tratamiento de sus datos personales, que se usan para administrar y recuperar los "
               "créditos educativos.")


def _titular():
    from recupera.core.services import business_date_set
    from recupera.credits.models import Product
    from recupera.credits.services import credit_create, credit_refresh, disbursement_add
    from recupera.people.services import person_create
    from recupera.people.synthetic import build_curp
    from recupera.privacy.models import PrivacyNotice

    business_date_set(actor=None, business_date=AS_OF)
    PrivacyNotice.objects.create(version="2026-1", text=NOTICE_TEXT, effective_date=dt.date(2026, 1, 1))
    curp = build_curp(first_name="María", last_name="Valenzuela", second_last_name="Ochoa",
                      birth_date=dt.date(1998, 4, 3), sex="M", state_code="SR")
    person, _w = person_create(actor=None, curp=curp, first_name="María", last_name="Valenzuela",
                               second_last_name="Ochoa", phones=["6621234567"])
    credit = credit_create(actor=None, folio="E2E-ARCO-1", product=Product.objects.get(code="CE"),
                           borrower=person, first_due_date=dt.date(2025, 1, 15), term_months=12)
    disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2024, 1, 15),
                     amount=Decimal("12000.00"))
    credit_refresh(credit=credit, as_of=AS_OF)
    return person


def test_public_access_request_to_delivered_export(live_server, browser_page, login, make_user,
                                                   screenshot):
    from recupera.privacy.models import ArcoRequest

    person = _titular()
    officer = make_user(Role.DATA_PROTECTION, username="datos_e2e", first_name="Elena",
                        last_name="Córdova")
    page = browser_page

    # 1. The titular fills the public form (no login), with the notice in view.
    page.goto(f"{live_server.url}/portal/arco/")
    assert "versión 2026-1" in page.inner_text("main")
    page.check("input[name=right][value=acceso]")
    page.fill("#id_first_name", "María")
    page.fill("#id_last_name", "Valenzuela")
    page.fill("#id_second_last_name", "Ochoa")
    page.fill("#id_curp", person.curp)
    page.fill("#id_email", "maria@example.com")
    page.fill("#id_description", "Quiero conocer todos los datos personales que tienen sobre mí.")
    page.check("#id_accept_notice")
    page.click("button[type=submit]")
    acuse = page.inner_text("#acuse")
    folio = re.search(r"ARCO-2026-\d{5}", acuse).group(0)
    assert "Le responderemos a más tardar el 14/12/2026" in acuse
    screenshot(page, "arco-1-acuse")

    # 2. The officer finds it on her page and opens it.
    login(officer)
    page.goto(f"{live_server.url}/privacidad/")
    page.click(f"text={folio}")
    assert page.inner_text("#estado") == "Recibida: identidad por verificar"
    assert "María Valenzuela Ochoa" in page.inner_text("main")  # matched by CURP

    # 3. She records the identity verification.
    page.select_option("#id_id_document", "ine")
    page.fill("#id_id_document_number", "IDMEX1234567")
    page.click("text=Registrar la verificación de identidad")
    assert "Se registró la verificación de identidad." in page.inner_text(".messages")
    assert "Identidad acreditada con Credencial para votar (INE); la verificó Elena Córdova" in \
        page.inner_text("#identidad")
    assert page.inner_text("#estado") == "Identidad verificada: en trámite"

    # 4. She generates the export.
    page.click("text=Generar la exportación de datos")
    assert "Se generó la exportación de los datos personales." in page.inner_text(".messages")
    summary = page.inner_text("#h-exportacion + p + ul")
    assert "Créditos (como acreditado o aval): 1" in summary
    assert "Medios de contacto: 1" in summary
    with page.expect_download() as download:
        page.click("#exportacion >> text=JSON")
    assert download.value.suggested_filename == f"{folio}-datos.json"
    screenshot(page, "arco-2-exportacion")

    # 5. She marks it delivered in person: the request concludes.
    page.select_option("#id_delivery", "ventanilla")
    page.click("text=Marcar como entregada")
    assert "La solicitud quedó concluida: se entregó la respuesta." in page.inner_text(".messages")
    assert page.inner_text("#estado") == "Concluida"
    assert "Entregada en ventanilla, en persona el 13/11/2026." in page.inner_text("#entrega")
    screenshot(page, "arco-3-entregada")
    arco = ArcoRequest.objects.get(folio=folio)
    assert (arco.status, arco.granted, arco.delivery) == ("concluida", True, "ventanilla")
    assert arco.export_data["creditos"][0]["capital_ministrado"] == "12000.00"
