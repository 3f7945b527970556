"""Every write of the goals app (docs/goals.md): goals (set, distributed), the attribution of
recovered money (`recoveries_sync`), the daily productivity table (`productivity_store`) and the
month freeze (`months_freeze`); the daily close's `productividad` step runs `goals_close`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from recupera.core.audit import audit_record
from recupera.engine import goals as gm
from recupera.goals.models import DailyProductivity, Goal, MonthClose, MonthResult, Recovery

MAX_GOAL = Decimal("500000000.00")
MONTHS_AHEAD = 12
# Ledger kinds that bring money in (every channel: bank file, cashier, payroll, agreements).
RECOVERY_KINDS = ("payment", "prepayment", "payoff")
REVERSAL = "reversal"
# An entry committed after a later id (two imports at once) is still found: the sync looks this
# many ids back from the last entry it attributed (an anti-join skips those already done).
LOOKBACK_IDS = 10_000
BATCH = 2000
# Parties that count as a right-party contact (contacto efectivo) when there was a conversation.
RIGHT_PARTIES = ("acreditado", "aval", "representante")
DISTRIBUTION_METHODS = {
    "vencido": "saldo vencido asignado",
    "liquidacion": "monto para liquidar asignado",
    "igual": "partes iguales",
}


def _month_label(month: dt.date) -> str:
    from recupera.goals.selectors import month_name

    return month_name(month)


def parse_month(text: str) -> dt.date:
    """«2026-12» → 2026-12-01; a Spanish ValidationError otherwise."""
    try:
        year, month = (int(p) for p in (text or "").strip().split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise ValidationError({"month": f"«{text}» no es un mes válido; use el formato AAAA-MM "
                                        "(por ejemplo 2026-12)."}) from None


def _amount(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{label}: «{value}» no es un importe válido."}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: f"{label}: el importe no puede ser negativo."})
    if amount > MAX_GOAL:
        raise ValidationError({field: f"{label}: el importe excede el máximo de ${MAX_GOAL:,.2f}."})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: f"{label}: el importe lleva a lo más dos decimales."})
    return amount.quantize(Decimal("0.01"))


def goal_edit_problem(month: dt.date, business_date: dt.date, reason: str) -> str | None:
    """Why a goal of `month` cannot be changed on `business_date` with `reason` (or None)."""
    current = gm.month_start(business_date)
    if month < current:
        return (f"La meta de {_month_label(month)} ya no se puede cambiar: los meses pasados son "
                "de solo lectura.")
    last = gm.month_start(current + dt.timedelta(days=31 * MONTHS_AHEAD))
    if month > last:
        return f"Solo se fijan metas hasta {MONTHS_AHEAD} meses adelante."
    if month == current and len((reason or "").strip()) < 5:
        return (f"{_month_label(month).capitalize()} ya empezó: escriba el motivo del cambio "
                "(al menos 5 letras).")
    return None


def _goal_write(*, actor: Any, month: dt.date, collector: Any, amount: Decimal, reason: str,
                active_from: dt.date | None = None, active_to: dt.date | None = None) -> Goal | None:
    goal = Goal.objects.select_for_update().filter(month=month, collector=collector).first()
    fields = ["amount", "active_from", "active_to"]
    before = None if goal is None else {f: str(getattr(goal, f)) for f in fields}
    if goal is None:
        goal = Goal(month=month, collector=collector)
    goal.amount, goal.active_from, goal.active_to = amount, active_from, active_to
    after = {f: str(getattr(goal, f)) for f in fields}
    if before == after:
        return None
    goal.reason, goal.set_by = (reason or "").strip()[:300], actor
    goal.save()
    audit_record(actor=actor, action="metas.fijar", obj=goal, before=before,
                 after={**after, "month": month.isoformat(),
                        "collector": getattr(collector, "username", None),
                        "reason": goal.reason})
    return goal


@transaction.atomic
def goals_save(*, actor: Any, month: dt.date, business_date: dt.date,
               institute_amount: Any | None, collector_amounts: dict[int, Any], reason: str = "",
               periods: dict[int, tuple[dt.date | None, dt.date | None]] | None = None) -> int:
    """Set the institute's goal and the collectors' goals of `month` in one transaction (all or
    nothing). Past months are refused; the current month needs a reason. Each changed goal is
    audited (`metas.fijar`, before and after). Returns how many goals changed."""
    problem = goal_edit_problem(month, business_date, reason)
    if problem:
        raise ValidationError({"month": problem})
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=list(collector_amounts))}
    errors: dict[str, str] = {}
    clean: dict[int, Decimal] = {}
    first, last = month, gm.month_end(month)
    periods = periods or {}
    for pk, value in collector_amounts.items():
        user = users.get(pk)
        if user is None:
            errors[f"gestor_{pk}"] = f"El gestor {pk} no existe."
            continue
        label = f"Meta de {user.get_full_name() or user.username}"
        try:
            clean[pk] = _amount(value, f"gestor_{pk}", label)
        except ValidationError as exc:
            errors.update(exc.message_dict and {k: v[0] for k, v in exc.message_dict.items()})
        start, end = periods.get(pk, (None, None))
        for d in (start, end):
            if d is not None and not first <= d <= last:
                errors[f"periodo_{pk}"] = (f"{label}: las fechas de alta y baja deben caer en "
                                           f"{_month_label(month)}.")
        if start and end and end < start:
            errors[f"periodo_{pk}"] = f"{label}: la baja es anterior al alta."
    institute = None
    if institute_amount not in (None, ""):
        try:
            institute = _amount(institute_amount, "institute", "Meta del instituto")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    changed = 0
    if institute is not None:
        changed += _goal_write(actor=actor, month=month, collector=None, amount=institute,
                               reason=reason) is not None
    for pk, amount in clean.items():
        start, end = periods.get(pk, (None, None))
        changed += _goal_write(actor=actor, month=month, collector=users[pk], amount=amount,
                               reason=reason, active_from=start, active_to=end) is not None
    return changed


def distribution_propose(*, total: Any, method: str, collectors: Sequence[Any]) -> list[tuple[Any, Decimal, Decimal]]:
    """Each collector's proposed share of `total`: by the overdue balance of their open cases
    (`vencido`), by those cases' payoff amount (`liquidacion`) or equal (`igual`). Returns
    (collector, weight, share); the shares sum to `total` exactly (engine.goals.distribute)."""
    from recupera.collections.models import Case

    if method not in DISTRIBUTION_METHODS:
        raise ValidationError({"method": "Elija cómo repartir: saldo vencido, monto para liquidar "
                                         "o partes iguales."})
    total = _amount(total, "total", "Meta del instituto")
    ids = [c.pk for c in collectors]
    weights: dict[int, Decimal] = {pk: Decimal("1") for pk in ids}
    if method != "igual":
        column = "credit__total_overdue" if method == "vencido" else "credit__payoff_amount"
        weights = {pk: Decimal("0") for pk in ids}
        for row in (Case.objects.filter(status=Case.Status.OPEN, collector_id__in=ids)
                    .values("collector_id").annotate(w=Sum(column))):
            weights[row["collector_id"]] = row["w"] or Decimal("0")
    shares = gm.distribute(total, [weights[pk] for pk in ids])
    return [(c, weights[c.pk], s) for c, s in zip(collectors, shares, strict=True)]


# --- attribution --------------------------------------------------------------------------------
def _histories(credit_ids: Iterable[int]) -> dict[int, list[tuple[int, gm.Holding]]]:
    """Per credit, its cases' assignment rows as (case id, Holding)."""
    from recupera.collections.models import Assignment

    out: dict[int, list[tuple[int, gm.Holding]]] = defaultdict(list)
    rows = (Assignment.objects.filter(case__credit_id__in=list(credit_ids))
            .values_list("case_id", "case__credit_id", "collector_id", "starts_on", "ends_on", "id"))
    for case_id, credit_id, collector_id, starts, ends, pk in rows:
        out[credit_id].append((case_id, gm.Holding(collector_id, starts, ends, pk)))
    return out


