"""Acceptance (issue 26): the inventory scan page. The archive opens an inventory of a cabinet,
counts in drawer C1 and types five codes as a barcode scanner does (code + Enter): two of C1's
pagarés, two of C2's (in the wrong drawer) and one unknown code. Each answer is read on screen;
closing the campaign shows exactly that report, with C2's other pagaré missing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from recupera.core.roles import Role

AS_OF = dt.date(2026, 11, 13)

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _archive(archivist):
    """Cabinet G1 with drawers C1 (2 pagarés) and C2 (3 pagarés)."""
    from recupera.core.services import business_date_set
    from recupera.credits.models import Product
    from recupera.credits.services import credit_create, credit_refresh, disbursement_add
    from recupera.custody import services
    from recupera.people.services import person_create
    from recupera.people.synthetic import build_curp

    business_date_set(actor=None, business_date=AS_OF)
    ac = services.location_create(actor=archivist, code="AC", name="Archivo central", kind="archivo")
    s1 = services.location_create(actor=archivist, code="AC-S1", name="Sala 1", kind="sala", parent=ac)
    g1 = services.location_create(actor=archivist, code="AC-S1-G1", name="Gabinete 1", kind="gabinete", parent=s1)
    drawers = [services.location_create(actor=archivist, code=f"AC-S1-G1-C{n}", name=f"Cajón {n}", kind="cajon",
                                        parent=g1) for n in (1, 2)]
    curp = build_curp(first_name="Rosa", last_name="Leyva", second_last_name="Soto",
                      birth_date=dt.date(1999, 5, 3), sex="M", state_code="SR")
    person, _w = person_create(actor=None, curp=curp, first_name="Rosa", last_name="Leyva",
                               second_last_name="Soto", phones=["6621234500"])
    credit = credit_create(actor=None, folio="E2E-RES-1", product=Product.objects.get(code="CE"),
                           borrower=person, first_due_date=dt.date(2026, 1, 15), term_months=24)
    for n in range(1, 6):
        disbursement_add(actor=None, credit=credit, number=n, date=dt.date(2023, 1, 15) + dt.timedelta(days=60 * n),
                         amount=Decimal("8000.00"))
    credit_refresh(credit=credit, as_of=AS_OF)
    items = [services.item_register(actor=archivist, kind="pagare", note=note, as_of=AS_OF,
                                    location=drawers[0] if i < 2 else drawers[1])
             for i, note in enumerate(credit.notes.order_by("signed_on"))]
    return g1, drawers, items


def test_scan_five_codes_two_misplaced_one_unknown(live_server, browser_page, login, make_user, screenshot):
    archivist = make_user(Role.CUSTODY, username="archivo1", first_name="Jesús", last_name="Acosta")
    _g1, drawers, items = _archive(archivist)
    page = login(archivist)

    page.goto(f"{live_server.url}/archivo/inventarios/")
    page.select_option("#id_location", label="AC-S1-G1 · Gabinete 1")
    page.click("button.primary")
    page.wait_for_load_state()
    heading = page.inner_text("h1")
    assert "Inventario INV-" in heading
    # the campaign's own number (PostgreSQL sequences are not rolled back between tests)
    campaign_code = re.search(r"INV-\d+", heading).group(0)
    page.select_option("#id_found_at", label="AC-S1-G1-C1 · Cajón 1")

    expected = [
        (items[0].code, f"{items[0].code} en su lugar."),
        (items[2].code, f"{items[2].code} está fuera de lugar: su lugar es AC-S1-G1-C2."),
        (items[1].code.lower(), f"{items[1].code} en su lugar."),
        ("ZX-998877", "Código desconocido: ZX-998877 no es una etiqueta del archivo."),
        (items[3].code, f"{items[3].code} está fuera de lugar: su lugar es AC-S1-G1-C2."),
    ]
    for code, message in expected:
        field = page.locator("#id_code")
        assert field.evaluate("el => el === document.activeElement"), "el campo del código no tiene el foco"
        page.keyboard.type(code)  # a keyboard-wedge scanner: the code, then Enter
        with page.expect_navigation():  # the form posts and the page comes back with the outcome
            page.keyboard.press("Enter")
        assert page.inner_text("#scan-outcome") == message
        # the drawer being counted stays selected for the next code
        assert page.locator("#id_found_at option:checked").inner_text() == "AC-S1-G1-C1 · Cajón 1"
    assert page.inner_text('dd[data-count="found"]') == "2"
    assert page.inner_text('dd[data-count="misplaced"]') == "2"
    assert page.inner_text('dd[data-count="unknown"]') == "1"
    screenshot(page, "custody-scan")

    page.click("text=Cerrar el inventario")
    page.wait_for_load_state()
    assert f"Inventario {campaign_code} cerrado." in page.inner_text(".messages")
    counts = {key: page.inner_text(f'dd[data-count="{key}"]') for key in
              ("expected", "found", "missing", "misplaced", "unexpected", "unknown")}
    assert counts == {"expected": "5", "found": "2", "missing": "1", "misplaced": "2", "unexpected": "0",
                      "unknown": "1"}
    report = page.inner_text(".report")
    assert f"{items[2].code} — encontrado en AC-S1-G1-C1; su lugar es AC-S1-G1-C2" in report
    assert f"{items[3].code} — encontrado en AC-S1-G1-C1; su lugar es AC-S1-G1-C2" in report
    assert "ZX-998877 — leído en AC-S1-G1-C1" in report
    assert f"{items[4].code} — su lugar es AC-S1-G1-C2" in report
    assert page.locator("#id_code").count() == 0  # a closed inventory takes no more codes
    screenshot(page, "custody-scan-closed")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "custody-scan-closed-phone")
