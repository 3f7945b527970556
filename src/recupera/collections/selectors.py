"""Reads of the workbench, each with a known, fixed number of queries (pinned by tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Subquery, Sum

from recupera.collections.models import (
    Action,
    Assignment,
    Case,
    ConductOverride,
    DeadlineSnapshot,
    Message,
    Outcome,
    Promise,
)
from recupera.credits.selectors import folio_condition
from recupera.people.models import Person
from recupera.people.selectors import search_condition

QUEUE_FILTERS = ("stage", "flag", "q", "collector")


def visible_cases(*, user: Any) -> QuerySet[Case]:
    """The cases a user may see: collectors their own; supervisors and the office the team."""
    qs = Case.objects.all()
    if not user.has_perm("collections.view_team"):
        qs = qs.filter(collector_id=user.pk)
    return qs


def overdue_first_contact(as_of: dt.date) -> Q:
    """Cases whose first contact is overdue at `as_of`."""
    return Q(first_contact_due__lt=as_of)


def overdue_action(as_of: dt.date) -> Q:
    """Cases without an action within the stage's interval whose first contact is not overdue
    (each case under one reason, as logic.priority_for gives them)."""
    return (Q(first_contact_due__isnull=True) | Q(first_contact_due__gte=as_of)) & Q(next_action_due__lt=as_of)


def overdue_deadline(as_of: dt.date) -> Q:
    """Cases with an overdue plazo de gestión (either of the two above)."""
    return Q(first_contact_due__lt=as_of) | Q(next_action_due__lt=as_of)


def case_queue(*, user: Any, filters: dict[str, Any] | None = None,
               as_of: dt.date | None = None) -> QuerySet[Case]:
    """Open cases in priority order (1 query per page): the user's own, or — for those who see
    the team — everybody's or one collector's (`collector`: id, username or "sin"). filters: stage, flag
    (plazo|promesa_hoy|incumplida|sin_asignar), q (folio prefix or borrower's name)."""
    filters = filters or {}
    qs = visible_cases(user=user).filter(status=Case.Status.OPEN)
    if user.has_perm("collections.view_team"):
        # The page sends the collector's id (or "sin"), the API also a username
        # (?collector=gestor2); anything else matches no case rather than failing.
        collector = str(filters.get("collector") or "").strip()
        if collector == "sin":
            qs = qs.filter(collector__isnull=True)
        elif collector.isdigit() and len(collector) <= 18:
            qs = qs.filter(collector_id=int(collector))
        elif collector:
            qs = qs.filter(collector__username=collector)
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    flag = filters.get("flag")
    if flag == "plazo" and as_of:
        qs = qs.filter(overdue_deadline(as_of))
    elif flag == "promesa_hoy" and as_of:
        qs = qs.filter(promises__status=Promise.Status.PENDING, promises__due_on=as_of).distinct()
    elif flag == "incumplida":
        qs = qs.filter(broken_promise_on__isnull=False)
    query = (filters.get("q") or "").strip()
    if query:
        cond = Q(credit__folio__istartswith=query) | Q(credit__borrower__curp__iexact=query)
        name_q = Q()
        for word in query.split():
            name_q &= (Q(credit__borrower__first_name__icontains=word)
                       | Q(credit__borrower__last_name__icontains=word)
                       | Q(credit__borrower__second_last_name__icontains=word))
        qs = qs.filter(cond | name_q)
    return qs.select_related("credit", "credit__borrower", "collector").order_by("-priority", "pk")


def team_workload(*, as_of: dt.date) -> list[dict[str, Any]]:
    """Per collector: open cases, balance, overdue deadlines, broken promises (1 query), the
    overdue deadlines of the close a week before (`week_before`: a DeadlineSnapshot or None;
    1 query), plus the collectors with no case (1 query)."""
    from django.contrib.auth import get_user_model

    from recupera.core.roles import Role

    rows = {r["collector_id"]: r for r in (
        Case.objects.filter(status=Case.Status.OPEN).values("collector_id").annotate(
            cases=Count("pk"), balance=Sum("credit__payoff_amount"),
            overdue=Count("pk", filter=overdue_deadline(as_of)),
            broken=Count("pk", filter=Q(broken_promise_on__isnull=False))).order_by())}
    # the plazos vencidos of the close a week before (the latest snapshot on or before that day)
    week_before = DeadlineSnapshot.objects.filter(business_date__lte=as_of - dt.timedelta(days=7))
    before = {r.collector_id: r for r in DeadlineSnapshot.objects.filter(
        business_date=Subquery(week_before.order_by("-business_date").values("business_date")[:1]))}
    people = get_user_model().objects.filter(
        Q(groups__name=Role.COLLECTOR.value, is_active=True) | Q(pk__in=[k for k in rows if k])
    ).distinct().order_by("first_name", "last_name", "username")
    out = []
    for user in people:
        row = rows.get(user.pk, {})
        out.append({"collector": user, "cases": row.get("cases", 0), "balance": row.get("balance") or 0,
                    "overdue": row.get("overdue", 0), "broken": row.get("broken", 0),
                    "week_before": before.get(user.pk)})
    if None in rows:
        row = rows[None]
        out.append({"collector": None, "cases": row["cases"], "balance": row["balance"] or 0,
                    "overdue": row["overdue"], "broken": row["broken"], "week_before": before.get(None)})
    return out


@dataclass
class CaseView:
    case: Case
    parties: list[Any] = field(default_factory=list)  # CreditParty-like rows with .person
    contact_points: dict[int, list[Any]] = field(default_factory=dict)  # person id -> points
    actions: list[Action] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    overrides: list[ConductOverride] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    oldest_prescription: dt.date | None = None
    clocks: list[Any] = field(default_factory=list)  # legal.prescription.NoteClock per pagaré in force


ACTIONS_SHOWN = 50
# What the case page's history of actions shows (collections/case_detail.html): the columns the
# rows read, not all of the joined tables' (the SQL's compilation and the rows' models cost in
# proportion). The person and the phone of each action are not joined: they are nearly always
# the credit's parties and their phones, which the page has loaded already (_attach_people);
# joining the people and contact-point tables (2 M rows each at 1 M credits) cost PostgreSQL
# 1.3 ms of planning per page, against 0.3 ms without them.
ACTION_ROW_FIELDS = (
    "id", "case_id", "at", "channel", "party", "notes", "override_id", "person_id", "contact_point_id",
    "outcome_id", "outcome__name", "actor_id", "actor__first_name", "actor__last_name", "actor__username",
)


def case_view(*, case_id: int, user: Any) -> CaseView | None:
    """Everything the case page shows in a fixed number of queries: the case with its credit
    and borrower (1), parties with persons (1), contact points (1), actions (1; one more each for
    persons and phones of the history that are not the parties and their active phones), promises (1),
    assignments (1), overrides (1), outcomes (1), notes (1). None when the user may not see it
    (same answer as a missing case: no data leak through guessed ids)."""
    from recupera.core.extensions import note_clocks
    from recupera.credits.models import CreditParty
    from recupera.people.models import ContactPoint

    case = (visible_cases(user=user).select_related("credit", "credit__borrower", "collector")
            .filter(pk=case_id).first())
    if case is None:
        return None
    view = CaseView(case=case)
    parties = list(CreditParty.objects.filter(credit_id=case.credit_id).select_related("person")
                   .order_by("role", "pk"))
    if not any(p.role == "acreditado" for p in parties):
        parties.insert(0, CreditParty(credit=case.credit, person=case.credit.borrower, role="acreditado"))
    view.parties = parties
    person_ids = {p.person_id for p in parties}
    for point in ContactPoint.objects.filter(person_id__in=person_ids, active=True).order_by(
            "-is_primary", "pk"):
        view.contact_points.setdefault(point.person_id, []).append(point)
    for party in parties:
        party.points = view.contact_points.get(party.person_id, [])
    view.actions = list(Action.objects.filter(case__credit_id=case.credit_id)
                        # not "promise" (the page does not show it): each LEFT JOIN more
                        # multiplied the planning (4.4 ms of this query's 4.6 at 1 M)
                        .select_related("outcome", "actor")
                        .only(*ACTION_ROW_FIELDS).order_by("-at", "-pk")[:ACTIONS_SHOWN])
    _attach_people(view)
    view.promises = list(Promise.objects.filter(case=case).order_by("-due_on", "-pk"))
    view.assignments = list(Assignment.objects.filter(case=case)
                            .select_related("collector", "assigned_by").order_by("-starts_on", "-pk"))
    view.overrides = list(ConductOverride.objects.filter(case=case).select_related("granted_by")
                          .order_by("-granted_at")[:10])
    view.outcomes = list(Outcome.objects.filter(active=True).order_by("order", "name"))
    view.clocks = note_clocks([case.credit_id])
    dates = [c.date for c in view.clocks if c.date]
    view.oldest_prescription = min(dates) if dates else None
    return view


def _attach_people(view: CaseView) -> None:
    """Each action's person and contact point from the parties and active points already loaded;
    the others (a former party, a phone since deactivated) in one query each, only if any."""
    from recupera.people.models import ContactPoint, Person

    people = {p.person_id: p.person for p in view.parties}
    points = {point.pk: point for found in view.contact_points.values() for point in found}
    missing_people = {a.person_id for a in view.actions if a.person_id and a.person_id not in people}
    if missing_people:
        people.update(Person.objects.in_bulk(missing_people))
    missing_points = {a.contact_point_id for a in view.actions
                      if a.contact_point_id and a.contact_point_id not in points}
    if missing_points:
        points.update(ContactPoint.objects.in_bulk(missing_points))
    for action in view.actions:
        if action.person_id:
            action.person = people[action.person_id]
        if action.contact_point_id:
            action.contact_point = points[action.contact_point_id]


def messages_for(*, user: Any) -> QuerySet[Message]:
    return (Message.objects.filter(Q(for_user=user) | Q(taken_by=user))
            .select_related("for_user", "taken_by", "case", "case__credit", "case__credit__borrower")
            .order_by("-taken_at", "-pk"))


def unread_messages_count(*, user: Any) -> int:
    return Message.objects.filter(for_user=user, acknowledged_at__isnull=True).count()


def call_search(*, query: str, limit: int = 20) -> list[Case]:
    """The inbound-call box: the open cases of the people and credits the global search box
    finds for the same words (core/search.py states the rule: folio or its beginning, CURP or
    its beginning, phone, or every word of the name in any order, without regard to accents or
    case), the person as borrower or in any other role on the credit; each case with credit,
    borrower and collector (2 queries)."""
    folios = folio_condition(query, field="credit__folio")
    persons = search_condition(query)
    if folios is None and persons is None:
        return []
    cond = Q(pk__in=[])
    if folios is not None:
        cond |= folios
    if persons is not None:
        people = Person.objects.filter(persons).values("pk")
        cond |= Q(credit__borrower_id__in=people) | Q(credit__parties__person_id__in=people)
    ids = list(Case.objects.filter(cond, status=Case.Status.OPEN).order_by()
               .values_list("pk", flat=True).distinct()[:limit])
    return list(Case.objects.filter(pk__in=ids).select_related(
        "credit", "credit__borrower", "collector").order_by("credit__folio"))




def works_credit(*, user: Any, credit: Any) -> bool:
    """`user` has an open case on `credit` (the object rule behind credits.view_credit for a
    collector; core/predicates.py asks through core/extensions.py)."""
    return Case.objects.filter(credit_id=credit.pk, collector_id=user.pk, status=Case.Status.OPEN).exists()


def works_person(*, user: Any, person: Any) -> bool:
    """`user` has an open case on a credit where `person` is the borrower or another party."""
    return Case.objects.filter(Q(credit__borrower_id=person.pk) | Q(credit__parties__person_id=person.pk),
                               collector_id=user.pk, status=Case.Status.OPEN).exists()


def restrict_credits(*, user: Any, qs: QuerySet) -> QuerySet:
    """For list pages and APIs of credits: a collector sees the credits of their open cases;
    every other portfolio role the queryset unchanged (same rule as credits.view_credit)."""
    if _collector_only(user):
        return qs.filter(pk__in=Case.objects.filter(collector_id=user.pk, status=Case.Status.OPEN)
                         .values("credit_id"))
    return qs


def restrict_people(*, user: Any, qs: QuerySet) -> QuerySet:
    """For list pages and APIs of people: a collector sees the people (any role) of the credits
    of their open cases (same rule as people.view_person)."""
    if _collector_only(user):
        from recupera.credits.models import CreditParty

        credits = Case.objects.filter(collector_id=user.pk, status=Case.Status.OPEN).values("credit_id")
        return qs.filter(Q(pk__in=CreditParty.objects.filter(credit_id__in=credits).values("person_id"))
                         | Q(credits_as_borrower__in=credits)).distinct()
    return qs


def _collector_only(user: Any) -> bool:
    """True when the user reads the portfolio only as a collector (no wider role)."""
    from recupera.core import predicates

    return bool(predicates.is_collector(user) and not predicates.reads_whole_portfolio(user))
