"""What a signed-in debtor sees and asks, with the engine's figures to the cent."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

ANA_PHONE = "+526621000001"


@pytest.fixture
def ana(client, world, portal_signin):
    return portal_signin(client, "PTL-0001", ANA_PHONE)


def _engine_state(credit):
    from recupera.credits.engine_io import credit_state
    from tests.portal.conftest import AS_OF

    return credit_state(credit, as_of=AS_OF)


def test_credit_page_shows_the_engine_figures(ana, world):
    from recupera.core.money import format_mxn

    state = _engine_state(world.credit)
    page = ana.get("/portal/cuenta/PTL-0001/").content.decode()
    assert state.payoff_amount > 0 and state.total_overdue > 0
    assert format_mxn(state.total_overdue) in page
    assert format_mxn(state.payoff_amount) in page
    assert format_mxn(state.principal_outstanding) in page
    assert f"Tiene pagos atrasados desde hace {state.days_past_due} días" in page
    assert "Cifras al 20/06/2024." in page
    assert "convenio" in page and "referencia" in page


def test_guarantor_sees_what_is_owed_but_not_the_history_or_the_statement(client, world, portal_signin):
    portal_signin(client, "RUIJ900101HSRZRR02", "+526621000002")
    page = client.get("/portal/cuenta/PTL-0001/").content.decode()
    assert "Usted es aval de este crédito" in page and "Para liquidar hoy" in page
    assert "Sus pagos" not in page and "estado-de-cuenta.pdf" not in page
    for path in ("estado-de-cuenta.pdf", "convenio/"):
        assert client.get(f"/portal/cuenta/PTL-0001/{path}").status_code == 404
    assert client.get("/portal/cuenta/PTL-0001/ficha-de-pago.pdf").status_code == 200


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_statement_pdf_is_the_staff_statement(ana, world, tmp_path):
    response = ana.get("/portal/cuenta/PTL-0001/estado-de-cuenta.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "Estado de cuenta" in text and "PTL-0001" in text and "Portal de deudores" not in text[:0]


def test_payment_slip_has_reference_amount_and_a_readable_barcode(ana, world, tmp_path):
    from recupera.core.money import format_mxn
    from recupera.payments.references import payment_references_for

    state = _engine_state(world.credit)
    response = ana.get("/portal/cuenta/PTL-0001/ficha-de-pago.pdf?importe=liquidar")
    assert response.status_code == 200
    text = _pdf_text(response.content, tmp_path)
    refs = payment_references_for(world.credit)
    assert refs
    for ref in refs:
        assert ref["reference"] in text and ref["agreement"] in text
    assert format_mxn(state.payoff_amount) in text
    (tmp_path / "slip.pdf").write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "300", "-f", "1", "-l", "1", str(tmp_path / "slip.pdf"),
                    str(tmp_path / "slip")], check=True)
    png = next(tmp_path.glob("slip*.png"))
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout.split()
    assert sorted(decoded) == sorted(r["reference"] for r in refs)


def test_request_a_plan_reaches_the_collectors_workbench(ana, world, client_for):
    from recupera.agreements.services import offers_simulate
    from recupera.portal.models import PortalRequest
    from tests.portal.conftest import AS_OF

    simulation = offers_simulate(credit=world.credit, as_of=AS_OF)
    plan = next(o for o in simulation["options"] if o["kind"] == "convenio")
    page = ana.get("/portal/cuenta/PTL-0001/convenio/").content.decode()
    assert "Solicitar esta opción" in page
    assert f"{plan['installments']} pagos mensuales" in page
    response = ana.post("/portal/cuenta/PTL-0001/convenio/", {"kind": "convenio"})
    assert response.status_code == 302
    req = PortalRequest.objects.get(kind="plan")
    assert req.collector == world.collector and req.plan["pays"] == plan["pays"]
    assert req.plan["installment_amount"] == plan["installment_amount"]
    # a second one waits for the first
    again = ana.post("/portal/cuenta/PTL-0001/convenio/", {"kind": "convenio"}, follow=True)
    assert "Ya hay una solicitud de convenio de este crédito en revisión" in again.content.decode()
    # the collector sees it in the workbench and opens it in the staff simulator, prefilled
    from django.test import Client

    staff = client_for(world.collector)
    queue = staff.get("/cobranza/").content.decode()
    assert "Solicitudes del portal" in queue and "1" in queue
    listing = staff.get("/cobranza/portal/").content.decode()
    assert "PTL-0001" in listing and "Proponer en el simulador" in listing
    assert f"installments={plan['installments']}" in listing
    staff.post(f"/cobranza/portal/{req.pk}/", {"answer": "Le llamo mañana para firmar."})
    page = ana.get("/portal/cuenta/PTL-0001/").content.decode()
    assert "Le llamo mañana para firmar." in page
    assert Client  # noqa


def test_question_becomes_a_recado_and_the_answer_is_shown(ana, world, client_for):
    from recupera.collections.models import Message

    response = ana.post("/portal/cuenta/PTL-0001/preguntas/", {"text": "¿Puedo pagar en Oxxo?"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.for_user == world.collector and "¿Puedo pagar en Oxxo?" in message.text
    assert message.taken_by.username == "portal" and not message.taken_by.is_active
    staff = client_for(world.collector)
    req_id = world.credit.portal_requests.get().pk
    staff.post(f"/cobranza/portal/{req_id}/", {"answer": "Sí, con la referencia de Banamex."})
    page = ana.get("/portal/cuenta/PTL-0001/preguntas/").content.decode()
    assert "Sí, con la referencia de Banamex." in page


def test_question_without_collector_goes_to_the_supervisors(client, world, portal_signin, supervisor):
    from recupera.collections.models import Message

    portal_signin(client, "PTL-0002", "+526621000003")
    client.post("/portal/cuenta/PTL-0002/preguntas/", {"text": "¿Cuánto debo?"})
    assert list(Message.objects.values_list("for_user__username", flat=True)) == ["jefe1"]


def test_callback_inside_conduct_hours_only(ana, world):
    from recupera.portal.models import PortalRequest

    phone = world.borrower.contact_points.get().pk
    today = timezone.localdate()
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    late = ana.post("/portal/cuenta/PTL-0001/llamenme/", {"day": monday.isoformat(), "time": "23:00",
                                                          "phone": phone})
    assert late.status_code == 422
    assert "Solo llamamos de lunes a viernes, de 07:00 a 22:00 (hora de Sonora)" in late.content.decode()
    sunday = monday - dt.timedelta(days=1)
    assert ana.post("/portal/cuenta/PTL-0001/llamenme/", {"day": sunday.isoformat(), "time": "10:00",
                                                          "phone": phone}).status_code == 422
    ok = ana.post("/portal/cuenta/PTL-0001/llamenme/", {"day": monday.isoformat(), "time": "10:00",
                                                        "phone": phone})
    assert ok.status_code == 302
    req = PortalRequest.objects.get(kind="llamada")
    assert timezone.localtime(req.call_at).strftime("%d/%m/%Y %H:%M") == f"{monday:%d/%m/%Y} 10:00"
    assert req.phone == "+526621000001" and req.collector == world.collector
    # another person's phone is refused
    other = world.other_borrower.contact_points.get().pk
    refused = ana.post("/portal/cuenta/PTL-0001/llamenme/", {"day": monday.isoformat(), "time": "10:00",
                                                             "phone": other})
    assert refused.status_code == 422


def test_pages_load_in_a_fixed_number_of_queries(ana, world, client_for, django_assert_num_queries,
                                                 make_person):
    """The counts do not grow with the debtor's credits, payments or requests."""
    from django.test import Client

    from recupera.portal import services
    from tests.portal.conftest import AS_OF, _overdue

    def counts():
        out = {}
        for path in ("/portal/cuenta/", "/portal/cuenta/PTL-0001/", "/portal/cuenta/PTL-0001/preguntas/"):
            with CaptureQueriesContext(connection) as ctx:
                assert ana.get(path).status_code == 200
            out[path] = len(ctx)
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get("/cobranza/portal/").status_code == 200
        out["staff"] = len(ctx)
        return out

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = Client()
    staff.force_login(world.collector)
    ana.get("/portal/cuenta/PTL-0001/")  # warm the caches (calendar, session)
    staff.get("/cobranza/portal/")
    before = counts()
    # more of everything: another credit, payments, requests
    _overdue("PTL-0003", world.borrower, world.guarantor)
    from recupera.credits.services import payment_post

    for day in (1, 2, 3):
        payment_post(actor=None, credit=world.credit, value_date=AS_OF.replace(day=day), amount="100.00",
                     channel="banco", natural_key=f"t-{day}")
    for n in range(3):
        services.question_ask(actor=world.borrower, credit=world.credit, text=f"pregunta {n}", as_of=AS_OF,
                              now=timezone.now())
    ana.get("/portal/cuenta/PTL-0001/")
    after = counts()
    assert after == before, (before, after)
    with django_assert_num_queries(before["/portal/cuenta/"]):
        ana.get("/portal/cuenta/")
    assert before == {"/portal/cuenta/": PINNED[0], "/portal/cuenta/PTL-0001/": PINNED[1],
                      "/portal/cuenta/PTL-0001/preguntas/": PINNED[2], "staff": PINNED[3]}, before


