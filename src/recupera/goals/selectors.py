"""Reads of the goals app: each page's data in a fixed number of queries (tests pin them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from recupera.core.roles import Role
from recupera.credits.templatetags.credit_ui import bucket_label
from recupera.engine import goals as gm
from recupera.engine.calendar import BusinessCalendar
from recupera.goals.models import DailyProductivity, Goal, MonthClose, MonthResult, Recovery
from recupera.people.models import Address

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre")
ZERO = Decimal("0.00")


def month_name(month: dt.date) -> str:
    return f"{MONTHS[month.month - 1]} de {month.year}"


def short_month(month: dt.date) -> str:
    return f"{MONTHS[month.month - 1][:3]} {month.year % 100:02d}"


def effective_goal(goal: Goal | None, calendar: BusinessCalendar) -> Decimal:
    """The goal a collector is measured against: pro-rated to their days on the team."""
    if goal is None:
        return ZERO
    return gm.prorate(goal.amount, calendar, goal.month, goal.active_from, goal.active_to)


def collectors() -> list[Any]:
    """Active collectors, by name (one query)."""
    return list(get_user_model().objects.filter(groups__name=Role.COLLECTOR.value, is_active=True)
                .order_by("first_name", "last_name", "username").distinct())


@dataclass
class CollectorMonth:
    collector: Any
    goal: Decimal = ZERO
    recovered: Decimal = ZERO
    payments: int = 0
    has_goal: bool = False

    @property
    def percent(self) -> Decimal | None:
        return gm.percent(self.recovered, self.goal)

    @property
    def missing(self) -> Decimal:
        return max(self.goal - self.recovered, ZERO)

    @property
    def name(self) -> str:
        return self.collector.get_full_name() or self.collector.username if self.collector else "Sin gestor"


@dataclass
class MonthReport:
    month: dt.date
    frozen: MonthClose | None
    institute_goal: Decimal
    rows: list[CollectorMonth]
    unassigned: Decimal
    unassigned_payments: int
    daily: dict[dt.date, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((r.recovered for r in self.rows), ZERO) + self.unassigned

    @property
    def collectors_goal(self) -> Decimal:
        return sum((r.goal for r in self.rows), ZERO)

    @property
    def goal(self) -> Decimal:
        return self.institute_goal or self.collectors_goal

    @property
    def percent(self) -> Decimal | None:
        return gm.percent(self.total, self.goal)

    @property
    def label(self) -> str:
        return month_name(self.month)


def month_report(month: dt.date, calendar: BusinessCalendar, *, daily: bool = False) -> MonthReport:
    """Goal and recovered per collector for `month`: from the frozen results when the month is
    frozen, else from the goals and the attributed money (4 queries; +1 with `daily`)."""
    User = get_user_model()
    frozen = MonthClose.objects.filter(month=month).first()
    rows: dict[int | None, CollectorMonth] = {}
    unassigned, unassigned_n = ZERO, 0
    goals = list(Goal.objects.filter(month=month).select_related("collector"))
    institute = next((g.amount for g in goals if g.collector_id is None), ZERO)
    if frozen is not None:
        for r in MonthResult.objects.filter(close=frozen).select_related("collector"):
            rows[r.collector_id] = CollectorMonth(r.collector, r.goal, r.recovered, r.payments,
                                                  has_goal=r.goal > 0)
        unassigned = frozen.unassigned_recovered
        institute = frozen.total_goal
        unassigned_n = Recovery.objects.filter(month=month, collector__isnull=True).count()
    else:
        for g in goals:
            if g.collector_id is not None:
                rows[g.collector_id] = CollectorMonth(g.collector, effective_goal(g, calendar),
                                                      has_goal=True)
        money = list(Recovery.objects.filter(month=month).values("collector_id")
                     .annotate(s=Sum("amount"), n=Count("id")))
        missing = [m["collector_id"] for m in money
                   if m["collector_id"] is not None and m["collector_id"] not in rows]
        users = {u.pk: u for u in User.objects.filter(pk__in=missing)} if missing else {}
        for m in money:
            if m["collector_id"] is None:
                unassigned, unassigned_n = m["s"], m["n"]
                continue
            row = rows.get(m["collector_id"])
            if row is None:
                row = rows[m["collector_id"]] = CollectorMonth(users[m["collector_id"]])
            row.recovered, row.payments = m["s"], m["n"]
    report = MonthReport(month, frozen, institute,
                         sorted(rows.values(), key=lambda r: (-r.recovered, r.name)),
                         unassigned, unassigned_n)
    if daily:
        for r in Recovery.objects.filter(month=month).values("day").annotate(s=Sum("amount")):
            report.daily[r["day"]] = r["s"]
    return report


def collector_month(collector: Any, month: dt.date, calendar: BusinessCalendar) -> CollectorMonth:
    """One collector's goal and recovered money for `month` (2 queries)."""
    goal = Goal.objects.filter(month=month, collector=collector).first()
    frozen = MonthResult.objects.filter(close__month=month, collector=collector).first()
    if frozen is not None:
        return CollectorMonth(collector, frozen.goal, frozen.recovered, frozen.payments, frozen.goal > 0)
    agg = Recovery.objects.filter(month=month, collector=collector).aggregate(s=Sum("amount"), n=Count("id"))
    return CollectorMonth(collector, effective_goal(goal, calendar), agg["s"] or ZERO, agg["n"],
                          has_goal=goal is not None)


