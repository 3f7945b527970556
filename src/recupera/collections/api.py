"""REST API of the workbench (/api/v1/cases/, /actions/, /promises/, /messages/).

Same predicates as the pages: a collector lists and reads only their cases (another's case
answers 404, as a missing one); actions are refused by the same conduct rules (422 with the
Spanish reasons and the rule codes)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recupera.collections import selectors, services
from recupera.collections.models import (
    Action,
    Case,
    Channel,
    Message,
    Outcome,
    Party,
    Promise,
    Stage,
)
from recupera.core.personal import PersonNameField, text_for
from recupera.core.services import business_date_get


class HasPerm(permissions.BasePermission):
    perm = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(self.perm))


class UsesWorkbench(HasPerm):
    perm = "collections.use_workbench"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (
            user.has_perm("collections.use_workbench") or user.has_perm("collections.view_team")))


class TakesCalls(HasPerm):
    perm = "collections.take_calls"


class CaseSerializer(serializers.ModelSerializer):
    folio = serializers.CharField(source="credit.folio")
    borrower = PersonNameField(source="credit.borrower")
    days_past_due = serializers.IntegerField(source="credit.days_past_due")
    payoff_amount = serializers.DecimalField(source="credit.payoff_amount", max_digits=14, decimal_places=2)
    total_overdue = serializers.DecimalField(source="credit.total_overdue", max_digits=14, decimal_places=2)
    collector = serializers.CharField(source="collector.username", allow_null=True, default=None)

    class Meta:
        model = Case
        fields = ["id", "folio", "borrower", "status", "stage", "origin", "opened_on", "closed_on",
                  "close_reason", "collector", "assigned_on", "days_past_due", "total_overdue",
                  "payoff_amount", "priority", "priority_reasons", "first_contact_due",
                  "next_action_due", "next_step_on", "broken_promise_on"]


class ActionSerializer(serializers.ModelSerializer):
    outcome = serializers.SlugRelatedField(slug_field="code", read_only=True)
    actor = serializers.CharField(source="actor.username")

    class Meta:
        model = Action
        fields = ["id", "case", "at", "business_date", "channel", "party", "person", "contact_point",
                  "outcome", "notes", "duration_seconds", "next_step_on", "debtor_requested",
                  "override", "actor"]


class ActionCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    party = serializers.ChoiceField(choices=Party.choices)
    person = serializers.IntegerField(required=False, allow_null=True)
    contact_point = serializers.IntegerField(required=False, allow_null=True)
    outcome = serializers.SlugRelatedField(slug_field="code", queryset=Outcome.objects.filter(active=True))
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    duration_seconds = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    next_step_on = serializers.DateField(required=False, allow_null=True)
    debtor_requested = serializers.BooleanField(required=False, default=False)
    promise_amount = serializers.DecimalField(required=False, allow_null=True, max_digits=14, decimal_places=2)
    promise_due_on = serializers.DateField(required=False, allow_null=True)


class PromiseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Promise
        fields = ["id", "case", "action", "amount", "due_on", "made_on", "status", "paid_amount",
                  "evaluated_on"]


class MessageSerializer(serializers.ModelSerializer):
    for_user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    taken_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    caller = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    def _user(self) -> Any:
        return getattr(self.context.get("request"), "user", None)

    def get_caller(self, message: Message) -> str:
        return text_for(self._user(), message.subject, message.caller)

    def get_phone(self, message: Message) -> str:
        return text_for(self._user(), message.subject, message.phone, hidden="")

    class Meta:
        model = Message
        fields = ["id", "for_user", "taken_by", "taken_at", "caller", "phone", "text", "case",
                  "acknowledged_at"]


class MessageCreateSerializer(serializers.Serializer):
    for_user = serializers.CharField(help_text="Usuario destinatario")
    caller = serializers.CharField(max_length=120)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    text = serializers.CharField()


class CaseFilterSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    flag = serializers.ChoiceField(choices=["plazo", "promesa_hoy", "incumplida"], required=False)
    q = serializers.CharField(required=False)
    collector = serializers.CharField(required=False)


def _visible_case(request: Request, pk: int) -> Case:
    """404 for a case the user may not see (no leak through guessed ids)."""
    return get_object_or_404(selectors.visible_cases(user=request.user).select_related(
        "credit", "credit__borrower", "collector"), pk=pk)


@extend_schema(tags=["cobranza"], summary="Casos abiertos en orden de prioridad",
               parameters=[CaseFilterSerializer])
class CaseListAPI(generics.ListAPIView):
    permission_classes = [UsesWorkbench]
    serializer_class = CaseSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        query = CaseFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.case_queue(user=self.request.user, filters=query.validated_data,
                                    as_of=business_date_get())


@extend_schema(tags=["cobranza"], summary="Un caso", responses={200: CaseSerializer})
class CaseDetailAPI(APIView):
    permission_classes = [UsesWorkbench]

    def get(self, request: Request, pk: int) -> Response:
        return Response(CaseSerializer(_visible_case(request, pk), context={"request": request}).data)


class CaseActionsAPI(APIView):
    permission_classes = [UsesWorkbench]

    @extend_schema(tags=["cobranza"], summary="Gestiones del caso", responses={200: ActionSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        case = _visible_case(request, pk)
        actions = Action.objects.filter(case=case).select_related("outcome", "actor").order_by("-at", "-pk")[:200]
        return Response(ActionSerializer(actions, many=True).data)

    @extend_schema(tags=["cobranza"], summary="Registrar una gestión (reglas de conducta aplicadas)",
                   request=ActionCreateSerializer, responses={201: ActionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        from recupera.credits.models import CreditParty
        from recupera.people.models import ContactPoint

        case = _visible_case(request, pk)
        if not request.user.has_perm("collections.work_case", case):
            raise PermissionDenied(_("No puede registrar gestiones en este caso."))
        body = ActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        person_ids = set(CreditParty.objects.filter(credit_id=case.credit_id).values_list("person_id", flat=True))
        person_ids.add(case.credit.borrower_id)
        person = point = None
        if data.get("person"):
            if data["person"] not in person_ids:
                raise ValidationError({"person": _("La persona no es parte de este crédito.")})
            from recupera.people.models import Person

            person = Person.objects.get(pk=data["person"])
        if data.get("contact_point"):
            point = ContactPoint.objects.filter(pk=data["contact_point"], person_id__in=person_ids).first()
            if point is None:
                raise ValidationError({"contact_point": _("El medio de contacto no está en el expediente.")})
            if person is None:
                from recupera.people.models import Person

                person = Person.objects.get(pk=point.person_id)
        data.update(person=person, contact_point=point)
        try:
            action = services.action_log(actor=request.user, case=case, now=timezone.now(),
                                         business_date=business_date_get(), **data)
        except services.ConductRefused as exc:
            return Response({"detail": str(exc), "violations": [
                {"code": v.code, "rule": v.label, "message": v.message} for v in exc.violations]},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        except services.WorkbenchError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cobranza"], summary="Promesas de pago de los casos visibles")
class PromiseListAPI(generics.ListAPIView):
    permission_classes = [UsesWorkbench]
    serializer_class = PromiseSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = Promise.objects.filter(case__in=selectors.visible_cases(user=self.request.user))
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs.order_by("-due_on", "-pk")


class MessageListAPI(APIView):
    permission_classes = [TakesCalls]

    @extend_schema(tags=["cobranza"], summary="Mis recados", responses={200: MessageSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = selectors.messages_for(user=request.user)[:200]
        return Response(MessageSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(tags=["cobranza"], summary="Tomar un recado", request=MessageCreateSerializer,
                   responses={201: MessageSerializer})
    def post(self, request: Request) -> Response:
        from django.contrib.auth import get_user_model

        body = MessageCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        recipient = get_user_model().objects.filter(username=data["for_user"], is_active=True).first()
        if recipient is None:
            raise ValidationError({"for_user": _("No existe el usuario destinatario.")})
        message = services.message_take(actor=request.user, for_user=recipient, now=timezone.now(),
                                        caller=data["caller"], phone=data["phone"], text=data["text"])
        return Response(MessageSerializer(message, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class MessageAckAPI(APIView):
    permission_classes = [TakesCalls]

    @extend_schema(tags=["cobranza"], summary="Dar por recibido un recado", request=None,
                   responses={200: MessageSerializer})
    def post(self, request: Request, pk: int) -> Response:
        message = get_object_or_404(selectors.messages_for(user=request.user), pk=pk)
        try:
            services.message_acknowledge(actor=request.user, message=message, now=timezone.now())
        except services.WorkbenchError as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(MessageSerializer(message).data)
