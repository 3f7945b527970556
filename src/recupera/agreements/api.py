"""REST API of negotiation (/api/v1/agreements/…): thin views over agreements.services.

Same predicates as the pages (core/predicates.py "# agreements"); refusals of the services come
back as 422 with the Spanish reason in "detail". Money is a string with two decimals.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recupera.agreements import services
from recupera.agreements.forms import PROPOSABLE
from recupera.agreements.models import (
    Agreement,
    Approval,
    AuthorityLimit,
    Campaign,
    NegotiationPolicy,
)
from recupera.core.services import business_date_get
from recupera.credits.models import Credit

MONEY = {"max_digits": 14, "decimal_places": 2}


class HasPerm(permissions.BasePermission):
    perm = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(self.perm))


class CanViewAgreements(HasPerm):
    perm = "agreements.view_agreement"


class CanPropose(HasPerm):
    perm = "agreements.propose"


class CanDecide(HasPerm):
    perm = "agreements.decide"


class CanManagePolicy(HasPerm):
    perm = "agreements.manage_policy"


# --- serializers ------------------------------------------------------------------------------
class AuthorityLimitSerializer(serializers.ModelSerializer):
    level = serializers.IntegerField(help_text="1 gestor, 2 jefe, 3 subdirección, 4 dirección/comité")
    class Meta:
        model = AuthorityLimit
        fields = ["level", "max_late_interest_pct", "max_interest_pct", "max_principal_pct",
                  "min_down_payment_pct", "max_installments"]


class PolicySerializer(serializers.ModelSerializer):
    limits = AuthorityLimitSerializer(many=True, read_only=True)
    campaign = serializers.CharField(source="campaign.name", allow_null=True, default=None)
    stage_label = serializers.CharField(read_only=True, help_text="Etapa en español («Tardía»); vacío: cualquiera")

    class Meta:
        model = NegotiationPolicy
        fields = ["id", "name", "priority", "dpd_min", "dpd_max", "balance_min", "balance_max", "stage",
                  "stage_label", "campaign", "max_term_months", "capitalize_interest", "break_after_missed",
                  "tolerance_days", "revoke_on_break", "offer_valid_days", "limits"]


class LimitWriteSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="1 gestor, 2 jefe, 3 subdirección, 4 dirección/comité")
    max_late_interest_pct = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, default=0)
    max_interest_pct = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, default=0)
    max_principal_pct = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, default=0)
    min_down_payment_pct = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, default=0)
    max_installments = serializers.IntegerField(required=False, default=12)


class PolicyWriteSerializer(serializers.Serializer):
    """Create (POST) or change (PATCH, only the fields sent) a policy. On PATCH each `limits`
    row changes only the fields it sends of its level; levels not sent are kept. Ranges are the
    services' (422 with the Spanish reason)."""

    name = serializers.CharField(max_length=120)
    active = serializers.BooleanField(required=False)
    priority = serializers.IntegerField(required=False)
    dpd_min = serializers.IntegerField(required=False)
    dpd_max = serializers.IntegerField(required=False, allow_null=True)
    balance_min = serializers.DecimalField(required=False, **MONEY)
    balance_max = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    stage = serializers.CharField(required=False, allow_blank=True)
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False,
                                                  allow_null=True, help_text="id de la campaña")
    max_term_months = serializers.IntegerField(required=False)
    capitalize_interest = serializers.BooleanField(required=False)
    break_after_missed = serializers.IntegerField(required=False)
    tolerance_days = serializers.IntegerField(required=False)
    revoke_on_break = serializers.BooleanField(required=False)
    offer_valid_days = serializers.IntegerField(required=False)
    limits = LimitWriteSerializer(many=True, required=False)


class SimulateRequestSerializer(serializers.Serializer):
    folio = serializers.CharField()


class DebtPartsSerializer(serializers.Serializer):
    principal = serializers.CharField()
    interest = serializers.CharField()
    overdue_interest = serializers.CharField()
    late_interest = serializers.CharField()
    fees = serializers.CharField()


class OptionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    pays = serializers.CharField(help_text="Lo que paga el deudor, p. ej. \"1234.50\"")
    pays_words = serializers.CharField()
    forgiven = serializers.CharField(help_text="Lo que condona el Instituto")
    forgiven_words = serializers.CharField()
    discounts = serializers.DictField(child=serializers.CharField(),
                                      help_text="Los descuentos que se registran, por concepto")
    forgiven_parts = serializers.DictField(child=serializers.CharField(),
                                           help_text="Todo lo que se condona, por concepto (descuentos, lo "
                                                     "que la reestructura no capitaliza, interés del periodo)")
    percents = serializers.DictField(child=serializers.CharField())
    required_level = serializers.IntegerField(allow_null=True, help_text="null: ningún nivel puede autorizarla")
    required_level_label = serializers.CharField()
    new_principal = serializers.CharField(required=False, help_text="Reestructura: capital del nuevo pagaré")
    down_payment = serializers.CharField(required=False)
    down_payment_pct = serializers.CharField(required=False)
    installments = serializers.IntegerField(required=False)
    installment_amount = serializers.CharField(required=False)
    new_term_months = serializers.IntegerField(required=False)
    capitalize_interest = serializers.BooleanField(required=False)


class SimulationSerializer(serializers.Serializer):
    folio = serializers.CharField()
    as_of = serializers.DateField()
    debt = serializers.CharField()
    debt_parts = DebtPartsSerializer()
    actor_level = serializers.IntegerField(allow_null=True)
    policy = serializers.CharField(allow_null=True)
    options = OptionSerializer(many=True)
    refused = serializers.CharField(allow_null=True)


class ProposeSerializer(serializers.Serializer):
    folio = serializers.CharField()
    kind = serializers.ChoiceField(choices=PROPOSABLE)
    late_interest_pct = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, default=0)
    interest_pct = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, default=0)
    principal_pct = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, default=0)
    down_payment = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    installments = serializers.IntegerField(required=False, default=0, min_value=0)
    first_due_date = serializers.DateField(required=False, allow_null=True, default=None)
    new_term_months = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    new_rate = serializers.DecimalField(max_digits=8, decimal_places=6, required=False, allow_null=True,
                                        default=None, help_text="Nueva tasa anual de la reestructura, "
                                        "como fracción: 0 ≤ tasa < 1 (0.06 = 6 %).")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ApprovalSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    decided_by = serializers.CharField(source="decided_by.username")
    decision = serializers.CharField()
    comment = serializers.CharField()
    decided_at = serializers.DateTimeField()


class InstallmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)


class AgreementSerializer(serializers.ModelSerializer):
    folio = serializers.CharField(source="credit.folio")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    proposed_by = serializers.CharField(source="proposed_by.username")
    policy = serializers.CharField(source="policy.name", allow_null=True, default=None)
    discounts = serializers.DictField(child=serializers.CharField())
    approvals = ApprovalSerializer(many=True, read_only=True)
    installments = InstallmentSerializer(many=True, read_only=True)
    required_level = serializers.IntegerField(help_text="1 gestor, 2 jefe, 3 subdirección, 4 dirección/comité")

    class Meta:
        model = Agreement
        fields = ["id", "folio", "kind", "kind_label", "status", "status_label", "policy", "as_of",
                  "valid_until", "debt", "discounts", "interest_adjustment", "forgiven", "pays",
                  "down_payment", "installments_count", "new_rate", "new_term_months", "new_first_due_date",
                  "capitalize_interest", "required_level", "proposed_by", "reason", "closed_on",
                  "approvals", "installments"]


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- helpers ----------------------------------------------------------------------------------
def _credit(request: Request, folio: str) -> Credit:
    """404 for a credit that does not exist or the user may not see (no leak)."""
    credit = Credit.objects.filter(folio=folio).first()
    if credit is None or not request.user.has_perm("credits.view_credit", credit):
        raise NotFound(_("No existe el crédito con folio {folio}.").format(folio=folio))
    return credit


def _agreement(request: Request, pk: int) -> Agreement:
    agreement = get_object_or_404(
        Agreement.objects.select_related("credit", "proposed_by", "policy").prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("decided_by")), "installments"), pk=pk)
    user = request.user
    if agreement.proposed_by_id != user.pk and not user.has_perm("credits.view_credit", agreement.credit):
        raise NotFound(_("No existe el convenio {pk}.").format(pk=pk))
    return agreement


def _refused(exc: Exception) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


# --- views ------------------------------------------------------------------------------------
@extend_schema(tags=["convenios"], summary="Políticas de negociación vigentes y sus facultades",
               responses={200: PolicySerializer(many=True)})