def recoveries(month: dt.date, collector_id: int | None) -> list[Recovery]:
    """The payments (and reversals) attributed to a collector (None: «sin gestor») in a month,
    with their credit's folio (one query)."""
    qs = Recovery.objects.filter(month=month)
    qs = qs.filter(collector__isnull=True) if collector_id is None else qs.filter(collector_id=collector_id)
    return list(qs.select_related("credit").only(
        "id", "entry_id", "credit__folio", "case_id", "kind", "channel", "value_date", "day",
        "amount", "reverses_id", "collector_id").order_by("day", "id"))


@dataclass
class ProductivityTotals:
    collector: Any
    days: list[DailyProductivity] = field(default_factory=list)

    def total(self, name: str) -> Any:
        return sum((getattr(d, name) for d in self.days), 0)

    @property
    def actions(self) -> int:
        return self.total("actions")

    total_contacts = property(lambda self: self.total("right_party_contacts"))
    total_promises = property(lambda self: self.total("promises_made"))
    total_promised = property(lambda self: sum((d.promises_made_amount for d in self.days), ZERO))
    total_kept = property(lambda self: self.total("promises_kept"))
    total_broken = property(lambda self: self.total("promises_broken"))
    total_proposed = property(lambda self: self.total("agreements_proposed"))
    total_authorized = property(lambda self: self.total("agreements_authorized"))
    total_worked = property(lambda self: self.total("cases_worked"))
    total_visits = property(lambda self: self.total("visits"))

    @property
    def recovered(self) -> Decimal:
        return sum((d.recovered for d in self.days), ZERO)

    @property
    def per_action(self) -> Decimal | None:
        return (self.recovered / self.actions).quantize(Decimal("0.01")) if self.actions else None

    @property
    def kept_rate(self) -> Decimal | None:
        kept, broken = self.total("promises_kept"), self.total("promises_broken")
        return (Decimal(kept) * 100 / (kept + broken)).quantize(Decimal("0.1")) if kept + broken else None

    @property
    def cases_assigned(self) -> int:
        return self.days[-1].cases_assigned if self.days else 0

    def series(self, name: str, days: list[dt.date]) -> list[Any]:
        by_day = {d.day: getattr(d, name) for d in self.days}
        return [by_day.get(day, 0) for day in days]


def productivity(month: dt.date, collector_ids: list[int] | None = None) -> dict[int, ProductivityTotals]:
    """The month's stored productivity per collector (one query)."""
    qs = DailyProductivity.objects.filter(day__gte=month, day__lte=gm.month_end(month)).order_by("day")
    if collector_ids is not None:
        qs = qs.filter(collector_id__in=collector_ids)
    out: dict[int, ProductivityTotals] = {}
    for row in qs:
        out.setdefault(row.collector_id, ProductivityTotals(row.collector_id)).days.append(row)
    return out


