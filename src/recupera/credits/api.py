"""REST API of credits (/api/v1/credits/): thin views over selectors and engine_io."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recupera.core.dataaccess import record_view
from recupera.core.predicates import scope_credits
from recupera.credits.models import Credit
from recupera.credits.serializers import (
    AsOfQuerySerializer,
    CreditFilterSerializer,
    CreditListSerializer,
    CreditStateSerializer,
)


class CanViewCredits(permissions.BasePermission):
    """The user holds "credits.view_credit" (core/predicates.py)."""

    def has_permission(self, request: Request, view: object) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("credits.view_credit"))

    def has_object_permission(self, request: Request, view: object, obj: object) -> bool:
        return bool(request.user.has_perm("credits.view_credit", obj))


def _query(serializer_class: type, request: Request) -> dict:
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return serializer.validated_data


@extend_schema(
    tags=["créditos"],
    summary="El crédito como lo ve el motor a una fecha",
    parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, required=False,
                                 description="Fecha de cálculo (por omisión, la fecha de operación).")],
    responses={200: CreditStateSerializer},
)
class CreditDetailAPI(APIView):
    permission_classes = [CanViewCredits]

    def get(self, request: Request, folio: str) -> Response:
        from recupera.core.personal import borrower_for
        from recupera.core.services import business_date_get
        from recupera.credits.engine_io import credit_state, state_json
        from recupera.credits.selectors import credit_detail

        as_of = _query(AsOfQuerySerializer, request).get("as_of") or business_date_get()
        missing = NotFound(_("No existe el crédito con folio %(folio)s.") % {"folio": folio})
        try:
            credit = credit_detail(folio=folio)
        except Credit.DoesNotExist as exc:
            raise missing from exc
        if not request.user.has_perm("credits.view_credit", credit):
            raise missing  # a credit the user may not see answers as a missing one (no enumeration)
        record_view(user=request.user, what="api.credito", fields="CURP", person_ids=[credit.borrower_id])
        data = state_json(credit, credit_state(credit, as_of=as_of))
        data["borrower"] = borrower_for(request.user, credit.borrower)  # blocked: «Datos bloqueados»
        return Response(data)


@extend_schema(
    tags=["créditos"],
    summary="Cartera de créditos (columnas calculadas al último cierre)",
    parameters=[CreditFilterSerializer],
)
class CreditListAPI(generics.ListAPIView):
    permission_classes = [CanViewCredits]
    serializer_class = CreditListSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        from recupera.credits.selectors import credit_list

        filters = {k: v for k, v in _query(CreditFilterSerializer, self.request).items()
                   if v not in (None, "")}
        return scope_credits(self.request.user, credit_list(filters=filters))