def attribute(history: list[tuple[int, gm.Holding]], day: dt.date) -> tuple[int | None, int | None]:
    """(collector, case) holding the credit on `day` (the rule of docs/goals.md)."""
    collector = gm.holder_on([h for _, h in history], day)
    if collector is None:
        return None, None
    best = max(((case, h) for case, h in history
                if h.collector == collector and h.starts_on <= day
                and (h.ends_on is None or h.ends_on >= day)), key=lambda ch: (ch[1].starts_on, ch[1].seq))
    return collector, best[0]


def recoveries_sync(*, as_of: dt.date) -> dict[str, int]:
    """Attribute every money entry of the ledger not attributed yet (docs/goals.md, «Regla de
    atribución»). Idempotent: an entry is attributed once (Recovery.entry is unique). Call inside
    a transaction."""
    from recupera.credits.models import LedgerEntry

    frozen = set(MonthClose.objects.values_list("month", flat=True))
    open_month = gm.month_start(as_of)
    while open_month in frozen:  # a close after a voided month end: the next one open
        open_month = gm.month_start(gm.month_end(open_month) + dt.timedelta(days=1))
    last = Recovery.objects.aggregate(m=Max("entry_id"))["m"] or 0
    pending = (LedgerEntry.objects.filter(id__gt=max(0, last - LOOKBACK_IDS),
                                          kind__in=(*RECOVERY_KINDS, REVERSAL))
               .exclude(id__in=Recovery.objects.filter(entry_id__gt=max(0, last - LOOKBACK_IDS))
                        .values("entry_id"))
               .order_by("id").values_list("id", "credit_id", "kind", "channel", "value_date",
                                             "amount", "reverses_id"))
    counts = {"attributed": 0, "unassigned": 0, "reversals": 0}
    rows = list(pending)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        histories = _histories({r[1] for r in chunk})
        originals = {r.entry_id: r for r in Recovery.objects.filter(
            entry_id__in=[r[6] for r in chunk if r[6]])}
        new: list[Recovery] = []
        for pk, credit_id, kind, channel, value_date, amount, reverses_id in chunk:
            if kind == REVERSAL:
                original = originals.get(reverses_id)
                if original is None:  # reverses an entry of this chunk
                    original = next((n for n in new if n.entry_id == reverses_id), None)
                if original is None:
                    continue  # reverses something that never counted as recovered money
                if original.month not in frozen:
                    month, day = original.month, original.day
                else:
                    month = gm.month_start(value_date)
                    month, day = ((month, value_date) if month not in frozen and month >= open_month
                                  else (open_month, max(open_month, min(as_of, gm.month_end(open_month)))))
                rec = Recovery(entry_id=pk, credit_id=credit_id, case_id=original.case_id,
                               collector_id=original.collector_id, kind=kind, channel=original.channel,
                               value_date=value_date, month=month, day=day, amount=-amount,
                               reverses=original)
                counts["reversals"] += 1
            else:
                collector, case = attribute(histories.get(credit_id, []), value_date)
                month = gm.month_start(value_date)
                day = value_date
                if month in frozen:  # arrived after its month was frozen: the first open month
                    month, day = open_month, max(open_month, min(as_of, gm.month_end(open_month)))
                rec = Recovery(entry_id=pk, credit_id=credit_id, case_id=case, collector_id=collector,
                               kind=kind, channel=channel, value_date=value_date, month=month, day=day,
                               amount=amount)
                counts["unassigned"] += collector is None
            new.append(rec)
            originals[pk] = rec
        # reversals point at rows of the same chunk: save in order
        for rec in new:
            if rec.reverses is not None and rec.reverses.pk is None:
                rec.reverses.save()
            if rec.pk is None:
                rec.save()
        counts["attributed"] += len(new)
    return counts


