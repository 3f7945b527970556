"""Pages: object-level access (guessed ids answer 404 with no data), fixed query counts,
htmx action logging with conduct refusals."""

import datetime as dt

import pytest
from django.urls import reverse

from recupera.collections.models import Action, Case, LetterBatch, Message
from recupera.core.roles import Role

from .conftest import AS_OF, party_person, phone_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date(db):
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


@pytest.fixture
def other_collector(make_user):
    return make_user(Role.COLLECTOR, username="gestor2")


def test_queue_shows_only_my_cases_in_priority_order_with_reasons(make_case, client_for, collector,
                                                                   other_collector):
    mine = make_case()
    theirs = make_case(collector=other_collector)
    html = client_for(collector).get(reverse("collections:queue")).content.decode()
    assert mine.credit.folio in html and theirs.credit.folio not in html
    assert "días de atraso" in html and "data-keyboard-list" in html


def test_queue_runs_a_fixed_number_of_queries(make_case, client_for, collector,
                                              django_assert_num_queries):
    client = client_for(collector)
    make_case()
    client.get(reverse("collections:queue"))  # warm caches (content types, session)
    with django_assert_num_queries(QUEUE_QUERIES) as few:
        assert client.get(reverse("collections:queue")).status_code == 200
    for _ in range(4):
        make_case()
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(reverse("collections:queue")).status_code == 200


# the business date and the unread count once each (view and menu); no model-permission reads
# (core.predicates.AdminModelBackend: for staff only); + 1: the portal requests waiting (count)
QUEUE_QUERIES = 8
CASE_QUERIES = 16  # + 1: the personal-data view log, one insert (core/dataaccess.py)


def test_case_page_runs_a_fixed_number_of_queries(make_case, client_for, collector, outcome,
                                                  django_assert_num_queries):
    from recupera.collections import services

    from .conftest import MONDAY_10AM

    case = make_case()
    client = client_for(collector)
    url = reverse("collections:case", args=[case.pk])
    client.get(url)
    with django_assert_num_queries(CASE_QUERIES) as few:
        assert client.get(url).status_code == 200
    borrower = party_person(case, "acreditado")
    for i in range(3):
        services.action_log(actor=collector, case=case, now=MONDAY_10AM + dt.timedelta(minutes=i),
                            business_date=AS_OF, channel="llamada_saliente", party="acreditado",
                            person=borrower, contact_point=phone_of(borrower), outcome=outcome("promesa_pago"),
                            promise_amount="100.00", promise_due_on=AS_OF + dt.timedelta(days=i + 1),
                            debtor_requested=True)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("Promesa de pago") >= 3
    # the history's rows read only ACTION_ROW_FIELDS: who, through which phone, by whom
    assert html.count(f"Acreditado · {borrower.full_name}") == 3
    assert html.count(f'<span class="mono">{phone_of(borrower).value}</span>') == 3
    assert html.count(collector.get_full_name() or collector.username) >= 3


def test_case_history_shows_a_deactivated_phone_and_a_former_party(make_case, make_person, client_for, collector,
                                                                    outcome, django_assert_num_queries):
    """The history takes each action's person and phone from the parties and active phones the
    page loaded; one query more each when an action names others."""
    from recupera.collections import services

    from .conftest import MONDAY_10AM

    case = make_case()
    client = client_for(collector)
    url = reverse("collections:case", args=[case.pk])
    borrower = party_person(case, "acreditado")
    phone = phone_of(borrower)
    action = services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                                 channel="llamada_saliente", party="acreditado", person=borrower,
                                 contact_point=phone, outcome=outcome("no_contesta"))
    client.get(url)
    with django_assert_num_queries(CASE_QUERIES):
        client.get(url)
    type(phone).objects.filter(pk=phone.pk).update(active=False)  # the borrower changed numbers
    former = make_person(first_name="Rosa", last_name="Antigua", second_last_name="Aval")  # no party of it
    Action.objects.filter(pk=action.pk).update(person=former)
    with django_assert_num_queries(CASE_QUERIES + 2):
        html = client.get(url).content.decode()
    assert "Acreditado · Rosa Antigua Aval" in html
    assert f'<span class="mono">{phone.value}</span>' in html


@pytest.mark.parametrize("who", ["other_collector", "missing"])
def test_a_guessed_case_id_answers_404_without_data(make_case, client_for, other_collector, who):
    case = make_case()
    pk = case.pk if who == "other_collector" else case.pk + 1000
    client = client_for(other_collector)
    for name in ("case", "case_letter"):
        response = client.get(reverse(f"collections:{name}", args=[pk]))
        assert response.status_code == 404
        assert case.credit.folio.encode() not in response.content
    for name in ("action_create", "override_create", "case_reassign"):
        response = client.post(reverse(f"collections:{name}", args=[pk]), {"outcome": 1})
        assert response.status_code == 404
    assert not Action.objects.exists()


