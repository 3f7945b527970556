"""The close's productivity step: one row per collector and day with the definitions of
docs/goals.md, and the step registered in the daily close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from recupera.goals.models import DailyProductivity
from tests.collections.conftest import AS_OF, MONDAY_10AM, party_person, phone_of


def test_day_row_counts_actions_contacts_promises_and_money(make_case, outcome, pay, close_goals, collector,
                                                             collector_b):
    from recupera.collections.services import action_log, promises_evaluate

    case = make_case(collector=collector)
    other = make_case(collector=collector)
    borrower = party_person(case, "acreditado")
    action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF, channel="llamada_saliente",
               party="acreditado", person=borrower, contact_point=phone_of(borrower),
               outcome=outcome("promesa_pago"), promise_amount=D("1500.00"), promise_due_on=AS_OF)
    b2 = party_person(other, "acreditado")
    action_log(actor=collector, case=other, now=MONDAY_10AM, business_date=AS_OF, channel="llamada_saliente",
               party="acreditado", person=b2, contact_point=phone_of(b2), outcome=outcome("no_contesta"))
    pay(case.credit, "1500.00", AS_OF, channel="caja")
    promises_evaluate(as_of=AS_OF)
    close_goals(AS_OF)

    row = DailyProductivity.objects.get(collector=collector, day=AS_OF)
    assert (row.actions, row.by_channel) == (2, {"llamada_saliente": 2})
    assert row.by_outcome == {"promesa_pago": 1, "no_contesta": 1}
    assert row.right_party_contacts == 1 and row.cases_worked == 2 and row.cases_assigned == 2
    assert (row.promises_made, row.promises_made_amount) == (1, D("1500.00"))
    assert (row.promises_kept, row.promises_kept_amount, row.promises_broken) == (1, D("1500.00"), 0)
    assert (row.recovered, row.payments) == (D("1500.00"), 1)
    assert row.first_contact_met == 1  # an unanswered call is no contact
    assert row.promise_kept_rate == D("100.0")
    assert not DailyProductivity.objects.filter(collector=collector_b).exists()


def test_late_money_updates_the_earlier_days_row(make_case, pay, close_goals, collector):
    case = make_case(collector=collector)
    close_goals(AS_OF)
    nxt = AS_OF + dt.timedelta(days=1)
    pay(case.credit, "700.00", AS_OF, as_of=nxt)  # the bank file of the 10th came on the 11th
    close_goals(nxt)
    assert DailyProductivity.objects.get(collector=collector, day=AS_OF).recovered == D("700.00")
    assert DailyProductivity.objects.get(collector=collector, day=nxt).recovered == D("0.00")


def test_the_daily_close_runs_the_productivity_step(make_case, pay, collector):
    from recupera.cob import steps as cob_steps
    from recupera.cob.models import CloseStep
    from recupera.cob.services import close_run
    from recupera.core.services import business_date_set

    names = [s.name for s in cob_steps.STEPS]
    assert names.index("productividad") > names.index("promesas")
    business_date_set(actor=None, business_date=AS_OF - dt.timedelta(days=1))
    case = make_case(collector=collector)
    pay(case.credit, "321.00", AS_OF)
    run = close_run(actor=None, business_date=AS_OF)
    step = run.steps.get(name="productividad")
    assert step.status == CloseStep.Status.DONE
    assert step.result["attributed"] == 1
    assert DailyProductivity.objects.get(collector=collector, day=AS_OF).recovered == D("321.00")
