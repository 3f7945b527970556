"""Setting goals: the distribution proposal, the reason once the month started, past months
read-only, audit rows, all-or-nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from recupera.core.models import AuditEntry
from recupera.goals.models import Goal
from recupera.goals.services import distribution_propose, goals_save, parse_month

DEC = dt.date(2026, 12, 1)


def test_parse_month_says_what_is_wrong():
    assert parse_month("2026-12") == DEC
    with pytest.raises(ValidationError) as err:
        parse_month("12/2026")
    assert "AAAA-MM" in str(err.value)


def test_future_month_goals_saved_and_audited(collector, collector_b, portfolio_officer):
    n = goals_save(actor=portfolio_officer, month=DEC, business_date=dt.date(2026, 11, 20),
                   institute_amount="250000.00",
                   collector_amounts={collector.pk: "125000.00", collector_b.pk: "125,000.00"})
    assert n == 3
    assert Goal.objects.get(month=DEC, collector=None).amount == D("250000.00")
    assert Goal.objects.get(month=DEC, collector=collector_b).amount == D("125000.00")
    audits = AuditEntry.objects.filter(action="metas.fijar")
    assert audits.count() == 3
    # the same values again change nothing and write nothing
    assert goals_save(actor=portfolio_officer, month=DEC, business_date=dt.date(2026, 11, 20),
                      institute_amount="250000", collector_amounts={collector.pk: "125000"}) == 0
    assert AuditEntry.objects.filter(action="metas.fijar").count() == 3


def test_changing_the_current_month_needs_a_reason(collector, supervisor):
    goals_save(actor=supervisor, month=DEC, business_date=dt.date(2026, 11, 30), institute_amount=None,
               collector_amounts={collector.pk: "100000.00"})
    with pytest.raises(ValidationError) as err:
        goals_save(actor=supervisor, month=DEC, business_date=dt.date(2026, 12, 8), institute_amount=None,
                   collector_amounts={collector.pk: "90000.00"})
    assert "diciembre de 2026 ya empezó" in str(err.value).lower()
    goals_save(actor=supervisor, month=DEC, business_date=dt.date(2026, 12, 8), institute_amount=None,
               collector_amounts={collector.pk: "90000.00"}, reason="incapacidad de 5 días")
    goal = Goal.objects.get(month=DEC, collector=collector)
    assert goal.amount == D("90000.00") and goal.reason == "incapacidad de 5 días"
    audit = AuditEntry.objects.filter(action="metas.fijar").order_by("-id").first()
    assert audit.before == {"amount": "100000.00"} and audit.after["amount"] == "90000.00"


def test_past_months_are_read_only(collector, supervisor):
    with pytest.raises(ValidationError) as err:
        goals_save(actor=supervisor, month=dt.date(2026, 11, 1), business_date=dt.date(2026, 12, 8),
                   institute_amount=None, collector_amounts={collector.pk: "1.00"}, reason="corrección")
    assert "solo lectura" in str(err.value)
    assert not Goal.objects.exists()


def test_bad_amount_names_the_collector_and_saves_nothing(collector, collector_b, supervisor):
    collector_b.first_name, collector_b.last_name = "Mario", "Soto"
    with pytest.raises(ValidationError) as err:
        goals_save(actor=supervisor, month=DEC, business_date=dt.date(2026, 11, 20), institute_amount="300000",
                   collector_amounts={collector.pk: "100000", collector_b.pk: "-5"})
    assert "Meta de Mario Soto: el importe no puede ser negativo." in str(err.value)
    assert not Goal.objects.exists()


def test_join_date_must_fall_in_the_month(collector, supervisor):
    with pytest.raises(ValidationError) as err:
        goals_save(actor=supervisor, month=DEC, business_date=dt.date(2026, 11, 20), institute_amount=None,
                   collector_amounts={collector.pk: "1000"},
                   periods={collector.pk: (dt.date(2027, 1, 4), None)})
    assert "deben caer en diciembre de 2026" in str(err.value)


def test_distribution_by_overdue_balance(make_case, collector, collector_b):
    from recupera.credits.models import Credit

    a = make_case(collector=collector)
    b = make_case(collector=collector_b)
    Credit.objects.filter(pk=a.credit_id).update(total_overdue=D("30000.00"), payoff_amount=D("50000.00"))
    Credit.objects.filter(pk=b.credit_id).update(total_overdue=D("10000.00"), payoff_amount=D("50000.00"))
    rows = distribution_propose(total="100000.00", method="vencido", collectors=[collector, collector_b])
    assert [(w, s) for _, w, s in rows] == [(D("30000.00"), D("75000.00")), (D("10000.00"), D("25000.00"))]
    rows = distribution_propose(total="100000.00", method="liquidacion", collectors=[collector, collector_b])
    assert [s for _, _, s in rows] == [D("50000.00"), D("50000.00")]
    rows = distribution_propose(total="100000.01", method="igual", collectors=[collector, collector_b])
    assert [s for _, _, s in rows] == [D("50000.01"), D("50000.00")]
    with pytest.raises(ValidationError):
        distribution_propose(total="1", method="azar", collectors=[collector])