# --- productivity --------------------------------------------------------------------------------
def _local_day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def productivity_store(*, as_of: dt.date, touched_days: Iterable[tuple[int, dt.date]] = ()) -> int:
    """The productivity rows of `as_of` (rewritten whole), plus the recovered pesos of the
    (collector, day) pairs whose money changed. Call inside a transaction."""
    from recupera.agreements.models import Agreement, Approval
    from recupera.collections.models import Action, Case, Promise

    rows: dict[int, dict[str, Any]] = defaultdict(lambda: {"by_channel": {}, "by_outcome": {}})
    actions = Action.objects.filter(business_date=as_of)
    for r in actions.values("actor_id", "channel").annotate(n=Count("id")):
        row = rows[r["actor_id"]]
        row["by_channel"][r["channel"]] = r["n"]
        row["actions"] = row.get("actions", 0) + r["n"]
        if r["channel"] == "visita":
            row["visits"] = r["n"]
    for r in actions.values("actor_id", "outcome__code").annotate(n=Count("id")):
        rows[r["actor_id"]]["by_outcome"][r["outcome__code"]] = r["n"]
    for r in (actions.filter(party__in=RIGHT_PARTIES, outcome__is_conversation=True)
              .values("actor_id").annotate(n=Count("id"))):
        rows[r["actor_id"]]["right_party_contacts"] = r["n"]
    for r in actions.values("actor_id").annotate(n=Count("case_id", distinct=True)):
        rows[r["actor_id"]]["cases_worked"] = r["n"]
    for r in (Promise.objects.filter(made_on=as_of).values("created_by_id")
              .annotate(n=Count("id"), s=Sum("amount"))):
        rows[r["created_by_id"]].update(promises_made=r["n"], promises_made_amount=r["s"])
    settled = Promise.objects.filter(evaluated_on=as_of)
    for r in (settled.filter(status=Promise.Status.KEPT).values("created_by_id")
              .annotate(n=Count("id"), s=Sum("paid_amount"))):
        rows[r["created_by_id"]].update(promises_kept=r["n"], promises_kept_amount=r["s"])
    for r in (settled.filter(status__in=[Promise.Status.BROKEN, Promise.Status.PARTIAL])
              .values("created_by_id").annotate(n=Count("id"), s=Sum("amount"), p=Sum("paid_amount"))):
        rows[r["created_by_id"]].update(promises_broken=r["n"], promises_broken_amount=r["s"] - r["p"])
    for r in Agreement.objects.filter(as_of=as_of).values("proposed_by_id").annotate(n=Count("id")):
        rows[r["proposed_by_id"]]["agreements_proposed"] = r["n"]
    start, end = _local_day_range(as_of)
    for r in (Approval.objects.filter(decision=Approval.Decision.APPROVED, decided_at__gte=start,
                                      decided_at__lt=end)
              .exclude(agreement__status__in=["por_autorizar", "rechazado"])
              .values("agreement__proposed_by_id").annotate(n=Count("agreement_id", distinct=True))):
        rows[r["agreement__proposed_by_id"]]["agreements_authorized"] = r["n"]
    open_cases = Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False)
    for r in open_cases.values("collector_id").annotate(
            n=Count("id"), late=Count("id", filter=Q(next_action_due__lt=as_of))):
        rows[r["collector_id"]].update(cases_assigned=r["n"], next_action_overdue=r["late"])
    for r in (Case.objects.filter(collector__isnull=False, first_contact_on=as_of)
              .filter(Q(first_contact_due__isnull=True) | Q(first_contact_due__gte=as_of))
              .values("collector_id").annotate(n=Count("id"))):
        rows[r["collector_id"]]["first_contact_met"] = r["n"]
    for r in (Case.objects.filter(collector__isnull=False, first_contact_due=as_of)
              .filter(Q(first_contact_on__isnull=True) | Q(first_contact_on__gt=as_of))
              .values("collector_id").annotate(n=Count("id"))):
        rows[r["collector_id"]]["first_contact_missed"] = r["n"]
    for r in (Recovery.objects.filter(day=as_of, collector__isnull=False).values("collector_id")
              .annotate(s=Sum("amount"), n=Count("id"))):
        rows[r["collector_id"]].update(recovered=r["s"], payments=r["n"])
    rows.pop(None, None)
    DailyProductivity.objects.filter(day=as_of).delete()
    DailyProductivity.objects.bulk_create(
        [DailyProductivity(day=as_of, collector_id=pk, **values) for pk, values in rows.items()],
        batch_size=1000)
    others = sorted({(c, d) for c, d in touched_days if c is not None and d != as_of})
    for collector_id, day in others:
        agg = Recovery.objects.filter(day=day, collector_id=collector_id).aggregate(
            s=Sum("amount"), n=Count("id"))
        updated = DailyProductivity.objects.filter(day=day, collector_id=collector_id).update(
            recovered=agg["s"] or 0, payments=agg["n"])
        if not updated:
            DailyProductivity.objects.create(day=day, collector_id=collector_id,
                                             recovered=agg["s"] or 0, payments=agg["n"])
    return len(rows) + len(others)


