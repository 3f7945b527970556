"""The Subdirección de Cartera edits the assignment rules and the outcome catalog on the
"Reglas y plazos" page: audited (actor, before/after), refused in Spanish naming the field
with nothing saved, closed to collectors and supervisors, and obeyed by assignment_run."""

from decimal import Decimal

import pytest
from django.urls import reverse

from recupera.collections import services
from recupera.collections.models import AssignmentRule, Case, Outcome
from recupera.core.models import AuditEntry
from recupera.core.roles import Role

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
URL = "collections:rules"


@pytest.fixture(autouse=True)
def _business_date(db):
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


@pytest.fixture
def cajeme(db):
    from recupera.people.models import Municipality

    return Municipality.objects.get(name="Cajeme")


@pytest.fixture
def second_collector(make_user):
    return make_user(Role.COLLECTOR, username="gestor2", first_name="Mario")


def _rule_data(collectors, **overrides):
    data = {"seccion": "regla", "regla-name": "Cajeme temprana", "regla-order": "5",
            "regla-municipality": "", "regla-region": "", "regla-stage": "",
            "regla-balance_min": "", "regla-balance_max": "",
            "regla-collectors": [c.pk for c in collectors]}
    data.update(overrides)
    return data


def test_the_portfolio_office_creates_and_edits_a_rule_audited(client_for, portfolio_officer, collector,
                                                               second_collector, cajeme):
    c = client_for(portfolio_officer)
    html = c.get(reverse(URL)).content.decode()
    assert "Nueva regla de asignación" in html and "?regla=nueva" in html
    form_html = c.get(reverse(URL), {"regla": "nueva"}).content.decode()
    assert 'name="regla-name"' in form_html and "autofocus" in form_html
    assert "Lucía" in form_html and "Cajeme" in form_html  # collectors and the Sonora catalog

    response = c.post(reverse(URL), _rule_data([collector], **{
        "regla-municipality": cajeme.pk, "regla-stage": "temprana",
        "regla-balance_min": "1,000.00", "regla-balance_max": "$50,000"}))
    assert response.status_code == 302 and response["Location"].endswith("#asignacion")
    rule = AssignmentRule.objects.get()
    assert (rule.name, rule.order, rule.municipality, rule.stage) == ("Cajeme temprana", 5, cajeme, "temprana")
    assert (rule.balance_min, rule.balance_max) == (Decimal("1000.00"), Decimal("50000.00"))
    assert list(rule.collectors.all()) == [collector]
    created = AuditEntry.objects.get(action="regla_asignacion.crear")
    assert created.actor == portfolio_officer and created.after["collectors"] == [collector.pk]

    edit_html = c.get(reverse(URL), {"regla": rule.pk}).content.decode()
    assert 'value="Cajeme temprana"' in edit_html and f'name="id" value="{rule.pk}"' in edit_html
    response = c.post(reverse(URL), _rule_data([second_collector], id=rule.pk, **{
        "regla-name": "Región sur", "regla-region": cajeme.region, "regla-balance_min": "1000"}))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.municipality, rule.region, rule.stage) == ("Región sur", None, cajeme.region, "")
    assert (rule.balance_min, rule.balance_max) == (Decimal("1000.00"), None)
    assert list(rule.collectors.all()) == [second_collector]
    edited = AuditEntry.objects.get(action="regla_asignacion.editar")
    assert edited.actor == portfolio_officer and edited.object_id == str(rule.pk)
    assert edited.before == {"name": "Cajeme temprana", "municipality_id": cajeme.pk, "region": "",
                             "stage": "temprana", "balance_max": "50000.00", "collectors": [collector.pk]}
    assert edited.after == {"name": "Región sur", "municipality_id": None, "region": cajeme.region,
                            "stage": "", "balance_max": None, "collectors": [second_collector.pk]}

    # Deactivate and reactivate, each audited.
    assert c.post(reverse(URL), {"seccion": "regla_baja", "id": rule.pk}).status_code == 302
    rule.refresh_from_db()
    assert not rule.active
    assert AuditEntry.objects.get(action="regla_asignacion.desactivar").after == {"active": False}
    assert "No vigente" in c.get(reverse(URL)).content.decode()
    c.post(reverse(URL), {"seccion": "regla_alta", "id": rule.pk})
    rule.refresh_from_db()
    assert rule.active