# session, person, credits and parties; the credit page: + engine inputs, references, agreements,
# payroll, requests; the staff list: session, user, roles, menu counts, the rows.
PINNED = (4, 15, 8, 7)  # the credit page reuses the statement context, which reads the pagarés' legal clock (1 query)


def test_the_debtor_chooses_the_number_of_payments_within_the_policy(ana, world):
    from recupera.agreements.services import offers_simulate
    from recupera.core.money import format_mxn
    from recupera.portal.models import PortalRequest
    from tests.portal.conftest import AS_OF

    twelve = next(o for o in offers_simulate(credit=world.credit, as_of=AS_OF, plan_installments=12)["options"]
                  if o["kind"] == "convenio")
    most = offers_simulate(credit=world.credit, as_of=AS_OF)
    assert twelve["installments"] == 12 < most["max_installments"]
    page = ana.get("/portal/cuenta/PTL-0001/convenio/?pagos=12").content.decode()
    assert f"en 12 pagos mensuales de {format_mxn(Decimal(twelve['installment_amount']))}" in page
    ana.post("/portal/cuenta/PTL-0001/convenio/", {"kind": "convenio", "pagos": "12"})
    req = PortalRequest.objects.get()
    assert req.plan["installments"] == 12 and req.plan["installment_amount"] == twelve["installment_amount"]
    # more than the policy allows is the policy's most
    page = ana.get("/portal/cuenta/PTL-0001/convenio/?pagos=999").content.decode()
    assert f"en {most['max_installments']} pagos mensuales" in page