def test_supervisor_sees_the_team_cases_and_auditor_reads_without_the_form(make_case, client_for,
                                                                          supervisor, auditor):
    case = make_case()
    url = reverse("collections:case", args=[case.pk])
    html = client_for(supervisor).get(url).content.decode()
    assert case.credit.folio in html and "action-form" in html and "Reasignar" in html
    html = client_for(auditor).get(url).content.decode()
    assert case.credit.folio in html and "action-form" not in html


def test_pages_refuse_roles_without_permission(client_for, make_user, collector):
    cashier = make_user(Role.CASHIER)
    c = client_for(cashier)
    for name in ("queue", "team", "inbound_call", "messages", "inquiries", "rules", "letter_batches"):
        assert c.get(reverse(f"collections:{name}")).status_code == 403, name
    c = client_for(collector)
    for name in ("team", "rules", "letter_batches"):
        assert c.get(reverse(f"collections:{name}")).status_code == 403, name
    assert c.post(reverse("collections:assignment_run")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("collections:queue"))
    assert response.status_code == 302 and "/entrar/" in response["Location"]


def _action_post(case, outcome, **extra):
    borrower = party_person(case, "acreditado")
    data = {"channel": "llamada_saliente", "party": "acreditado", "person": borrower.pk,
            "contact_point": phone_of(borrower).pk, "outcome": outcome("promesa_pago").pk,
            "promise_amount": "1500.00", "promise_due_on": "14/03/2025", "notes": "Pagará el viernes"}
    data.update(extra)
    return data


