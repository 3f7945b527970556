"""engine_io: rows to engine dataclasses, the state JSON, the cached calendar."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from recupera.core.models import BankClosureDay
from recupera.credits import engine_io
from recupera.credits.models import Credit
from recupera.credits.selectors import credit_detail
from recupera.credits.services import entry_post, payment_post, payment_reverse

FIRST_DUE = dt.date(2025, 1, 15)
MONEY = re.compile(r"^-?\d+\.\d{2}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

TOP_FIELDS = {
    "folio", "as_of", "status", "financial_status", "days_past_due", "bucket",
    "principal_disbursed", "principal_outstanding", "overdue_principal", "overdue_interest",
    "late_interest", "fees_due", "total_overdue", "payoff_amount", "credit_balance", "written_off", "written_off_on",
    "next_due_date", "first_due_date", "installment_amount", "schedule_version", "borrower",
    "installments", "payments", "payment_reference",
}
INSTALLMENT_FIELDS = {
    "number", "schedule_version", "due_date", "effective_due_date", "principal", "interest",
    "rebate", "fees", "paid_principal", "paid_interest", "paid_late_interest", "paid_fees",
    "late_interest_accrued", "status", "paid_on",
}


def test_terms_take_the_product_and_the_credit_overrides(make_credit, product_ce):
    credit = make_credit(first_due_date=FIRST_DUE, base_rate=Decimal("0.05"), term_months=36,
                         academic_average=Decimal("91"))
    terms = engine_io.terms_for(credit)
    assert terms.base_rate == Decimal("0.05")
    assert terms.punctual_rate == Decimal("0.03")
    assert terms.late_rate == Decimal("0.09")
    assert terms.term_months == 36
    assert terms.grace_months == 6
    assert terms.excellence_rate == Decimal("0")
    assert terms.excellence_threshold == Decimal("90")
    assert terms.academic_average == Decimal("91")
    assert terms.first_due_date == FIRST_DUE
    assert terms.allocation_order == ("fees", "late_interest", "interest", "principal")
    assert terms.tolerance == Decimal("1.00")


def test_events_carry_the_entry_id_order_and_params(make_credit):
    credit = make_credit(first_due_date=FIRST_DUE)
    pay, _ = payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                          channel="caja", natural_key="p1")
    pre, _ = entry_post(actor=None, credit=credit, kind="prepayment", value_date=FIRST_DUE,
                        amount="1000.00", natural_key="pre1", params={"mode": "keep_term"})
    rev, _ = payment_reverse(actor=None, entry=pay, reason="Error", value_date=FIRST_DUE)
    restr, _ = entry_post(actor=None, credit=credit, kind="restructure",
                          value_date=dt.date(2025, 2, 1), amount="0", natural_key="r1",
                          params={"new_rate": Decimal("0.04"), "new_term_months": 24,
                                  "new_first_due_date": dt.date(2025, 3, 1),
                                  "capitalize_interest": True})
    events = {e.id: e for e in engine_io.events_for(credit)}
    assert events[str(pay.pk)].seq == pay.pk
    assert events[str(pay.pk)].channel == "caja"
    assert events[str(pre.pk)].mode == "keep_term"
    assert events[str(rev.pk)].reverses == str(pay.pk)
    r = events[str(restr.pk)]
    assert (r.new_rate, r.new_term_months, r.new_first_due_date, r.new_principal,
            r.capitalize_interest) == (Decimal("0.04"), 24, dt.date(2025, 3, 1), None, True)


def test_replay_load_rows_give_the_same_events_as_the_entries(make_credit):
    """events_query + event_from_row (the batch replay's load, params as JSON text with a fast
    path for empty ones) equal event_for of each entry, for every kind of params."""
    credit = make_credit(first_due_date=FIRST_DUE)
    other = make_credit(first_due_date=FIRST_DUE)
    pay, _ = payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                          channel="caja", natural_key="p1")
    payment_post(actor=None, credit=other, amount="50.00", value_date=FIRST_DUE,
                 channel="banco", natural_key="o1")
    entry_post(actor=None, credit=credit, kind="prepayment", value_date=FIRST_DUE,
               amount="1000.00", natural_key="pre1", params={"mode": "keep_term"})
    entry_post(actor=None, credit=credit, kind="discount", value_date=FIRST_DUE,
               amount="10.00", natural_key="d1", params={"component": "late_interest"})
    payment_reverse(actor=None, entry=pay, reason="Error", value_date=FIRST_DUE)
    entry_post(actor=None, credit=credit, kind="restructure", value_date=dt.date(2025, 2, 1),
               amount="0", natural_key="r1",
               params={"new_rate": Decimal("0.04"), "new_term_months": 24,
                       "new_first_due_date": dt.date(2025, 3, 1), "new_principal": "900.50",
                       "capitalize_interest": True})
    rows = list(engine_io.events_query([credit.pk, other.pk]))
    assert [r[0] for r in rows] == [credit.pk] * 5 + [other.pk]
    loaded = [engine_io.event_from_row(*r[1:]) for r in rows]
    expected = engine_io.events_for(credit) + engine_io.events_for(other)
    assert loaded == expected
    assert loaded[-1].reverses is None and loaded[-1].amount == Decimal("50.00")
    assert loaded[4].new_principal == Decimal("900.50")


def test_state_json_has_the_documented_fields_and_formats(make_credit):
    credit = make_credit(first_due_date=FIRST_DUE)
    payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                 channel="caja", natural_key="p1")
    credit = credit_detail(folio=credit.folio)
    data = engine_io.state_json(credit, engine_io.credit_state(credit, as_of=dt.date(2025, 3, 1)))
    assert set(data) == TOP_FIELDS
    for name in ("principal_disbursed", "principal_outstanding", "overdue_principal",
                 "overdue_interest", "late_interest", "fees_due", "total_overdue",
                 "payoff_amount", "credit_balance", "written_off", "installment_amount"):
        assert MONEY.match(data[name]), name
    assert ISO.match(data["as_of"]) and ISO.match(data["next_due_date"])
    assert data["borrower"] == {"curp": credit.borrower.curp, "name": "Ana López Mendoza"}
    from recupera.payments.references import ALGORITHMS

    assert ALGORITHMS["luhn"].valid(data["payment_reference"])
    assert set(data["installments"][0]) == INSTALLMENT_FIELDS
    assert data["installments"][0]["status"] == "paid"
    assert data["installments"][1]["status"] == "overdue"
    payment = data["payments"][0]
    assert (payment["date"], payment["kind"], payment["amount"], payment["channel"],
            payment["natural_key"]) == ("2025-01-15", "payment", "201.99", "caja", "p1")
    assert {"installment": 1, "schedule_version": 1, "component": "principal",
            "amount": "171.99"} in payment["allocations"]
    rebate = data["payments"][1]
    assert (rebate["kind"], rebate["amount"], rebate["natural_key"]) == ("rebate", "30.00", "p1")
    assert data["status"] == "vencido" and data["financial_status"] == "overdue"
    assert data["days_past_due"] == 12  # 01/03/2025 − 17/02/2025 (15/02 was a Saturday)


def test_the_administrative_status_wins_over_the_engine(make_credit):
    credit = make_credit(first_due_date=FIRST_DUE)
    Credit.objects.filter(pk=credit.pk).update(administrative_status=Credit.Status.LEGAL)
    credit.refresh_from_db()
    state = engine_io.credit_state(credit, as_of=dt.date(2025, 3, 1))
    assert state.status == "overdue"
    assert engine_io.state_json(credit, state)["status"] == "juridico"


def test_credit_state_of_a_detailed_credit_costs_one_query(make_credit, django_assert_num_queries):
    credit = make_credit(first_due_date=FIRST_DUE)
    payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                 channel="caja", natural_key="p1")
    detailed = credit_detail(folio=credit.folio)
    with django_assert_num_queries(2):  # the bank-closure days; the active bank agreements
        state = engine_io.credit_state(detailed, as_of=dt.date(2025, 3, 1))
        engine_io.state_json(detailed, state)


def test_credit_detail_loads_in_a_fixed_number_of_queries(make_credit, django_assert_num_queries):
    credit = make_credit(first_due_date=FIRST_DUE, amounts=("5000.00", "5000.00", "2000.00"))
    payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                 channel="caja", natural_key="p1")
    with django_assert_num_queries(6):
        detailed = credit_detail(folio=credit.folio)
        [p.person.contact_points.all() for p in detailed.parties.all()]
        # each disbursement's pagaré is found among the credit's pagarés (no join of them)
        assert ({n.disbursement_id for n in detailed.notes.all()}
                == {d.pk for d in detailed.disbursements.all()})
        assert [e.value_date for e in detailed.ledger_entries.all()] == [FIRST_DUE]


def test_a_new_bank_closure_day_moves_the_effective_due_date(make_credit):
    credit = make_credit(first_due_date=dt.date(2025, 1, 15))
    as_of = dt.date(2025, 1, 16)
    assert engine_io.credit_state(credit, as_of=as_of).days_past_due == 1
    BankClosureDay.objects.create(date=dt.date(2025, 1, 15), description="Cierre bancario")
    state = engine_io.credit_state(credit, as_of=as_of)
    assert state.installments[0].effective_due_date == dt.date(2025, 1, 16)
    assert state.days_past_due == 0


@pytest.mark.parametrize("financial,expected", [
    ("studying", "en_estudios"), ("grace", "gracia"), ("current", "amortizacion"),
    ("overdue", "vencido"), ("paid_off", "liquidado"),
])
def test_financial_status_maps_to_credit_status(financial, expected):
    assert engine_io.FINANCIAL_TO_STATUS[financial] == expected


def test_schedule_fingerprint_hashes_the_documented_text():
    """The fingerprint's text is fixed (stored fingerprints must stay valid): the cached ISO
    installment heads ("n,due,effective,") give the same hash as formatting every date."""
    import hashlib

    from recupera import engine
    from recupera.credits.services import schedule_fingerprint

    s = engine.build_schedule(
        engine.Terms(base_rate=Decimal("0.06"), punctual_rate=Decimal("0.06"),
                     late_rate=Decimal("0.09"), term_months=60, first_due_date=FIRST_DUE),
        [engine.Disbursement(number=1, date=dt.date(2020, 1, 15), amount=Decimal("12000.00"))])
    text = ";".join(
        [f"{s.version}|{s.starts_on}|{s.principal}|{s.rate}|{s.installment_amount}|{s.reason[:20]}"]
        + [f"{i.number},{i.due_date.isoformat()},{i.effective_due_date.isoformat()},"
           f"{i.principal},{i.interest}" for i in s.installments])
    expected = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    assert schedule_fingerprint(s) == expected
    assert schedule_fingerprint(s) == expected  # second call: from the heads cache
    assert len(s.installments) == 60 and expected != schedule_fingerprint(
        engine.build_schedule(engine.Terms(base_rate=Decimal("0.06"), punctual_rate=Decimal("0.06"),
                                           late_rate=Decimal("0.09"), term_months=59,
                                           first_due_date=FIRST_DUE),
                              [engine.Disbursement(number=1, date=dt.date(2020, 1, 15),
                                                   amount=Decimal("12000.00"))]))