class PolicyListAPI(APIView):
    def get_permissions(self) -> list[Any]:
        return [CanManagePolicy() if self.request.method == "POST" else CanViewAgreements()]

    def get(self, request: Request) -> Response:
        policies = NegotiationPolicy.objects.filter(active=True).select_related("campaign").prefetch_related(
            "limits")
        return Response(PolicySerializer(policies, many=True).data)

    @extend_schema(summary="Crear una política de negociación (Subdirección de Cartera)",
                   request=PolicyWriteSerializer, responses={201: PolicySerializer, 422: ErrorSerializer})
    def post(self, request: Request) -> Response:
        data = PolicyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            policy = services.policy_create(actor=request.user, limits=values.pop("limits", []), **values)
        except services.AgreementError as exc:
            return _refused(exc)
        return Response(PolicySerializer(_policy(policy.pk)).data, status=status.HTTP_201_CREATED)


def _policy(pk: int) -> NegotiationPolicy:
    return get_object_or_404(NegotiationPolicy.objects.select_related("campaign").prefetch_related("limits"),
                             pk=pk)


@extend_schema(tags=["convenios"], summary="Cambiar una política de negociación (Subdirección de Cartera)",
               request=PolicyWriteSerializer, responses={200: PolicySerializer, 422: ErrorSerializer})
class PolicyDetailAPI(APIView):
    permission_classes = [CanManagePolicy]

    def get(self, request: Request, pk: int) -> Response:
        return Response(PolicySerializer(_policy(pk)).data)

    def patch(self, request: Request, pk: int) -> Response:
        policy = _policy(pk)
        data = PolicyWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            services.policy_update(actor=request.user, policy=policy, limits=values.pop("limits", None),
                                   limits_partial=True, **values)
        except services.AgreementError as exc:
            return _refused(exc)
        return Response(PolicySerializer(_policy(pk)).data)


@extend_schema(tags=["convenios"], summary="Opciones dentro de la política para un crédito hoy",
               request=SimulateRequestSerializer, responses={200: SimulationSerializer})
class SimulateAPI(APIView):
    permission_classes = [CanPropose]

    def post(self, request: Request) -> Response:
        data = SimulateRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credit = _credit(request, data.validated_data["folio"])
        return Response(services.offers_simulate(credit=credit, as_of=business_date_get(), actor=request.user))


@extend_schema(tags=["convenios"], summary="Proponer una oferta (dentro de facultades se autoriza)",
               request=ProposeSerializer, responses={201: AgreementSerializer, 422: ErrorSerializer})
class ProposeAPI(APIView):
    permission_classes = [CanPropose]

    def post(self, request: Request) -> Response:
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        credit = _credit(request, values.pop("folio"))
        try:
            agreement = services.agreement_propose(actor=request.user, credit=credit, as_of=business_date_get(),
                                                   **values)
        except services.AgreementError as exc:
            return _refused(exc)
        return Response(AgreementSerializer(_agreement(request, agreement.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["convenios"], summary="Un convenio con su historial de autorización",
               responses={200: AgreementSerializer})
class AgreementDetailAPI(APIView):
    permission_classes = [CanViewAgreements]

    def get(self, request: Request, pk: int) -> Response:
        return Response(AgreementSerializer(_agreement(request, pk)).data)


class _DecideAPI(APIView):
    permission_classes = [CanDecide]
    approve = True

    def post(self, request: Request, pk: int) -> Response:
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.has_perm("agreements.view_agreement"):
            raise PermissionDenied
        agreement = _agreement(request, pk)
        try:
            services.agreement_decide(actor=request.user, agreement=agreement, approve=self.approve,
                                      comment=data.validated_data["comment"], as_of=business_date_get())
        except services.AgreementError as exc:
            return _refused(exc)
        return Response(AgreementSerializer(_agreement(request, pk)).data)


@extend_schema(tags=["convenios"], summary="Ofertas por autorizar que el nivel del usuario puede decidir",
               responses={200: AgreementSerializer(many=True)})
class PendingAPI(APIView):
    """The approvals inbox: pending offers the user's authority level reaches, their own out."""

    permission_classes = [CanDecide]

    def get(self, request: Request) -> Response:
        from recupera.agreements.selectors import pending_for

        rows = pending_for(request.user).prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("decided_by")), "installments")
        return Response(AgreementSerializer(rows, many=True).data)


@extend_schema(tags=["convenios"], summary="Autorizar una oferta pendiente", request=DecisionSerializer,
               responses={200: AgreementSerializer, 422: ErrorSerializer})
class ApproveAPI(_DecideAPI):
    approve = True


@extend_schema(tags=["convenios"], summary="Rechazar una oferta pendiente (con motivo)",
               request=DecisionSerializer, responses={200: AgreementSerializer, 422: ErrorSerializer})
class RejectAPI(_DecideAPI):
    approve = False