def test_logging_an_action_through_htmx(make_case, client_for, collector, outcome, settings, monkeypatch):
    from django.utils import timezone

    from .conftest import MONDAY_10AM

    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10AM)
    case = make_case()
    response = client_for(collector).post(reverse("collections:action_create", args=[case.pk]),
                                          _action_post(case, outcome), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == f"/cobranza/caso/{case.pk}/"
    action = Action.objects.get()
    assert action.promise.amount == 1500 and action.promise.due_on == dt.date(2025, 3, 14)


def test_a_refused_action_shows_the_reason_and_the_supervisor_can_authorize(
        make_case, client_for, collector, supervisor, outcome, monkeypatch):
    from django.utils import timezone

    from .conftest import MONDAY_10AM

    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10AM.replace(hour=22, minute=30))
    case = make_case()
    url = reverse("collections:action_create", args=[case.pk])
    response = client_for(collector).post(url, _action_post(case, outcome), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 422
    assert "Fuera del horario de contacto" in html and "22:30" in html
    assert "Autorizar excepción" not in html
    sup = client_for(supervisor)
    response = sup.post(url, _action_post(case, outcome), HTTP_HX_REQUEST="true")
    assert "Autorizar excepción" in response.content.decode()
    sup.post(reverse("collections:override_create", args=[case.pk]),
             {"rules": ["horario"], "reason": "El acreditado pidió la llamada a esta hora"})
    response = client_for(collector).post(url, _action_post(case, outcome), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Action.objects.get().override is not None


def test_form_errors_are_shown_in_spanish(make_case, client_for, collector, outcome):
    case = make_case()
    response = client_for(collector).post(reverse("collections:action_create", args=[case.pk]),
                                          _action_post(case, outcome, promise_amount=""),
                                          HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Escriba el importe" in response.content.decode()


def test_team_page_and_bulk_reassignment(make_case, client_for, supervisor, collector, other_collector):
    make_case()
    make_case()
    c = client_for(supervisor)
    html = c.get(reverse("collections:team")).content.decode()
    assert "gestor1" in html or "Lucía" in html
    assert "Hace una semana" in html and "—" in html  # no close a week ago yet
    from recupera.collections.models import DeadlineSnapshot
    from recupera.core.services import business_date_get

    DeadlineSnapshot.objects.create(business_date=business_date_get() - dt.timedelta(days=8),
                                    collector=collector, open_cases=2, first_contact_overdue=3,
                                    action_overdue=4)
    html = c.get(reverse("collections:team")).content.decode()
    assert '<td class="num">7</td>' in html
    response = c.post(reverse("collections:team"), {"from_collector": collector.pk,
                                                    "collector": other_collector.pk, "reason": "Vacaciones"})
    assert response.status_code == 302
    assert set(Case.objects.values_list("collector_id", flat=True)) == {other_collector.pk}


def test_supervisor_sees_a_collectors_queue(make_case, client_for, supervisor, collector, other_collector):
    mine = make_case()
    theirs = make_case(collector=other_collector)
    html = client_for(supervisor).get(reverse("collections:queue") + f"?gestor={collector.pk}").content.decode()
    assert mine.credit.folio in html and theirs.credit.folio not in html


def test_inbound_call_finds_by_phone_and_hides_colleagues_cases(make_case, client_for, collector,
                                                               other_collector):
    mine = make_case()
    theirs = make_case(collector=other_collector)
    c = client_for(collector)
    phone = phone_of(party_person(mine, "acreditado")).value
    html = c.get(reverse("collections:inbound_call"), {"q": phone}).content.decode()
    assert mine.credit.folio in html and "Atender y registrar" in html
    html = c.get(reverse("collections:inbound_call"), {"q": theirs.credit.folio}).content.decode()
    assert theirs.credit.folio in html and "Caso de otro gestor" in html
    assert str(theirs.credit.total_overdue) not in html


def test_messages_badge_and_acknowledgment(client_for, collector, supervisor):
    client_for(supervisor).post(reverse("collections:messages"), {
        "for_user": collector.pk, "caller": "Sra. López", "phone": "6621234567", "text": "Devolver llamada"})
    message = Message.objects.get()
    c = client_for(collector)
    html = c.get(reverse("collections:queue")).content.decode()
    assert 'class="badge bad"' in html
    c.post(reverse("collections:message_ack", args=[message.pk]))
    message.refresh_from_db()
    assert message.acknowledged_at is not None


def test_inquiry_page_logs_a_question(client_for, collector):
    c = client_for(collector)
    response = c.post(reverse("collections:inquiries"), {
        "caller": "Pedro", "channel": "llamada_entrante", "category": "pago",
        "question": "¿Dónde pago?", "resolution": "En BBVA", "resolved": "on"})
    assert response.status_code == 302
    assert "¿Dónde pago?" in c.get(reverse("collections:inquiries")).content.decode()


def test_case_letter_pdf_and_neutral_envelope_side(make_case, client_for, collector):
    from recupera.collections.letters import letter_html
    from recupera.collections.models import LetterTemplate

    case = make_case()
    response = client_for(collector).get(reverse("collections:case_letter", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = letter_html(case, LetterTemplate.objects.get(), as_of=AS_OF)
    head, body = html.split('<div class="letter">')
    for word in ("adeudo", "cobranza", "vencido", "deuda"):
        assert word not in head.lower()
    assert "vencido" in body and case.credit.folio in body


def test_mass_letters_run_as_a_task_with_progress(make_case, client_for, supervisor,
                                                  django_capture_on_commit_callbacks):
    from recupera.collections.models import LetterTemplate

    make_case()
    make_case()
    c = client_for(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("collections:letter_batches"), {"template": LetterTemplate.objects.get().pk})
    assert response.status_code == 302
    batch = LetterBatch.objects.get()
    assert (batch.total, batch.done, batch.status) == (2, 2, "terminado")
    assert "100 %" in c.get(reverse("collections:letter_batch", args=[batch.pk])).content.decode()
    pdf = c.get(reverse("collections:letter_batch_file", args=[batch.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_rules_page_for_the_portfolio_office(client_for, portfolio_officer):
    html = client_for(portfolio_officer).get(reverse("collections:rules")).content.decode()
    assert "Promesa de pago" in html and "07:00" in html


def test_the_portfolio_office_edits_conduct_settings_and_deadlines_audited(client_for, portfolio_officer):
    from recupera.collections.models import ConductSettings, DeadlineRule
    from recupera.core.models import AuditEntry

    c = client_for(portfolio_officer)
    html = c.get(reverse("collections:rules")).content.decode()
    assert 'name="conducta-window_end"' in html
    deadlines = list(DeadlineRule.objects.order_by("pk"))
    data = {"casos-open_case_min_dpd": 1, "casos-early_from_dpd": 1, "casos-late_from_dpd": 31,
            "casos-extrajudicial_from_dpd": 91, "casos-preventive_case_days": 30,
            "casos-promise_tolerance": "1.00", "casos-promise_grace_days": 2,
            "conducta-timezone": "America/Hermosillo", "conducta-weekdays": "0,1,2,3,4",
            "conducta-window_start": "08:00", "conducta-window_end": "21:00",
            "conducta-max_call_attempts": 5, "conducta-attempts_window_days": 7,
            "conducta-quiet_days_after_conversation": 7, "conducta-minor_age": 18,
            "conducta-older_adult_age": 60, "conducta-contact_points_on_file_only": "on",
            "plazos-TOTAL_FORMS": len(deadlines), "plazos-INITIAL_FORMS": len(deadlines)}
    for i, d in enumerate(deadlines):
        data.update({f"plazos-{i}-id": d.pk, f"plazos-{i}-first_contact_business_days": d.first_contact_business_days,
                     f"plazos-{i}-action_every_days": 5 if i == 0 else d.action_every_days})
    bad = dict(data, **{"conducta-window_end": "07:00"})
    assert "posterior a la inicial" in c.post(reverse("collections:rules"), bad).content.decode()
    assert c.post(reverse("collections:rules"), data).status_code == 302
    conduct = ConductSettings.objects.get()
    assert conduct.max_call_attempts == 5 and conduct.rules().window_end == dt.time(21, 0)
    assert DeadlineRule.objects.get(pk=deadlines[0].pk).action_every_days == 5
    entry = AuditEntry.objects.filter(action="cobranza.reglas", object_type="collections.conductsettings").get()
    assert entry.before["max_call_attempts"] == 7 and entry.after["max_call_attempts"] == 5


def test_conduct_preview_before_dialing(make_case, client_for, collector, outcome, monkeypatch):
    from django.utils import timezone

    from .conftest import MONDAY_10AM

    case = make_case()
    reference = party_person(case, "referencia")
    url = reverse("collections:conduct_preview", args=[case.pk])
    c = client_for(collector)
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10AM)
    ok = c.post(url, _action_post(case, outcome), HTTP_HX_REQUEST="true").content.decode()
    assert "Sin impedimentos" in ok
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10AM.replace(hour=22, minute=30))
    late = c.post(url, {"channel": "llamada_saliente", "party": "referencia", "person": reference.pk,
                        "contact_point": phone_of(reference).pk, "outcome": outcome("negativa").pk},
                  HTTP_HX_REQUEST="true").content.decode()
    assert 'data-rule="horario"' in late and 'data-rule="tercero_cobro"' in late
    assert not Action.objects.exists()


def test_more_guessed_ids_answer_404(make_case, client_for, collector, other_collector, supervisor):
    case = make_case()
    c = client_for(other_collector)
    assert c.post(reverse("collections:conduct_preview", args=[case.pk]), {}).status_code == 404
    client_for(supervisor).post(reverse("collections:messages"), {
        "for_user": collector.pk, "caller": "X", "text": "Y"})
    message = Message.objects.get()
    c = client_for(other_collector)
    assert c.post(reverse("collections:message_ack", args=[message.pk])).status_code == 404
    assert c.get(reverse("collections:letter_batch", args=[1])).status_code == 403
    assert c.get(reverse("collections:letter_batch_file", args=[1])).status_code == 403
    c = client_for(supervisor)
    assert c.get(reverse("collections:letter_batch", args=[999])).status_code == 404


def test_a_collector_does_not_see_others_messages(client_for, collector, other_collector, supervisor):
    client_for(supervisor).post(reverse("collections:messages"), {
        "for_user": collector.pk, "caller": "Sra. Secreta", "text": "Confidencial"})
    html = client_for(other_collector).get(reverse("collections:messages")).content.decode()
    assert "Sra. Secreta" not in html
    assert "Sra. Secreta" in client_for(collector).get(reverse("collections:messages")).content.decode()


def test_supervisor_opens_a_preventive_case_and_sets_the_judicial_stage(make_credit, client_for,
                                                                        supervisor, collector):
    credit = make_credit(first_due_date=dt.date(2025, 6, 15))
    c = client_for(collector)
    assert c.post(reverse("collections:case_open"), {"folio": credit.folio}).status_code == 403
    c = client_for(supervisor)
    response = c.post(reverse("collections:case_open"), {"folio": credit.folio})
    case = Case.objects.get(credit=credit)
    assert response["Location"] == reverse("collections:case", args=[case.pk])
    assert case.stage == "preventiva" and case.origin == "manual"
    again = c.post(reverse("collections:case_open"), {"folio": credit.folio}, follow=True)
    assert "ya tiene un caso abierto" in again.content.decode()
    c.post(reverse("collections:case_stage", args=[case.pk]), {"stage": "judicial", "reason": "Demanda"})
    case.refresh_from_db()
    assert case.stage == "judicial" and case.stage_by_decision
