"""Punctual rebate and allocation order (docs/domain.md §3.6, §3.7, §3.9)."""

from datetime import date

from recupera.engine import BusinessCalendar, Disbursement, Event, credit_state

from .conftest import LOAN, D, allocations, make_terms, payment

MX = BusinessCalendar(frozenset({date(2025, 3, 17)}))  # Monday 2025-03-17: Benito Juárez day
LOAN_2K = [Disbursement(1, date(2024, 1, 10), D("2000.00"))]


def test_punctual_rebate_at_3_percent() -> None:
    """§3.7, 12,000 @ 6 %, punctual 3 %: rebate_1 = round(60.00·(1 − 0.03/0.06)) = 30.00;
    closing amount = 171.99 + 60.00 − 30.00 = 201.99, paid on 2025-01-31 (Friday, due date).

    | posting   | installment | component | amount |
    |-----------|-------------|-----------|--------|
    | p1        | 1           | interest  | 30.00  |
    | p1        | 1           | principal | 171.99 |
    | p1/rebate | 1           | rebate    | 30.00  |
    """
    st = credit_state(
        terms=make_terms(),
        disbursements=LOAN,
        events=[payment("p1", date(2025, 1, 31), "201.99")],
        as_of=date(2025, 2, 1),
    )
    assert allocations(st, "p1") == [(1, "interest", D("30.00")), (1, "principal", D("171.99"))]
    rebate = next(p for p in st.postings if p.kind == "rebate")
    assert rebate.event_id == "p1/rebate"
    assert rebate.amount == D("30.00")
    assert [(a.installment, a.component, a.amount) for a in rebate.allocations] == [
        (1, "rebate", D("30.00"))
    ]
    row = st.installments[0]
    assert (row.status, row.rebate, row.paid_interest, row.paid_on) == (
        "paid",
        D("30.00"),
        D("30.00"),
        date(2025, 1, 31),
    )
    assert st.days_past_due == 0 and st.status == "current"


def test_excellence_rate_zero_at_the_threshold_boundary() -> None:
    """§3.7: excellence rate 0 % when the average meets the threshold (90 ≥ 90): rebate =
    round(60.00·(1 − 0/0.06)) = 60.00, closing amount 171.99. At 89.99 the punctual tier applies:
    rebate 30.00, so 171.99 leaves 30.00 of reduced interest… the payment goes first to the
    reduced interest (30.00) and 141.99 to principal: not closed."""
    kw = dict(excellence_rate=D("0"), excellence_threshold=D("90"))
    pay = [payment("p1", date(2025, 1, 31), "171.99")]
    top = credit_state(
        terms=make_terms(academic_average=D("90"), **kw),
        disbursements=LOAN,
        events=pay,
        as_of=date(2025, 2, 1),
    )
    assert top.installments[0].status == "paid"
    assert top.installments[0].rebate == D("60.00")
    assert allocations(top, "p1") == [(1, "principal", D("171.99"))]
    below = credit_state(
        terms=make_terms(academic_average=D("89.99"), **kw),
        disbursements=LOAN,
        events=pay,
        as_of=date(2025, 1, 31),
    )
    assert below.installments[0].status == "partial"
    assert allocations(below, "p1") == [(1, "interest", D("30.00")), (1, "principal", D("141.99"))]
    assert below.installments[0].punctual_rebate == D("30.00")


def test_zero_base_rate_has_no_rebate() -> None:
    """§3.7: base rate 0 → interest 0 and no rebate posting; 12,000/60 = 200.00 closes row 1."""
    st = credit_state(
        terms=make_terms(base_rate=D("0"), punctual_rate=D("0")),
        disbursements=LOAN,
        events=[payment("p1", date(2025, 1, 31), "200.00")],
        as_of=date(2025, 2, 1),
    )
    assert st.installments[0].status == "paid"
    assert not [p for p in st.postings if p.kind == "rebate"]


def test_paying_on_the_effective_due_date_is_punctual() -> None:
    """§3.6/§3.7: 2,000.00 @ 6 % over 2 months, A = 2000·0.005·1.010025/0.010025 = 1007.5062 →
    1007.51; row 1: interest 10.00, principal 997.51, rebate 5.00, closing 1002.51.
    Due 2025-03-15 (Saturday), 2025-03-17 closed → effective 2025-03-18: paying 1002.51 then is
    on time. On 2025-03-19 it is 1 day late: late = 997.51·0.09/360·1 = 0.2493775 → 0.25, the
    full interest 10.00 is owed and 1002.51 − 0.25 − 10.00 = 992.26 goes to principal."""
    terms = make_terms(first_due_date=date(2025, 3, 15), term_months=2)
    on_time = credit_state(
        terms=terms,
        disbursements=LOAN_2K,
        calendar=MX,
        events=[payment("p1", date(2025, 3, 18), "1002.51")],
        as_of=date(2025, 3, 20),
    )
    row = on_time.installments[0]
    assert row.effective_due_date == date(2025, 3, 18)
    assert (row.status, row.rebate, row.paid_principal) == ("paid", D("5.00"), D("997.51"))
    late = credit_state(
        terms=terms,
        disbursements=LOAN_2K,
        calendar=MX,
        events=[payment("p1", date(2025, 3, 19), "1002.51")],
        as_of=date(2025, 3, 19),
    )
    assert allocations(late, "p1") == [
        (1, "late_interest", D("0.25")),
        (1, "interest", D("10.00")),
        (1, "principal", D("992.26")),
    ]
    assert late.installments[0].status == "overdue"
    assert late.installments[0].rebate == D("0")
    assert late.days_past_due == 1


