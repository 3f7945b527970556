"""ARCO requests end to end through the services, the pages and the API (issue 21, item 10)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from recupera.core.calendar import business_calendar
from recupera.core.models import AuditEntry
from recupera.core.roles import Role
from recupera.privacy import deadlines, selectors, services
from recupera.privacy.models import ArcoRequest, ContactOpposition, NoticeShown

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _register(officer, borrower, right="acceso", **extra):
    data = {"right": right, "first_name": "María", "last_name": "Valenzuela",
            "second_last_name": "Ochoa", "curp": borrower.curp, "email": "maria@example.com",
            "description": "Quiero conocer todos los datos que tienen sobre mí."}
    data.update(extra)
    return services.arco_register(actor=officer, channel="ventanilla", as_of=AS_OF, **data)


def _verified(officer, borrower, right="acceso", **extra):
    arco = _register(officer, borrower, right, **extra)
    return services.arco_verify_identity(actor=officer, request=arco, id_document="ine",
                                         id_document_number="IDMEX123", as_of=AS_OF)


# ---------------------------------------------------------------- deadlines

def test_deadlines_are_business_days_skipping_the_holiday(db):
    calendar = business_calendar()
    # Received Friday 13/11/2026; Monday 16/11 is a holiday; 20 business days -> 14/12/2026.
    assert deadlines.answer_due(AS_OF, calendar) == dt.date(2026, 12, 14)
    # Extended once by 10 -> 29/12/2026 (25/12 is a holiday).
    assert deadlines.answer_due(AS_OF, calendar, extended=True) == dt.date(2026, 12, 29)
    # Made effective within 15 business days of the answer (1/1 is a holiday).
    assert deadlines.effective_due(dt.date(2026, 12, 14), calendar) == dt.date(2027, 1, 6)


def test_registration_sets_the_folio_the_deadline_and_matches_the_person(officer, borrower, notice):
    arco = _register(officer, borrower, notice=notice)
    assert re.fullmatch(r"ARCO-2026-\d{5}", arco.folio)
    assert arco.due_on == dt.date(2026, 12, 14)
    assert arco.person == borrower
    assert arco.status == ArcoRequest.Status.RECEIVED
    shown = NoticeShown.objects.get(person=borrower)
    assert (shown.notice.version, shown.context) == ("2026-1", "arco_ventanilla")
    assert AuditEntry.objects.filter(action="arco.registrar", object_id=str(arco.pk)).exists()


def test_registration_refuses_bad_input_by_field_and_saves_nothing(officer):
    with pytest.raises(ValidationError) as refused:
        services.arco_register(actor=officer, channel="ventanilla", as_of=AS_OF, right="borrar",
                               first_name="", last_name="Ruiz", curp="XXXX", description="corto")
    errors = refused.value.message_dict
    assert set(errors) >= {"right", "first_name", "curp", "description", "email"}
    assert "La CURP debe tener 18 caracteres" in errors["curp"][0]
    assert not ArcoRequest.objects.exists()


def test_only_the_officer_registers_at_the_counter(make_user, borrower):
    collector = make_user(Role.COLLECTOR)
    with pytest.raises(PermissionDenied):
        _register(collector, borrower)


# ---------------------------------------------------------------- the officer's steps

def test_identity_verification_records_the_document_and_who_checked(officer, borrower):
    arco = _verified(officer, borrower)
    arco.refresh_from_db()
    assert arco.status == ArcoRequest.Status.VERIFIED
    assert (arco.id_document, arco.id_document_number, arco.verified_by) == ("ine", "IDMEX123", officer)
    with pytest.raises(ValidationError, match="ya se verificó"):
        services.arco_verify_identity(actor=officer, request=arco, id_document="ine", as_of=AS_OF)


def test_the_answer_deadline_is_extended_once(officer, borrower):
    arco = _register(officer, borrower)
    with pytest.raises(ValidationError):
        services.arco_extend(actor=officer, request=arco, reason="corto", as_of=AS_OF)
    arco = services.arco_extend(actor=officer, request=arco,
                                reason="Los expedientes están en el archivo de concentración.",
                                as_of=AS_OF)
    assert arco.due_on == dt.date(2026, 12, 29)
    with pytest.raises(ValidationError, match="ya se amplió una vez"):
        services.arco_extend(actor=officer, request=arco, reason="Otra vez por el archivo.",
                             as_of=AS_OF)


def test_a_lapsed_deadline_cannot_be_extended(officer, borrower):
    arco = _register(officer, borrower)
    with pytest.raises(ValidationError, match="venció el 14/12/2026"):
        services.arco_extend(actor=officer, request=arco, reason="Los expedientes tardaron.",
                             as_of=dt.date(2026, 12, 15))


def test_access_export_holds_everything_with_balances_to_the_cent(officer, borrower, make_credit,
                                                                  make_person):
    from recupera.credits.services import payment_post

    credit = make_credit(borrower=borrower, amount="12000.00")
    payment_post(actor=None, credit=credit, amount=Decimal("1234.50"), value_date=dt.date(2025, 2, 1),
                 channel="banco", natural_key="op-1", as_of=dt.date(2025, 3, 10))
    credit.refresh_from_db()
    other = make_credit(guarantor=borrower)  # she is the guarantor of another credit
    arco = _verified(officer, borrower)
    arco = services.arco_generate_export(actor=officer, request=arco, as_of=AS_OF)
    data = arco.export_data
    assert data["persona"]["curp"] == borrower.curp
    assert [c["valor"] for c in data["medios_de_contacto"]] == ["maria@example.com", "+526621234567"]
    by_folio = {c["folio"]: c for c in data["creditos"]}
    assert by_folio[credit.folio]["papel"] == "Acreditado"
    assert by_folio[other.folio]["papel"] == "Aval"
    mine = by_folio[credit.folio]
    assert mine["capital_ministrado"] == "12000.00"
    assert mine["saldo_de_capital"] == f"{credit.principal_outstanding:.2f}"
    assert mine["monto_para_liquidar"] == f"{credit.payoff_amount:.2f}"
    assert Decimal(mine["saldo_de_capital"]) < Decimal("12000.00")  # the payment counted
    assert {"fecha": "2025-02-01", "tipo": "Pago", "importe": "1234.50", "canal": "banco"} in mine["movimientos"]
    assert any(a["accion"] == "persona.alta" for a in data["bitacora_de_cambios"])
    assert data["solicitudes_arco"][0]["folio"] == arco.folio
    json.dumps(data)  # JSON-ready


def test_access_is_delivered_and_the_documents_render(officer, borrower, client_for):
    arco = _verified(officer, borrower)
    with pytest.raises(ValidationError, match="Genere primero la exportación"):
        services.arco_deliver(actor=officer, request=arco, delivery="ventanilla", as_of=AS_OF)
    services.arco_generate_export(actor=officer, request=arco, as_of=AS_OF)
    arco = services.arco_deliver(actor=officer, request=arco, delivery="ventanilla",
                                 as_of=dt.date(2026, 11, 20))
    arco.refresh_from_db()
    assert arco.status == ArcoRequest.Status.DONE
    assert (arco.answered_on, arco.concluded_on) == (dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    assert arco.granted is True
    client = client_for(officer)
    response = client.get(f"/privacidad/{arco.pk}/exportacion.json")
    assert response.status_code == 200
    assert json.loads(response.content)["persona"]["nombre"] == "María"
    for url in (f"/privacidad/{arco.pk}/exportacion.pdf", f"/privacidad/{arco.pk}/respuesta.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.startswith(b"%PDF")


def test_a_request_without_identity_can_only_be_denied(officer, borrower):
    arco = _register(officer, borrower)
    with pytest.raises(ValidationError, match="verifique la identidad"):
        services.arco_answer(actor=officer, request=arco, granted=True,
                             text="Se atiende su solicitud en sus términos.", as_of=AS_OF)
    arco = services.arco_answer(actor=officer, request=arco, granted=False,
                                text="No acreditó su identidad en el plazo.", as_of=AS_OF)
    assert (arco.status, arco.concluded_on) == (ArcoRequest.Status.DENIED, AS_OF)


def test_rectification_goes_through_the_people_services_and_is_audited(officer, borrower):
    arco = _verified(officer, borrower, right="rectificacion",
                     description="Mi segundo apellido es Ochoa de la Cruz.")
    with pytest.raises(ValidationError, match="Aplique primero la rectificación"):
        services.arco_answer(actor=officer, request=arco, granted=True,
                             text="Se rectificaron sus datos como lo pidió.", as_of=AS_OF)
    services.arco_rectify(actor=officer, request=arco,
                          changes={"second_last_name": "Ochoa de la Cruz"}, as_of=AS_OF)
    borrower.refresh_from_db()
    assert borrower.second_last_name == "Ochoa de la Cruz"
    change = AuditEntry.objects.get(action="persona.modificar", object_id=str(borrower.pk))
    assert change.actor == officer
    assert change.after["second_last_name"] == "Ochoa de la Cruz"
    assert AuditEntry.objects.filter(action="arco.rectificar", object_id=str(arco.pk)).exists()
    arco = services.arco_answer(actor=officer, request=arco, granted=True,
                                text="Se rectificaron sus datos como lo pidió.", as_of=AS_OF)
    assert arco.effective_due_on == deadlines.effective_due(AS_OF, business_calendar())


def test_cancellation_blocks_the_data(officer, borrower):
    arco = _verified(officer, borrower, right="cancelacion",
                     description="Cancelen mis datos, ya no tengo relación con el Instituto.")
    services.arco_block(actor=officer, request=arco, as_of=AS_OF)
    borrower.refresh_from_db()
    assert borrower.data_blocked is True


def test_opposition_makes_the_conduct_rules_refuse_that_channel(officer, make_case, outcome,
                                                                collector, supervisor):
    from recupera.collections import services as collections
    from tests.collections.conftest import MONDAY_10AM, party_person, phone_of

    case = make_case()
    debtor = party_person(case, "acreditado")
    from recupera.people.synthetic import build_curp

    curp = build_curp(first_name="Ana", last_name="López", second_last_name="Soto",
                      birth_date=dt.date(1995, 5, 5), sex="M", state_code="SR")
    debtor.curp = curp
    debtor.save()
    arco = services.arco_register(actor=officer, channel="ventanilla", as_of=AS_OF,
                                  right="oposicion", first_name="Ana", last_name="López",
                                  curp=curp, phone="6620000000", opposed_channel="llamada_saliente",
                                  description="No quiero que me llamen por teléfono.")
    arco = services.arco_verify_identity(actor=officer, request=arco, id_document="pasaporte",
                                         as_of=AS_OF)
    services.arco_oppose(actor=officer, request=arco, channel="llamada_saliente", as_of=AS_OF)
    assert ContactOpposition.objects.filter(person=debtor, channel="llamada_saliente").exists()
    with pytest.raises(collections.ConductRefused) as refused:
        collections.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                               channel="llamada_saliente", party="acreditado", person=debtor,
                               contact_point=phone_of(debtor), outcome=outcome("no_contesta"))
    assert [v.code for v in refused.value.violations] == ["oposicion"]
    assert "derecho de oposición al contacto por llamadas telefónicas" in str(refused.value)
    # Another channel still goes ahead; and no supervisor override lifts an opposition.
    collections.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                           channel="sms", party="acreditado", person=debtor,
                           contact_point=phone_of(debtor), outcome=outcome("no_contesta"))
    with pytest.raises(collections.WorkbenchError, match="no admite excepciones"):
        collections.conduct_override_grant(actor=supervisor, case=case, rules=["oposicion"],
                                           reason="El deudor lo pidió por escrito.", valid_on=AS_OF)
    services.arco_answer(actor=officer, request=arco, granted=True,
                         text="Ya no se le llamará por teléfono.", as_of=AS_OF)


# ---------------------------------------------------------------- reminders

def test_reminders_flag_overdue_and_near_due_requests(officer, borrower, capsys):
    late = _register(officer, borrower)  # due 14/12/2026
    ArcoRequest.objects.filter(pk=late.pk).update(received_on=dt.date(2026, 10, 1),
                                                  due_on=dt.date(2026, 10, 29))
    near = _register(officer, borrower)
    ArcoRequest.objects.filter(pk=near.pk).update(due_on=dt.date(2026, 11, 19))
    _register(officer, borrower)  # 14/12: neither
    flags = selectors.deadline_flags(as_of=AS_OF, calendar=business_calendar())
    assert [(f.request.pk, f.kind) for f in flags] == [(late.pk, "vencida"), (near.pk, "por_vencer")]
    assert flags[1].days_left == 3  # 17, 18, 19 (16 is a holiday)
    with pytest.raises(SystemExit) as exit_:
        call_command("privacy", "reminders", "--date", "2026-11-13", "--json")
    assert exit_.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert [r["flag"] for r in out["requests"]] == ["vencida", "por_vencer"]


def test_officer_page_shows_the_flags_and_others_are_refused(officer, borrower, client_for,
                                                              make_user, business_date):
    late = _register(officer, borrower)
    ArcoRequest.objects.filter(pk=late.pk).update(due_on=dt.date(2026, 11, 12))
    page = client_for(officer).get("/privacidad/").content.decode()
    assert "1 solicitud con el plazo vencido" in page
    assert "venció el 12/11/2026" in page
    assert "Derechos ARCO" in page  # the menu item
    collector = make_user(Role.COLLECTOR)
    assert client_for(collector).get("/privacidad/").status_code == 403
    auditor = make_user(Role.AUDITOR)
    client = client_for(auditor)
    assert client.get(f"/privacidad/{late.pk}/").status_code == 200
    assert client.post(f"/privacidad/{late.pk}/verificar/", {"id_document": "ine"}).status_code == 403


# ---------------------------------------------------------------- purge after retention

def test_purge_keeps_open_credits_and_deletes_after_retention(officer, borrower, make_credit):
    from recupera.people.services import person_create
    from recupera.people.synthetic import build_curp

    curp = build_curp(first_name="Pedro", last_name="Soto", second_last_name="Ruiz",
                      birth_date=dt.date(1990, 1, 2), sex="H", state_code="SR")
    former, _w = person_create(actor=None, curp=curp, first_name="Pedro", last_name="Soto",
                               second_last_name="Ruiz", phones=["6629876543"])
    make_credit(borrower=borrower)
    for person in (borrower, former):
        arco = services.arco_register(actor=officer, channel="ventanilla", as_of=AS_OF,
                                      right="cancelacion", first_name=person.first_name,
                                      last_name=person.last_name, curp=person.curp,
                                      phone="6620000000", description="Cancelen mis datos personales.")
        arco = services.arco_verify_identity(actor=officer, request=arco, id_document="ine",
                                             as_of=AS_OF)
        services.arco_block(actor=officer, request=arco, as_of=AS_OF)
    assert services.purge_blocked(actor=None, as_of=dt.date(2031, 11, 12)) == []
    assert services.purge_blocked(actor=None, as_of=dt.date(2031, 11, 13)) == [former.pk]
    former.refresh_from_db()
    borrower.refresh_from_db()
    assert (former.first_name, former.rfc, former.birth_date) == ("SUPRIMIDO", "", None)
    assert not former.contact_points.exists()
    assert borrower.first_name == "María"  # an open credit keeps her data (legal duty)


# ---------------------------------------------------------------- API

def test_api_lists_for_the_officer_and_refuses_the_collector(officer, borrower, api_client_for,
                                                             make_user, notice, business_date):
    arco = _verified(officer, borrower)
    services.arco_generate_export(actor=officer, request=arco, as_of=AS_OF)
    api = api_client_for(officer)
    rows = api.get("/api/v1/privacy/requests/").json()
    assert [r["folio"] for r in rows] == [arco.folio]
    assert api.get(f"/api/v1/privacy/requests/{arco.folio}/export/").json()["persona"]["curp"] == borrower.curp
    created = api.post("/api/v1/privacy/requests/", {
        "right": "oposicion", "first_name": "María", "last_name": "Valenzuela", "curp": borrower.curp,
        "phone": "6621234567", "opposed_channel": "visita",
        "description": "No quiero visitas en mi domicilio."}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["due_on"] == "2026-12-14"
    bad = api.post("/api/v1/privacy/requests/", {
        "right": "acceso", "first_name": "A", "last_name": "B", "curp": "ABC",
        "email": "a@example.com", "description": "Quiero mis datos personales."}, format="json")
    assert bad.status_code == 400
    assert "18 caracteres" in bad.json()["curp"][0]
    collector = make_user(Role.COLLECTOR)
    assert api_client_for(collector).get("/api/v1/privacy/requests/").status_code == 403
    assert api_client_for().get("/api/v1/privacy/notice/").json()["version"] == "2026-1"
