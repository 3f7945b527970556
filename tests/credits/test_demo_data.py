"""The synthetic portfolio: deterministic per seed, every lifecycle state, caches = the engine."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from recupera.credits import engine_io
from recupera.credits.models import Credit, CreditParty, LedgerEntry, PromissoryNote
from recupera.credits.synthetic import PROFILES, plan_portfolio

AS_OF = dt.date(2026, 11, 26)
CACHED = ["status", "days_past_due", "bucket", "principal_disbursed", "principal_outstanding",
          "total_overdue", "payoff_amount", "credit_balance", "next_due_date"]


def test_the_plan_is_the_same_for_the_same_seed(product_ce):
    calendar = engine_io.business_calendar()
    first = plan_portfolio(count=60, seed=11, as_of=AS_OF, product=product_ce, calendar=calendar)
    again = plan_portfolio(count=60, seed=11, as_of=AS_OF, product=product_ce, calendar=calendar)
    other = plan_portfolio(count=60, seed=12, as_of=AS_OF, product=product_ce, calendar=calendar)
    assert first == again
    assert first != other
    assert {p.profile for p in first} == set(PROFILES)
    for plan in first:
        assert 1 <= len(plan.disbursements) <= 10
        assert all(3000 <= amount <= 25000 for _n, _d, amount, _dest in plan.disbursements)
        assert all(date <= AS_OF for _n, date, _a, _dest in plan.disbursements)
        assert all(e.value_date <= AS_OF for e in plan.events)


@pytest.mark.django_db(transaction=False)
def test_demo_data_has_every_lifecycle_state_and_caches_equal_the_engine(product_ce):
    out = io.StringIO()
    call_command("demo_data", credits=300, seed=2026, as_of=AS_OF, stdout=out)
    assert Credit.objects.count() == 300
    text = out.getvalue()
    assert "Cartera sintética (semilla 2026) al 26/11/2026: 300 créditos" in text
    assert "Vencido" in text and "Liquidado" in text

    statuses = Counter(Credit.objects.values_list("status", flat=True))
    assert set(statuses) == {"en_estudios", "gracia", "amortizacion", "vencido", "liquidado",
                             "convenio", "juridico", "castigado"}
    overdue_buckets = set(Credit.objects.filter(status="vencido").values_list("bucket", flat=True))
    assert overdue_buckets == {"1-30", "31-60", "61-90", "91-180", "181-365", "mas_de_365"}
    kinds = Counter(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds["payment"] > 1000 and kinds["payoff"] >= 1 and kinds["prepayment"] >= 1
    assert kinds["reversal"] >= 1
    # written-off credits carry their write-off entry and show nothing owed on the books
    written_off = list(Credit.objects.filter(status="castigado"))
    assert written_off and kinds["write_off"] == len(written_off)
    assert all(c.payoff_amount == 0 and c.total_overdue == 0 for c in written_off)
    assert PromissoryNote.objects.count() == PromissoryNote.objects.filter(
        disbursement__isnull=False).count() > 300
    assert CreditParty.objects.filter(role="aval").count() > 250
    assert CreditParty.objects.filter(role="referencia").exists()

    # a sample of the cached columns equals a fresh replay through the engine
    sample = Credit.objects.select_related("product", "borrower").order_by("folio")[::15]
    for credit in sample:
        state = engine_io.credit_state(credit, as_of=AS_OF)
        fresh = {"status": engine_io.status_for(credit, state),
                 "days_past_due": state.days_past_due, "bucket": state.bucket,
                 "principal_disbursed": state.principal_disbursed,
                 "principal_outstanding": state.principal_outstanding,
                 "total_overdue": state.total_overdue, "payoff_amount": state.payoff_amount,
                 "credit_balance": state.credit_balance, "next_due_date": state.next_due_date}
        assert {k: getattr(credit, k) for k in CACHED} == fresh, credit.folio
        # payoff and prepayment operations of the demo are valid ones, never rejected
        rejected = [p for p in state.postings
                    if p.kind in ("payoff", "prepayment") and p.rejected_reason]
        assert rejected == [], credit.folio

    # the same seed again on the same database adds nothing
    before = (Credit.objects.count(), LedgerEntry.objects.count(), CreditParty.objects.count())
    call_command("demo_data", credits=300, seed=2026, as_of=AS_OF, stdout=io.StringIO())
    assert (Credit.objects.count(), LedgerEntry.objects.count(),
            CreditParty.objects.count()) == before


def test_every_payoff_and_prepayment_is_applied(product_ce):
    call_command("demo_data", credits=120, seed=5, as_of=AS_OF, stdout=io.StringIO())
    operations = LedgerEntry.objects.filter(kind__in=["payoff", "prepayment"]).values_list(
        "credit_id", flat=True)
    credits = Credit.objects.filter(pk__in=operations).select_related("product")
    assert credits
    for credit in credits:
        state = engine_io.credit_state(credit, as_of=AS_OF)
        for posting in state.postings:
            if posting.kind in ("payoff", "prepayment"):
                assert posting.rejected_reason is None, (credit.folio, posting.rejected_reason)
        if credit.ledger_entries.filter(kind="payoff").exists():
            assert credit.status == "liquidado"