# --- month freeze -------------------------------------------------------------------------------
def months_freeze(*, actor: Any, as_of: dt.date) -> list[dt.date]:
    """Freeze the month before `as_of`'s, and every earlier one with goals or recovered money,
    that is not frozen yet:
    a MonthClose with one MonthResult per collector (pro-rated goal, recovered, payments).
    Call inside a transaction."""
    from recupera.goals.selectors import effective_goal

    current = gm.month_start(as_of)
    frozen = set(MonthClose.objects.values_list("month", flat=True))
    months = (set(Recovery.objects.filter(month__lt=current).values_list("month", flat=True).distinct())
              | set(Goal.objects.filter(month__lt=current).values_list("month", flat=True).distinct())
              | {gm.month_start(current - dt.timedelta(days=1))})
    done: list[dt.date] = []
    calendar = None
    for month in sorted(months - frozen):
        if calendar is None:
            from recupera.core.calendar import business_calendar

            calendar = business_calendar()
        money = {r["collector_id"]: r for r in Recovery.objects.filter(month=month)
                 .values("collector_id").annotate(s=Sum("amount"), n=Count("id"))}
        goals = {g.collector_id: g for g in Goal.objects.filter(month=month)}
        institute = goals.pop(None, None)
        close = MonthClose.objects.create(
            month=month, closed_on=as_of,
            total_goal=institute.amount if institute else sum(
                (effective_goal(g, calendar) for g in goals.values()), Decimal("0")),
            total_recovered=sum((r["s"] for r in money.values()), Decimal("0")),
            unassigned_recovered=money.get(None, {}).get("s") or Decimal("0"))
        collectors = (set(money) | set(goals)) - {None}
        MonthResult.objects.bulk_create([
            MonthResult(close=close, collector_id=pk,
                        goal=effective_goal(goals[pk], calendar) if pk in goals else Decimal("0"),
                        recovered=(money.get(pk) or {}).get("s") or Decimal("0"),
                        payments=(money.get(pk) or {}).get("n") or 0)
            for pk in sorted(collectors)])
        audit_record(actor=actor, action="metas.congelar_mes", obj=close, after={
            "month": month.isoformat(), "total_recovered": str(close.total_recovered),
            "total_goal": str(close.total_goal), "collectors": len(collectors)})
        done.append(month)
    return done


def goals_close(*, actor: Any, as_of: dt.date) -> dict[str, int]:
    """The daily close's `productividad` step: attribute the new money, freeze the months that
    ended, store the day's productivity. Call inside a transaction."""
    before = Recovery.objects.aggregate(m=Max("id"))["m"] or 0
    counts = recoveries_sync(as_of=as_of)
    touched = set(Recovery.objects.filter(id__gt=before).values_list("collector_id", "day"))
    frozen = months_freeze(actor=actor, as_of=as_of)
    counts["productivity_rows"] = productivity_store(as_of=as_of, touched_days=touched)
    counts["months_frozen"] = len(frozen)
    return counts
