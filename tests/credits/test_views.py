"""The credit list and the credit page: what they show comes from the engine, who may see them,
and how many queries they cost (pinned)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recupera.core.money import format_mxn
from recupera.core.roles import Role

BUSINESS_DATE = dt.date(2025, 11, 27)
FIRST_DUE = dt.date(2025, 1, 15)

# Pinned query counts (see the tests below for what they include).
# (no model-permission reads: core.predicates.AdminModelBackend answers for staff only)
# The supervisor's role needs the second factor: django-otp's middleware reads the session's
# verified device once a request (+1 each; a deleted device ends the session at once).
DETAIL_QUERIES = 17  # + 1: the personal-data view log, one insert (core/dataaccess.py); + 1: the pagarés' legal clock (legal.prescription.note_clocks)
LIST_QUERIES = 8


@pytest.fixture
def business_date(db):
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=BUSINESS_DATE)
    return BUSINESS_DATE


def add_phone(person, value="+526621234567", label="celular", primary=True):
    from recupera.people.models import ContactPoint

    return ContactPoint.objects.create(person=person, kind="phone", value=value,
                                       digits=value[-10:], label=label, is_primary=primary)


def pay(credit, *, on: dt.date, amount: str, key: str, channel: str = "banco"):
    from recupera.credits.services import payment_post

    entry, _created = payment_post(actor=None, credit=credit, amount=Decimal(amount), value_date=on,
                                   channel=channel, natural_key=key, as_of=BUSINESS_DATE)
    return entry


@pytest.fixture
def credit_with_payments(make_credit, business_date):
    """12 monthly installments from 15/01/2025, three payments (one reversed): overdue at the
    business date, with late interest."""
    from recupera.credits.services import payment_reverse

    credit = make_credit(folio="CE-000101", amounts=("12000.00",), first_due_date=FIRST_DUE,
                         term_months=12, school="Universidad de Sonora", career="Enfermería",
                         academic_average=Decimal("85.50"), as_of=BUSINESS_DATE)
    add_phone(credit.borrower)
    pay(credit, on=dt.date(2025, 1, 15), amount="1035.00", key="op-1")
    pay(credit, on=dt.date(2025, 3, 2), amount="1100.00", key="op-2", channel="caja")
    bounced = pay(credit, on=dt.date(2025, 4, 10), amount="700.00", key="op-3")
    payment_reverse(actor=None, entry=bounced, reason="Cheque devuelto",
                    value_date=dt.date(2025, 4, 20), as_of=BUSINESS_DATE)
    return credit


def engine_state(credit, as_of=BUSINESS_DATE):
    from recupera.credits.engine_io import credit_state
    from recupera.credits.selectors import credit_detail

    fresh = credit_detail(folio=credit.folio)
    return fresh, credit_state(fresh, as_of=as_of)


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the credit page ---------------------------------------------------------------------------
def test_credit_page_shows_the_engine_figures(client_for, supervisor, credit_with_payments):
    from recupera.credits.engine_io import state_json

    fresh, state = engine_state(credit_with_payments)
    data = state_json(fresh, state)
    response = client_for(supervisor).get(reverse("credits:detail", args=["CE-000101"]))
    assert response.status_code == 200
    text = text_of(response)
    payoff = format_mxn(Decimal(data["payoff_amount"]))
    assert f"Monto para liquidar al 27/11/2025: {payoff}" in text
    assert Decimal(data["total_overdue"]) > 0 and Decimal(data["late_interest"]) > 0
    for key in ("principal_disbursed", "principal_outstanding", "overdue_principal",
                "overdue_interest", "late_interest", "total_overdue", "payoff_amount"):
        assert format_mxn(Decimal(data[key])) in text, key
    assert f"{state.days_past_due}" in text and "Vencido" in text
    # Terms as percentages, people with role labels and phones formatted.
    assert "6.00 %" in text and "3.00 %" in text and "9.00 %" in text
    assert "Universidad de Sonora" in text and "Enfermería" in text
    assert "Acreditado" in text and "Aval" in text
    assert "Ana López Mendoza" in text and "Jorge Ruiz Mendoza" in text
    assert "662 123 4567" in text or "(662) 123 4567" in text or "662 123 45 67" in text
    # The schedule: 12 installments with Spanish statuses; the reversed payment struck through.
    assert "pagada" in text and "vencida" in text and "pendiente" in text
    html = response.content.decode()
    assert html.count('<tr class="st-') == 12
    assert "reversado" in text and "Cheque devuelto" in text
    assert re.search(r"<s>\$700\.00</s>", html)
    assert "interés moratorio" in text and "interés ordinario" in text and "capital" in text
    assert reverse("credits:statement_pdf", args=["CE-000101"]) + "?as_of=27/11/2025" in html

    assert re.search(r"Reversa del movimiento del \d\d/\d\d/\d{4} por \$700\.00", text)


def test_credit_page_pages_the_movements_most_recent_first(client_for, supervisor, make_credit,
                                                           business_date):
    """A long ledger: page 1 shows the last MOVEMENTS_PAGE movements in value-date order, with
    links to the earlier ones; the pages together are the whole ledger (the PDF lists all)."""
    from recupera.credits.views import MOVEMENTS_PAGE

    credit = make_credit(folio="M-LONG", amounts=("30000.00",), first_due_date=dt.date(2023, 1, 15),
                         term_months=36, as_of=BUSINESS_DATE)
    _monthly_payments(credit, 25, "950.00", dt.date(2023, 1, 15))
    _fresh, state = engine_state(credit)
    shown = [p.value_date.strftime("%d/%m/%Y") for p in state.postings]
    total = len(shown)
    assert total > 2 * MOVEMENTS_PAGE  # payments and their rebates
    pages = -(-total // MOVEMENTS_PAGE)
    client = client_for(supervisor)
    url = reverse("credits:detail", args=["M-LONG"])

    def dates_on(html: str) -> list[str]:
        return re.findall(r'<tr class="move move-[^"]*">\s*<td>(?:<s>)?(\d\d/\d\d/\d{4})', html)

    latest = client.get(url).content.decode()
    assert dates_on(latest) == shown[-MOVEMENTS_PAGE:]
    assert f"{total - MOVEMENTS_PAGE + 1}–{total} de {total}" in text_of_html(latest)
    assert f"Página 1 de {pages}" in text_of_html(latest)
    assert "?movimientos=2#h-movimientos" in latest and "Más recientes" not in latest
    seen = []
    for number in range(pages, 0, -1):
        html = client.get(url, {"movimientos": str(number), "as_of": "27/11/2025"}).content.decode()
        seen += dates_on(html)
    assert seen == shown
    oldest = client.get(url, {"movimientos": str(pages), "as_of": "27/11/2025"}).content.decode()
    assert f"?as_of=27%2F11%2F2025&amp;movimientos={pages - 1}#h-movimientos" in oldest
    assert "Anteriores" not in oldest
    assert client.get(url, {"movimientos": "x"}).status_code == 200  # a bad page is page 1
    # The schedule stays whole.
    assert latest.count('<tr class="st-') == 36


def test_credit_page_at_another_date(client_for, supervisor, credit_with_payments):
    _fresh, state = engine_state(credit_with_payments, as_of=dt.date(2025, 2, 1))
    client = client_for(supervisor)
    for raw in ("01/02/2025", "2025-02-01"):
        text = text_of(client.get(reverse("credits:detail", args=["CE-000101"]), {"as_of": raw}))
        assert f"Monto para liquidar al 01/02/2025: {format_mxn(state.payoff_amount)}" in text
        assert "Está viendo el crédito al 01/02/2025; la fecha de operación es 27/11/2025." in text


def test_bad_as_of_says_so_in_spanish_and_shows_the_business_date(client_for, supervisor,
                                                                   credit_with_payments):
    _fresh, state = engine_state(credit_with_payments)
    response = client_for(supervisor).get(reverse("credits:detail", args=["CE-000101"]),
                                         {"as_of": "31/02/2025"})
    assert response.status_code == 200
    text = text_of(response)
    assert "«31/02/2025» no es una fecha válida; escríbala como dd/mm/aaaa" in text
    assert f"Monto para liquidar al 27/11/2025: {format_mxn(state.payoff_amount)}" in text


def test_unknown_folio_is_404(client_for, supervisor, business_date):
    assert client_for(supervisor).get(reverse("credits:detail", args=["NO-EXISTE"])).status_code == 404


def test_user_without_a_role_is_refused(client_for, make_user, credit_with_payments):
    client = client_for(make_user(None))
    for url in (reverse("credits:list"), reverse("credits:detail", args=["CE-000101"]),
                reverse("credits:statement_pdf", args=["CE-000101"])):
        assert client.get(url).status_code == 403, url


def test_anonymous_goes_to_login(client, credit_with_payments):
    response = client.get(reverse("credits:detail", args=["CE-000101"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SUPERVISOR, Role.CASHIER])
def test_portfolio_roles_can_view(client_for, make_user, credit_with_payments, role):
    client = client_for(make_user(role))
    assert client.get(reverse("credits:list")).status_code == 200
    assert client.get(reverse("credits:detail", args=["CE-000101"])).status_code == 200


def test_a_collector_sees_only_the_credits_of_their_cases(client_for, make_user, credit_with_payments,
                                                         business_date):
    from recupera.collections.services import case_open, cases_reassign

    collector = make_user(Role.COLLECTOR)
    client = client_for(collector)
    url = reverse("credits:detail", args=["CE-000101"])
    assert client.get(url).status_code == 404
    assert "CE-000101" not in client.get(reverse("credits:list")).content.decode()
    assert client.get(reverse("credits:statement_pdf", args=["CE-000101"])).status_code == 404
    case = case_open(actor=None, credit=credit_with_payments, as_of=business_date)
    cases_reassign(actor=None, cases=[case], collector=collector, reason="prueba", as_of=business_date)
    assert client.get(url).status_code == 200
    assert "CE-000101" in client.get(reverse("credits:list")).content.decode()


def test_older_schedule_versions_are_kept_on_the_page(client_for, supervisor, make_credit,
                                                      business_date):
    from recupera.credits.services import entry_post

    credit = make_credit(folio="CE-000202", amounts=("12000.00",), first_due_date=FIRST_DUE,
                         term_months=12, as_of=dt.date(2025, 1, 10))
    entry_post(actor=None, credit=credit, kind="prepayment", value_date=dt.date(2025, 1, 10),
               amount=Decimal("3000.00"), natural_key="pre-1", channel="caja",
               params={"mode": "keep_installment"}, as_of=BUSINESS_DATE)
    html = client_for(supervisor).get(reverse("credits:detail", args=["CE-000202"])).content.decode()
    assert "<details" in html and "Versión 1 (original)" in html
    assert "versión 2 (pago anticipado a capital)" in html
    assert "pago anticipado a capital" in text_of_html(html)


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- fixed number of queries -------------------------------------------------------------------
def _monthly_payments(credit, count: int, amount: str, first: dt.date):
    from recupera.engine import add_months

    for k in range(count):
        pay(credit, on=add_months(first, k), amount=amount, key=f"m-{credit.folio}-{k}")


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_credit_page_query_count_does_not_grow_with_installments_or_payments(
        client_for, supervisor, make_credit, business_date, django_assert_num_queries):
    """Session, user, groups, business date (once for the view and the menu), the credit with
    its parties, contact points, disbursements, pagarés and ledger (the schedule and the
    allocations shown are the engine's replay, not rows), the bank-closure days, the current
    addresses, unread messages, bank agreements: the same count for 12
    installments and 2 payments as for 60 installments and 30 payments."""
    small = make_credit(folio="Q-SMALL", amounts=("12000.00",), first_due_date=dt.date(2023, 1, 15),
                        term_months=12, as_of=BUSINESS_DATE)
    _monthly_payments(small, 2, "1035.00", dt.date(2023, 1, 15))
    large = make_credit(folio="Q-LARGE", amounts=("30000.00", "30000.00"),
                        first_due_date=dt.date(2023, 1, 15), term_months=60, as_of=BUSINESS_DATE)
    add_phone(large.borrower)
    _monthly_payments(large, 30, "1200.00", dt.date(2023, 1, 15))
    client = client_for(supervisor)
    client.get(reverse("credits:detail", args=["Q-SMALL"]))  # warm the session and caches

    _fresh, state = engine_state(large)
    assert len(state.installments) == 60 and len(state.postings) >= 30
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("credits:detail", args=["Q-LARGE"]))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("credits:detail", args=["Q-SMALL"]))


# --- the list ----------------------------------------------------------------------------------
@pytest.fixture
def portfolio(make_credit, make_person, business_date):
    """Three credits at the business date: current (first due in the future), overdue ~10
    months, overdue ~3 months."""
    current = make_credit(folio="L-001", amounts=("5000.00",), first_due_date=dt.date(2026, 1, 15),
                          term_months=12, as_of=BUSINESS_DATE)
    old = make_credit(folio="L-002", amounts=("20000.00",), first_due_date=dt.date(2025, 1, 15),
                      term_months=24, as_of=BUSINESS_DATE)
    recent = make_credit(folio="L-003", amounts=("8000.00",), first_due_date=dt.date(2025, 8, 15),
                         term_months=12, as_of=BUSINESS_DATE)
    return current, old, recent


def _folios(response) -> list[str]:
    return re.findall(r'class="mono" href="/creditos/([^/]+)/"', response.content.decode())


def test_list_filters_and_sorts(client_for, supervisor, portfolio):
    current, old, recent = portfolio
    for credit in portfolio:
        credit.refresh_from_db()
    assert current.days_past_due == 0 < recent.days_past_due < old.days_past_due
    client = client_for(supervisor)
    url = reverse("credits:list")
    assert _folios(client.get(url)) == ["L-001", "L-002", "L-003"]
    assert _folios(client.get(url, {"status": "vencido"})) == ["L-002", "L-003"]
    assert _folios(client.get(url, {"bucket": "al_corriente"})) == ["L-001"]
    assert _folios(client.get(url, {"bucket": old.bucket})) == ["L-002"]
    assert _folios(client.get(url, {"dpd_min": 1, "dpd_max": recent.days_past_due})) == ["L-003"]
    assert _folios(client.get(url, {"q": "L-00"})) == ["L-001", "L-002", "L-003"]
    assert _folios(client.get(url, {"q": "L-002"})) == ["L-002"]
    assert _folios(client.get(url, {"q": "ana lopez"})) == ["L-001", "L-002", "L-003"]
    assert _folios(client.get(url, {"orden": "-atraso"})) == ["L-002", "L-003", "L-001"]
    assert _folios(client.get(url, {"orden": "atraso"})) == ["L-001", "L-003", "L-002"]
    assert _folios(client.get(url, {"orden": "-saldo"})) == ["L-002", "L-003", "L-001"]
    assert _folios(client.get(url, {"orden": "saldo", "status": "vencido"})) == ["L-003", "L-002"]
    text = text_of(client.get(url, {"q": "L-002"}))
    assert format_mxn(old.principal_outstanding) in text and format_mxn(old.total_overdue) in text
    assert "Vencido" in text


def test_list_bad_range_is_explained(client_for, supervisor, portfolio):
    text = text_of(client_for(supervisor).get(reverse("credits:list"), {"dpd_min": 90, "dpd_max": 5}))
    assert "Debe ser mayor o igual que «desde» (90)." in text


def test_list_query_count_is_fixed(client_for, supervisor, make_credit, business_date,
                                   django_assert_num_queries):
    """Session, user, groups, business date (menu), count, one page of credits with borrowers."""
    for n in range(3):
        make_credit(folio=f"N-{n:03d}", amounts=("5000.00",), first_due_date=FIRST_DUE,
                    term_months=12, as_of=BUSINESS_DATE)
    client = client_for(supervisor)
    client.get(reverse("credits:list"))
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("credits:list"), {"orden": "-atraso"})
    for n in range(3, 60):
        make_credit(folio=f"N-{n:03d}", amounts=("5000.00",), first_due_date=FIRST_DUE,
                    term_months=12, as_of=BUSINESS_DATE)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("credits:list"), {"orden": "-atraso", "page": 2})
    assert len(_folios(response)) == 10


# --- the person page fragment ------------------------------------------------------------------
def test_person_credits_fragment(rf, supervisor, make_user, credit_with_payments):
    from django.template import Context, Template

    template = Template("{% load credit_ui %}{% person_credits person %}")
    guarantor = credit_with_payments.parties.get(role="aval").person
    request = rf.get("/")
    request.user = supervisor
    html = template.render(Context({"request": request, "person": guarantor}))
    assert 'href="/creditos/CE-000101/"' in html and "Aval" in html and "Vencido" in html
    assert "de Ana López Mendoza" in html
    request.user = make_user(None)
    assert "CE-000101" not in template.render(Context({"request": request, "person": guarantor}))


def test_person_credits_as_a_people_page_panel(rf, supervisor, credit_with_payments):
    """How the lead wires it: a PersonPanel whose context is views.person_credits_context."""
    from recupera.credits.views import person_credits_context
    from recupera.people.panels import (
        PersonPanel,
        person_panels,
        register_person_panel,
        unregister_person_panel,
    )

    request = rf.get("/")
    request.user = supervisor
    register_person_panel(PersonPanel(key="credits-test", template="credits/_person_credits.html",
                                      context=person_credits_context, order=10,
                                      perm="credits.view_credit"))
    try:
        html = "".join(person_panels(request, credit_with_payments.borrower))
    finally:
        unregister_person_panel("credits-test")
    assert 'href="/creditos/CE-000101/"' in html and "Acreditado" in html


def test_the_reverse_link_shows_only_to_who_may_reverse(client_for, supervisor, auditor, make_credit,
                                                        business_date):
    credit = make_credit(folio="Q-REV", amounts=("12000.00",), first_due_date=dt.date(2023, 1, 15),
                         term_months=12, as_of=BUSINESS_DATE)
    _monthly_payments(credit, 1, "1035.00", dt.date(2023, 1, 15))
    url = reverse("credits:detail", args=["Q-REV"])
    assert ">Reversar</a>" in client_for(supervisor).get(url).content.decode()
    assert ">Reversar</a>" not in client_for(auditor).get(url).content.decode()
