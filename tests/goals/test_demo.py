"""`recupera demo` fills the goals: three collectors with goals, a month of work and money."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

AS_OF = dt.date(2026, 11, 26)


def test_demo_goals_fill_the_month(db):
    from recupera.core.services import business_date_set
    from recupera.goals.demo import load_demo_goals
    from recupera.goals.models import DailyProductivity, Goal, MonthClose, Recovery
    from recupera.goals.selectors import month_report
    from recupera.ops.management.commands.demo import Command, ensure_demo_users

    call_command("demo_data", credits=80, seed=2026, as_of=AS_OF, stdout=io.StringIO())
    business_date_set(actor=None, business_date=AS_OF)
    ensure_demo_users()
    Command()._assign_cases()
    assert load_demo_goals(as_of=AS_OF, password="x-Clave-2026") == ["gestor2", "gestor3"]

    month = dt.date(2026, 11, 1)
    assert Goal.objects.filter(month=month).count() == 4  # the institute and three collectors
    assert Goal.objects.filter(month=dt.date(2026, 8, 1)).exists()
    assert DailyProductivity.objects.filter(day__gte=month, actions__gt=0).values("collector").distinct().count() == 3
    assert MonthClose.objects.filter(month=dt.date(2026, 10, 1)).exists()
    from recupera.core.calendar import business_calendar

    report = month_report(month, business_calendar())
    assert sum(r.recovered for r in report.rows) > 0  # promises paid at the counter
    assert report.total == sum(Recovery.objects.filter(month=month).values_list("amount", flat=True))
    assert load_demo_goals(as_of=AS_OF, password="x") == []  # once