def test_default_allocation_order_oldest_first_then_pay_ahead() -> None:
    """§3.9: fee 50.00 charged 2025-02-05 to the oldest unpaid installment (row 1, overdue);
    payment 300.00 on 2025-02-10 (10 days late): late = 171.99·0.09/360·10 = 0.429975 → 0.43.

    | installment | component     | amount                              |
    |-------------|---------------|-------------------------------------|
    | 1           | fees          | 50.00                               |
    | 1           | late_interest | 0.43                                |
    | 1           | interest      | 60.00 (full: row 1 is overdue)      |
    | 1           | principal     | 171.99                              |
    | 2           | interest      | 300 − 282.42 = 17.58 (of reduced 29.57) |
    """
    events = [
        Event(id="f1", kind="fee", value_date=date(2025, 2, 5), seq=1, amount=D("50.00")),
        payment("p1", date(2025, 2, 10), "300.00", seq=2),
    ]
    st = credit_state(
        terms=make_terms(), disbursements=LOAN, events=events, as_of=date(2025, 2, 10)
    )
    assert allocations(st, "f1") == [(1, "fees", D("50.00"))]
    assert allocations(st, "p1") == [
        (1, "fees", D("50.00")),
        (1, "late_interest", D("0.43")),
        (1, "interest", D("60.00")),
        (1, "principal", D("171.99")),
        (2, "interest", D("17.58")),
    ]
    assert st.installments[0].status == "paid_late"
    assert st.installments[1].status == "partial"


def test_product_allocation_order_principal_first() -> None:
    """§3.9 per product: order principal → interest → late → fees. Same fee and 200.00 payment:
    principal 171.99, interest 28.01; late 0.43 and fees 50.00 stay owed."""
    terms = make_terms(allocation_order=("principal", "interest", "late_interest", "fees"))
    events = [
        Event(id="f1", kind="fee", value_date=date(2025, 2, 5), seq=1, amount=D("50.00")),
        payment("p1", date(2025, 2, 10), "200.00", seq=2),
    ]
    st = credit_state(terms=terms, disbursements=LOAN, events=events, as_of=date(2025, 2, 10))
    assert allocations(st, "p1") == [(1, "principal", D("171.99")), (1, "interest", D("28.01"))]
    assert (st.fees_due, st.late_interest, st.overdue_interest) == (
        D("50.00"),
        D("0.43"),
        D("31.99"),
    )


def test_paying_ahead_earns_the_rebates_and_excess_is_credit_balance() -> None:
    """§3.7/§3.9: 2,000.00 @ 6 %, 2 months. Row 1 closes with 997.51 + 10.00 − 5.00 = 1002.51;
    row 2: B1 = 1002.49, interest 1002.49·0.005 = 5.01245 → 5.01, rebate round(2.505) = 2.51,
    closes with 1002.49 + 2.50 = 1004.99. Paying 2,100.00 on 2025-01-10, before any due date:
    both close on time (rebates 5.00 and 2.51) and 2100 − 2007.50 = 92.50 is credit balance."""
    terms = make_terms(first_due_date=date(2025, 3, 15), term_months=2)
    st = credit_state(
        terms=terms,
        disbursements=LOAN_2K,
        calendar=MX,
        events=[payment("p1", date(2025, 1, 10), "2100.00")],
        as_of=date(2025, 6, 1),
    )
    assert allocations(st, "p1") == [
        (1, "interest", D("5.00")),
        (1, "principal", D("997.51")),
        (2, "interest", D("2.50")),
        (2, "principal", D("1002.49")),
        (None, "credit_balance", D("92.50")),
    ]
    rebate = next(p for p in st.postings if p.kind == "rebate")
    assert [(a.installment, a.amount) for a in rebate.allocations] == [
        (1, D("5.00")),
        (2, D("2.51")),
    ]
    assert [r.status for r in st.installments] == ["paid", "paid"]
    assert st.credit_balance == D("92.50")
    assert st.status == "paid_off"
    assert st.payoff_amount == D("0")
    assert st.paid_off_on == date(2025, 1, 10)


def test_once_overdue_the_full_interest_is_owed() -> None:
    """§3.7: 100.00 on 2025-01-20 goes to reduced interest 30.00 + principal 70.00. Not closed by
    2025-01-31, so at 2025-02-10 the owed interest is 60.00 − 30.00 = 30.00 (full), principal
    101.99 and late 101.99·0.09/360·10 = 0.254975 → 0.25; DPD 10."""
    st = credit_state(
        terms=make_terms(),
        disbursements=LOAN,
        events=[payment("p1", date(2025, 1, 20), "100.00")],
        as_of=date(2025, 2, 10),
    )
    row = st.installments[0]
    assert (row.status, row.paid_interest, row.paid_principal) == (
        "overdue",
        D("30.00"),
        D("70.00"),
    )
    assert (st.overdue_interest, st.overdue_principal, st.late_interest) == (
        D("30.00"),
        D("101.99"),
        D("0.25"),
    )
    assert st.total_overdue == D("132.24")
    assert st.days_past_due == 10
