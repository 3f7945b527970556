"""REST API of the goals app: GET /api/v1/goals/?month=AAAA-MM and
GET /api/v1/productivity/?month=AAAA-MM&collector=USUARIO (docs/goals.md). Same predicates as
the pages: the Jefe, the Subdirección and Auditoría read every collector; a collector reads only
their own figures. Money as strings with two decimals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recupera.core.calendar import business_calendar
from recupera.core.money import money_json
from recupera.core.services import business_date_get
from recupera.engine import goals as gm
from recupera.goals import exports, selectors
from recupera.goals.services import parse_month

MONTH = OpenApiParameter("month", OpenApiTypes.STR, description="Mes AAAA-MM (por omisión, el de la "
                         "fecha de operación).")


class ReadsGoals(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (
            user.has_perm("goals.view_team") or user.has_perm("goals.view_institute")
            or user.has_perm("goals.view_own")))


def _sees_all(user: Any) -> bool:
    return user.has_perm("goals.view_team") or user.has_perm("goals.view_institute")


def _month(request: Request) -> dt.date:
    text = request.query_params.get("month")
    as_of = business_date_get()
    if not text:
        return gm.month_start(as_of)
    try:
        month = parse_month(text)
    except DjangoValidationError as exc:
        raise ValidationError({"month": exc.message_dict["month"]}) from None
    if not dt.date(2000, 1, 1) <= month <= gm.month_start(as_of + dt.timedelta(days=400)):
        raise ValidationError({"month": [f"El mes {text} está fuera del rango que se consulta."]})
    return month


class GoalsAPI(APIView):
    permission_classes = [ReadsGoals]

    @extend_schema(tags=["metas"], summary="Metas y recuperado del mes por gestor", parameters=[MONTH],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        data = exports.month_data(_month(request), business_calendar())
        if not _sees_all(request.user):
            data = {"month": data["month"], "frozen": data["frozen"],
                    "collectors": [r for r in data["collectors"] if r["username"] == request.user.username]}
        return Response(data)


FIELDS = ("actions", "right_party_contacts", "visits", "promises_made", "promises_kept", "promises_broken",
          "agreements_proposed", "agreements_authorized", "cases_worked", "cases_assigned",
          "first_contact_met", "first_contact_missed", "next_action_overdue", "payments")
MONEY_FIELDS = ("promises_made_amount", "promises_kept_amount", "promises_broken_amount", "recovered")


class ProductivityAPI(APIView):
    permission_classes = [ReadsGoals]

    @extend_schema(tags=["metas"], summary="Productividad diaria de un gestor en el mes",
                   parameters=[MONTH, OpenApiParameter("collector", OpenApiTypes.STR,
                                                       description="Usuario del gestor (por omisión, usted).")],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        month = _month(request)
        username = (request.query_params.get("collector") or request.user.username).strip()
        if username != request.user.username and not _sees_all(request.user):
            raise NotFound("No existe ese gestor.")
        collector = get_user_model().objects.filter(username=username).first()
        if collector is None:
            raise NotFound("No existe ese gestor.")
        totals = selectors.productivity(month, [collector.pk]).get(collector.pk)
        days = totals.days if totals else []
        rows = []
        for d in days:
            row: dict[str, Any] = {"date": d.day.isoformat()}
            row.update({f: getattr(d, f) for f in FIELDS})
            row.update({f: money_json(getattr(d, f)) for f in MONEY_FIELDS})
            row["by_channel"], row["by_outcome"] = d.by_channel, d.by_outcome
            rows.append(row)
        summary = selectors.ProductivityTotals(collector.pk, list(days))
        return Response({
            "month": month.strftime("%Y-%m"), "collector": collector.username,
            "name": collector.get_full_name() or collector.username, "days": rows,
            "totals": {**{f: summary.total(f) for f in FIELDS if f != "cases_assigned"},
                       "recovered": money_json(summary.recovered),
                       "recovered_per_action": None if summary.per_action is None else money_json(summary.per_action),
                       "promise_kept_rate": None if summary.kept_rate is None else str(summary.kept_rate)},
        })