@pytest.mark.parametrize(("overrides", "message"), [
    ({"regla-balance_min": "5,000", "regla-balance_max": "1,000"},
     "Saldo hasta: debe ser mayor o igual que el saldo desde"),
    ({"regla-collectors": []}, "Gestores: elija al menos un gestor de cobranza."),
    ({"regla-region": "__cajeme_region__", "regla-municipality": "__cajeme__"},
     "Región: elija un municipio o una región, no ambos."),
])
def test_invalid_rules_are_refused_in_spanish_and_nothing_is_saved(client_for, portfolio_officer, collector,
                                                                   cajeme, overrides, message):
    overrides = {k: (cajeme.region if v == "__cajeme_region__" else cajeme.pk if v == "__cajeme__" else v)
                 for k, v in overrides.items()}
    c = client_for(portfolio_officer)
    response = c.post(reverse(URL), _rule_data([collector], **overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not AssignmentRule.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="regla_asignacion").exists()


def test_an_edit_refused_leaves_the_rule_as_it_was(client_for, portfolio_officer, collector, make_user):
    rule = services.assignment_rule_create(actor=portfolio_officer, name="Toda la cartera",
                                           collectors=[collector])
    cashier = make_user(Role.CASHIER)
    c = client_for(portfolio_officer)
    # Only active members of "Gestor de Cobranza" may be chosen (a cashier is not offered).
    response = c.post(reverse(URL), _rule_data([cashier], id=rule.pk, **{"regla-name": "Otro"}))
    assert response.status_code == 422 and "Gestores:" in response.content.decode()
    rule.refresh_from_db()
    assert rule.name == "Toda la cartera" and list(rule.collectors.all()) == [collector]
    assert not AuditEntry.objects.filter(action="regla_asignacion.editar").exists()


def test_the_services_refuse_what_the_form_would(portfolio_officer, collector, cajeme, make_user):
    with pytest.raises(services.FieldRefused, match="Saldo hasta") as exc:
        services.assignment_rule_create(actor=portfolio_officer, name="X", collectors=[collector],
                                        balance_min=Decimal("10"), balance_max=Decimal("5"))
    assert exc.value.field == "balance_max"
    with pytest.raises(services.FieldRefused, match="no ambos"):
        services.assignment_rule_create(actor=portfolio_officer, name="X", collectors=[collector],
                                        municipality=cajeme, region=cajeme.region)
    with pytest.raises(services.FieldRefused, match="Región: «Atlántida»"):
        services.assignment_rule_create(actor=portfolio_officer, name="X", collectors=[collector],
                                        region="Atlántida")
    rule = services.assignment_rule_create(actor=portfolio_officer, name="X", collectors=[collector])
    with pytest.raises(services.FieldRefused, match="Gestores"):
        services.assignment_rule_update(actor=portfolio_officer, rule=rule,
                                        collectors=[make_user(Role.SUPERVISOR)])
    assert AssignmentRule.objects.count() == 1


@pytest.mark.parametrize("role", ["collector", "supervisor"])
def test_collectors_and_supervisors_get_403(request, client_for, role, collector):
    user = request.getfixturevalue(role)
    rule = services.assignment_rule_create(actor=None, name="Toda la cartera", collectors=[collector])
    outcome = Outcome.objects.filter(active=True).first()
    c = client_for(user)
    assert c.get(reverse(URL), {"regla": rule.pk}).status_code == 403
    for data in (_rule_data([collector]), _rule_data([collector], id=rule.pk, **{"regla-name": "Mía"}),
                 {"seccion": "regla_baja", "id": rule.pk},
                 {"seccion": "resultado", "resultado-name": "Nuevo", "resultado-order": "1"},
                 {"seccion": "resultado_baja", "id": outcome.pk}):
        assert c.post(reverse(URL), data).status_code == 403
    rule.refresh_from_db()
    outcome.refresh_from_db()
    assert rule.name == "Toda la cartera" and rule.active and outcome.active
    assert AssignmentRule.objects.count() == 1


def test_assignment_run_follows_the_edited_rule(client_for, portfolio_officer, collector, second_collector,
                                                make_credit, cajeme):
    from recupera.people.models import Address

    in_cajeme, elsewhere = make_credit(), make_credit()
    Address.objects.create(person=in_cajeme.borrower, street="Calle 5", municipality=cajeme)
    rule = services.assignment_rule_create(actor=portfolio_officer, name="Cajeme", collectors=[collector],
                                           municipality=cajeme)
    c = client_for(portfolio_officer)
    # The Subdirección hands Cajeme to the second collector.
    assert c.post(reverse(URL), _rule_data([second_collector], id=rule.pk, **{
        "regla-name": "Cajeme", "regla-municipality": cajeme.pk})).status_code == 302
    services.cases_sync(actor=None, as_of=AS_OF)
    services.assignment_run(actor=None, as_of=AS_OF)
    assert Case.objects.get(credit=in_cajeme).collector == second_collector
    assert Case.objects.get(credit=elsewhere).collector is None  # no rule takes it
    # A balance ceiling below the credit's balance: the rule no longer takes Cajeme's case.
    balance = Case.objects.get(credit=in_cajeme).credit.payoff_amount
    Case.objects.update(collector=None)
    assert c.post(reverse(URL), _rule_data([second_collector], id=rule.pk, **{
        "regla-name": "Cajeme", "regla-municipality": cajeme.pk,
        "regla-balance_max": str(balance - 1)})).status_code == 302
    services.assignment_run(actor=None, as_of=AS_OF)
    assert Case.objects.get(credit=in_cajeme).collector is None
    # Deactivated, it takes nothing; a statewide rule does.
    c.post(reverse(URL), {"seccion": "regla_baja", "id": rule.pk})
    services.assignment_rule_create(actor=portfolio_officer, name="Todo Sonora", collectors=[collector],
                                    order=50)
    services.assignment_run(actor=None, as_of=AS_OF)
    assert set(Case.objects.values_list("collector", flat=True)) == {collector.pk}


def test_the_outcome_catalog_add_rename_deactivate(client_for, portfolio_officer):
    c = client_for(portfolio_officer)
    assert 'name="resultado-is_conversation"' in c.get(reverse(URL), {"resultado": "nuevo"}).content.decode()
    response = c.post(reverse(URL), {"seccion": "resultado", "resultado-name": "Dejó recado con familiar",
                                     "resultado-order": "95"})
    assert response.status_code == 302
    new = Outcome.objects.get(name="Dejó recado con familiar")
    assert new.code == "dejo_recado_con_familiar" and not new.requires_promise and new.active
    assert AuditEntry.objects.get(action="resultado.crear").actor == portfolio_officer

    # A duplicate name is refused, naming the field; nothing saved.
    response = c.post(reverse(URL), {"seccion": "resultado", "resultado-name": "dejó recado con familiar",
                                     "resultado-order": "1"})
    assert response.status_code == 422 and "Nombre: ya hay un resultado" in response.content.decode()
    assert Outcome.objects.filter(name__iexact="dejó recado con familiar").count() == 1

    rename_html = c.get(reverse(URL), {"resultado": new.pk}).content.decode()
    assert 'name="resultado-is_conversation"' not in rename_html  # the meaning stays
    c.post(reverse(URL), {"seccion": "resultado", "id": new.pk, "resultado-name": "Recado con familiar",
                          "resultado-order": "95", "resultado-requires_promise": "on"})
    new.refresh_from_db()
    assert new.name == "Recado con familiar" and new.code == "dejo_recado_con_familiar"
    assert not new.requires_promise
    entry = AuditEntry.objects.get(action="resultado.editar")
    assert entry.before == {"name": "Dejó recado con familiar"} and entry.after == {"name": "Recado con familiar"}

    c.post(reverse(URL), {"seccion": "resultado_baja", "id": new.pk})
    new.refresh_from_db()
    assert not new.active
    assert AuditEntry.objects.get(action="resultado.desactivar").actor == portfolio_officer
    c.post(reverse(URL), {"seccion": "resultado_alta", "id": new.pk})
    new.refresh_from_db()
    assert new.active
