"""Demo data of the goals app (`recupera demo`): two more collectors, the open cases shared
among the collectors since the first of the month, goals for this month and the three before
(the distribution tool by overdue balance), a month of collection work (calls, promises) on
every business day up to the business date, and the goals part of the daily close of each of
those days, so «Mi día» and the dashboards show a real month on first start.

Deterministic (seeded), and idempotent: a database that already has goals is left alone."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from recupera.core.roles import Role
from recupera.engine import goals as gm

EXTRA_COLLECTORS = (("gestor2", "Mario", "Soto Ibarra"), ("gestor3", "Karla", "Ruiz Duarte"))
HMO = ZoneInfo("America/Hermosillo")
OUTCOMES = (("no_contesta", 5), ("promesa_pago", 3), ("contacto_efectivo", 2), ("buzon", 2), ("numero_equivocado", 1))


def _collectors(password: str) -> list:
    User = get_user_model()
    group = Group.objects.get(name=Role.COLLECTOR.value)
    for username, first, last in EXTRA_COLLECTORS:
        user, created = User.objects.get_or_create(username=username,
                                                   defaults={"first_name": first, "last_name": last})
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(group)
    return list(User.objects.filter(groups=group, is_active=True).order_by("username"))


def load_demo_goals(*, as_of: dt.date, password: str) -> list[str]:
    """Fill the demo's goals and month of work. Returns the extra collectors' usernames."""
    from recupera.collections.models import Case, Outcome
    from recupera.collections.services import (
        ConductRefused,
        WorkbenchError,
        action_log,
        cases_reassign,
        promises_evaluate,
    )
    from recupera.core.calendar import business_calendar
    from recupera.goals.models import Goal
    from recupera.goals.services import distribution_propose, goals_close, goals_save

    if Goal.objects.exists():
        return []
    collectors = _collectors(password)
    month = gm.month_start(as_of)
    calendar = business_calendar()
    rng = random.Random(2026)
    open_cases = list(Case.objects.filter(status=Case.Status.OPEN).order_by("pk"))
    with transaction.atomic():
        for i, collector in enumerate(collectors):
            mine = open_cases[i::len(collectors)]
            if mine:
                cases_reassign(actor=None, cases=mine, collector=collector, as_of=month,
                               reason="Demostración: cartera del mes")
    # goals: this month and the three before, set the day before each month began
    first = month
    for _ in range(3):
        first = gm.month_start(first - dt.timedelta(days=1))
    m = first
    total = Decimal("60000.00") * len(collectors)
    while m <= month:
        shares = distribution_propose(total=total, method="vencido", collectors=collectors)
        goals_save(actor=None, month=m, business_date=m - dt.timedelta(days=1), institute_amount=total,
                   collector_amounts={c.pk: share for c, _, share in shares})
        m = gm.month_start(gm.month_end(m) + dt.timedelta(days=1))
    # a month of work, then the goals step of each day's close
    outcomes = {o.code: o for o in Outcome.objects.all()}
    weighted = [code for code, w in OUTCOMES if code in outcomes for _ in range(w)]
    by_collector: dict[int, list[Case]] = {}
    for case in Case.objects.filter(status=Case.Status.OPEN).select_related("credit"):
        by_collector.setdefault(case.collector_id, []).append(case)
    day = month
    while day <= as_of:
        if calendar.is_business_day(day):
            for collector in collectors:
                cases = by_collector.get(collector.pk, [])
                for n, case in enumerate(rng.sample(cases, min(len(cases), rng.randint(3, 7)))):
                    _demo_action(action_log, (ConductRefused, WorkbenchError), collector, case, day, n,
                                 outcomes, rng.choice(weighted) if weighted else None, rng)
            _demo_promise_payments(day, rng)
            promises_evaluate(as_of=day)
        with transaction.atomic():
            goals_close(actor=None, as_of=day)
        day += dt.timedelta(days=1)
    return [u for u, _, _ in EXTRA_COLLECTORS]


def _demo_promise_payments(day: dt.date, rng: random.Random) -> None:
    """Most borrowers who promised for `day` pay at the counter that day (some partly)."""
    from recupera.collections.models import Promise
    from recupera.payments.services import cash_payment_capture

    cashier = get_user_model().objects.filter(groups__name=Role.CASHIER.value).order_by("pk").first()
    if cashier is None:
        return
    for promise in Promise.objects.filter(status=Promise.Status.PENDING, due_on=day).select_related("case__credit"):
        draw = rng.random()
        if draw > 0.75:
            continue
        amount = promise.amount if draw < 0.6 else (promise.amount / 2).quantize(Decimal("0.01"))
        with transaction.atomic():
            cash_payment_capture(actor=cashier, credit=promise.case.credit, amount=amount,
                                 request_id=f"demo-promesa-{promise.pk}", business_date=day)


def _demo_action(action_log, refused, collector, case, day, n, outcomes, code, rng) -> None:  # type: ignore[no-untyped-def]
    from recupera.credits.models import CreditParty

    if code is None:
        return
    party = CreditParty.objects.filter(credit_id=case.credit_id, role="acreditado").select_related("person").first()
    if party is None:
        return
    point = party.person.contact_points.filter(kind="phone").first()
    if point is None:
        return
    promise = code == "promesa_pago"
    amount = min(case.credit.total_overdue or Decimal("0"), Decimal(rng.choice([500, 800, 1000, 1500, 2000])))
    if promise and amount <= 0:
        code, promise = "no_contesta", False
    try:
        with transaction.atomic():
            action_log(actor=collector, case=case,
                       now=dt.datetime.combine(day, dt.time(9, 30), tzinfo=HMO) + dt.timedelta(minutes=25 * n),
                       business_date=day, channel="llamada_saliente", party="acreditado",
                       person=party.person, contact_point=point, outcome=outcomes[code],
                       promise_amount=amount if promise else None,
                       promise_due_on=day + dt.timedelta(days=rng.randint(1, 5)) if promise else None,
                       duration_seconds=rng.randint(30, 400), notes="Gestión de la demostración")
    except refused:
        return