def institute_trend(month: dt.date, calendar: BusinessCalendar, months: int = 12) -> list[tuple[dt.date, Decimal, Decimal]]:
    """(month, goal, recovered) for the last `months` months up to `month` (2 queries)."""
    first = month
    for _ in range(months - 1):
        first = gm.month_start(first - dt.timedelta(days=1))
    money = {r["month"]: r["s"] for r in Recovery.objects.filter(month__gte=first, month__lte=month)
             .values("month").annotate(s=Sum("amount"))}
    goals: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    institute: dict[dt.date, Decimal] = {}
    for g in Goal.objects.filter(month__gte=first, month__lte=month):
        if g.collector_id is None:
            institute[g.month] = g.amount
        else:
            goals[g.month] += effective_goal(g, calendar)
    out = []
    m = first
    while m <= month:
        out.append((m, institute.get(m, goals[m]), money.get(m, ZERO)))
        m = gm.month_start(gm.month_end(m) + dt.timedelta(days=1))
    return out


def institute_breakdown(month: dt.date) -> dict[str, list[tuple[str, Decimal, int]]]:
    """The month's recovered money by the case's stage, the credit's bucket (today's) and the
    borrower's municipality (3 queries)."""
    from recupera.collections.models import Stage

    qs = Recovery.objects.filter(month=month)
    stages = dict(Stage.choices)
    by_stage = [(str(stages.get(r["case__stage"], "Sin caso")) if r["case__stage"] else "Sin caso",
                 r["s"], r["n"])
                for r in qs.values("case__stage").annotate(s=Sum("amount"), n=Count("id")).order_by("-s")]
    by_bucket = [(bucket_label(r["credit__bucket"]), r["s"], r["n"]) for r in
                 qs.values("credit__bucket").annotate(s=Sum("amount"), n=Count("id")).order_by("-s")]
    town = Subquery(Address.objects.filter(person_id=OuterRef("credit__borrower_id"), is_current=True)
                    .values("municipality_name")[:1])
    by_town = [(r["muni"] or "Sin municipio", r["s"], r["n"]) for r in
               qs.annotate(muni=town).values("muni").annotate(s=Sum("amount"), n=Count("id"))
               .order_by("-s")[:15]]
    return {"stage": by_stage, "bucket": by_bucket, "municipality": by_town}


def today_counts(collector: Any, as_of: dt.date) -> dict[str, int]:
    """The collector's queue today: open cases, worked today, first contacts and actions due
    today or overdue (one query)."""
    from recupera.collections.models import Case

    return Case.objects.filter(status=Case.Status.OPEN, collector=collector).aggregate(
        open=Count("id"),
        worked_today=Count("id", filter=Q(last_action_on=as_of)),
        first_contact_late=Count("id", filter=Q(first_contact_on__isnull=True, first_contact_due__lte=as_of)),
        first_contact_soon=Count("id", filter=Q(first_contact_on__isnull=True,
                                                first_contact_due__gt=as_of,
                                                first_contact_due__lte=as_of + dt.timedelta(days=2))),
        action_overdue=Count("id", filter=Q(next_action_due__lt=as_of)),
        action_due_today=Count("id", filter=Q(next_action_due=as_of)),
    )


def promises_due(collector: Any, as_of: dt.date) -> list[Any]:
    """Promises of the collector's cases due today, and those of the last 3 days still pending
    (one query)."""
    from recupera.collections.models import Promise

    return list(Promise.objects.filter(case__collector=collector, due_on__lte=as_of,
                                       due_on__gte=as_of - dt.timedelta(days=3))
                .filter(Q(status=Promise.Status.PENDING) | Q(evaluated_on=as_of))
                .select_related("case__credit").order_by("due_on", "id")[:20])
