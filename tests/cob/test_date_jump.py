"""The close's date (issue 20 #5): a date more than one business day after the business date is
refused on every path (CLI, the Cierre diario page, the task) unless explicitly authorized, which
is audited; a close of a wrong date is undone with `recupera cob --void` and the real date closes
again with the engine's figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from recupera.cob.models import CloseRun
from recupera.cob.services import close_date_limit, close_run
from recupera.core.models import AuditEntry
from recupera.core.services import business_date_get, business_date_set
from tests.cob.conftest import AS_OF, cached_view, engine_view

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 11, 27)


@pytest.fixture
def on_friday(db):
    business_date_set(actor=None, business_date=FRIDAY)


def test_the_limit_is_the_next_business_day(on_friday):
    assert close_date_limit() == dt.date(2026, 11, 30)  # the weekend passes: Monday
    # 2026-12-25 is a holiday (Friday): after Thursday 24th comes Monday 28th
    assert close_date_limit(dt.date(2026, 12, 24)) == dt.date(2026, 12, 28)


def test_cli_refuses_a_date_ten_years_ahead_and_changes_nothing(on_friday):
    with pytest.raises(CommandError) as refused:
        call_command("cob", date="2036-12-07", stdout=io.StringIO())
    message = str(refused.value)
    assert ("La fecha 07/12/2036 está más de un día hábil después de la fecha de operación actual "
            "(27/11/2026; el siguiente día hábil es 30/11/2026)") in message
    assert "--allow-date-jump" in message
    assert business_date_get() == FRIDAY
    assert not CloseRun.objects.exists()


def test_the_weekend_and_the_next_business_day_close_unattended(on_friday):
    assert close_run(actor=None, business_date=dt.date(2026, 11, 28)).finished  # Saturday
    assert close_run(actor=None, business_date=dt.date(2026, 11, 30)).finished  # Monday
    with pytest.raises(ValidationError, match="está más de un día hábil"):
        close_run(actor=None, business_date=dt.date(2026, 12, 2))  # Wednesday: Tuesday skipped


def test_cli_flag_allows_the_jump_and_audits_it(on_friday, make_user):
    from recupera.core.roles import Role

    operator = make_user(Role.IT_ADMIN, username="ti-cierre")
    out = io.StringIO()
    call_command("cob", date="2026-12-09", allow_date_jump=True, username="ti-cierre", stdout=out)
    assert "Cierre del 09/12/2026: terminado" in out.getvalue()
    assert business_date_get() == dt.date(2026, 12, 9)
    entry = AuditEntry.objects.get(action="cierre.salto_fecha")
    assert entry.actor == operator
    assert entry.before == {"business_date": "2026-11-27"}
    assert entry.after == {"business_date": "2026-12-09", "limit": "2026-11-30"}


def test_the_page_shows_the_refusal_and_starts_nothing(on_friday, portfolio_officer, client_for, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(portfolio_officer)
    page = client.post(reverse("cob:runs"), {"business_date": "2036-12-07"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "La fecha 07/12/2036 está más de un día hábil después de la fecha de operación actual" in html
    assert "Autorizo cerrar una fecha más de un día hábil" in html
    assert not CloseRun.objects.exists()

    done = client.post(reverse("cob:runs"), {"business_date": "2026-12-09", "allow_date_jump": "on"},
                       follow=True)
    assert "quedó en cola" in done.content.decode()
    assert CloseRun.objects.get(business_date=dt.date(2026, 12, 9)).finished
    assert AuditEntry.objects.get(action="cierre.salto_fecha").actor == portfolio_officer


def test_the_task_refuses_without_the_flag(on_friday):
    from recupera.cob.tasks import run_close

    with pytest.raises(ValidationError, match="está más de un día hábil"):
        run_close.call("2036-12-07", None)
    assert business_date_get() == FRIDAY
    assert run_close.call("2036-12-07", None, allow_date_jump=True) == "terminado"


def _diff(d: dt.date) -> dict:
    want, have = engine_view(d), cached_view()
    return {f: (have[f], want[f]) for f in want if have[f] != want[f]}


def test_operator_recovers_from_a_wrong_date(portfolio):
    """The documented procedure: a close of 2036 was forced by mistake; the real close is then
    refused; `cob --void` undoes it and the real date closes with the engine's figures."""
    from recupera.cob.models import PortfolioSnapshot
    from recupera.credits.models import Credit

    real = AS_OF + dt.timedelta(days=1)
    close_run(actor=None, business_date=real)
    wrong = dt.date(2036, 12, 7)
    call_command("cob", date=wrong.isoformat(), allow_date_jump=True, stdout=io.StringIO())
    assert business_date_get() == wrong
    assert Credit.objects.filter(days_past_due__gt=3000).exists()  # re-aged ten years

    nxt = real + dt.timedelta(days=3)  # Monday
    with pytest.raises(CommandError, match="Ya se cerró una fecha posterior"):
        call_command("cob", date=nxt.isoformat(), stdout=io.StringIO())

    with pytest.raises(CommandError, match="motivo"):
        call_command("cob", void=wrong.isoformat(), stdout=io.StringIO())
    out = io.StringIO()
    call_command("cob", void=wrong.isoformat(), reason="fecha tecleada por error", stdout=out)
    assert "anulado; la fecha de operación vuelve a ser 27/11/2026" in out.getvalue()
    assert business_date_get() == real
    assert CloseRun.objects.get(business_date=wrong).status == CloseRun.Status.VOIDED
    assert not PortfolioSnapshot.objects.filter(business_date=wrong).exists()
    voided = AuditEntry.objects.get(action="cierre.anular")
    assert voided.after["reason"] == "fecha tecleada por error"
    assert voided.after["business_date"] == real.isoformat()

    run = close_run(actor=None, business_date=nxt)
    assert run.finished
    assert _diff(nxt) == {}
    assert not Credit.objects.filter(state_as_of__gt=nxt).exists()
    assert not Credit.objects.filter(days_past_due__gt=3000).exists()
