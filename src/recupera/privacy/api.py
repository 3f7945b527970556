"""REST API of the privacy app (/api/v1/privacy/…). Writes go through privacy/services.py.

- GET  /api/v1/privacy/requests/            officer and auditors: the requests, newest first
- POST /api/v1/privacy/requests/            officer: register a request received at the counter
- GET  /api/v1/privacy/requests/{folio}/    officer and auditors
- GET  /api/v1/privacy/requests/{folio}/export/   officer: the frozen access export (JSON)
- GET  /api/v1/privacy/notice/              anyone: the privacy notice in force
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recupera.core.services import business_date_get
from recupera.privacy import selectors, services
from recupera.privacy.models import ArcoRequest, ContactOpposition

LIST_LIMIT = 500


class ArcoRequestSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ArcoRequest
        fields = ["folio", "right", "channel", "status", "first_name", "last_name",
                  "second_last_name", "curp", "email", "phone", "representative", "description",
                  "opposed_channel", "person_id", "received_on", "due_on", "extended",
                  "answered_on", "effective_due_on", "concluded_on", "id_document", "granted",
                  "delivery"]
        read_only_fields = fields


class ArcoRequestCreateSerializer(serializers.Serializer):
    right = serializers.ChoiceField(choices=ArcoRequest.Right.choices)
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    second_last_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    curp = serializers.CharField(max_length=18)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    representative = serializers.CharField(max_length=160, required=False, allow_blank=True)
    opposed_channel = serializers.ChoiceField(choices=ContactOpposition.Channel.choices,
                                              required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000)


class NoticeSerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    effective_date = serializers.DateField()
    text = serializers.CharField()


def _require(request: Request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("No tiene permiso para las solicitudes ARCO.")


class ArcoRequestListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ArcoRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require(request, "privacy.view_requests")
        rows = selectors.request_list(status=request.query_params.get("status", ""))[:LIST_LIMIT]
        return Response(ArcoRequestSerializer(rows, many=True).data)

    @extend_schema(request=ArcoRequestCreateSerializer, responses={201: ArcoRequestSerializer})
    def post(self, request: Request) -> Response:
        _require(request, "privacy.manage_requests")
        payload = ArcoRequestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        as_of = business_date_get()
        try:
            arco = services.arco_register(actor=request.user, channel=ArcoRequest.Channel.STAFF,
                                          as_of=as_of, notice=selectors.notice_in_force(as_of),
                                          **payload.validated_data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict")
                                  else {"detail": exc.messages}) from exc
        return Response(ArcoRequestSerializer(arco).data, status=status.HTTP_201_CREATED)


class ArcoRequestDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ArcoRequestSerializer)
    def get(self, request: Request, folio: str) -> Response:
        _require(request, "privacy.view_requests")
        return Response(ArcoRequestSerializer(get_object_or_404(ArcoRequest, folio=folio)).data)


class ArcoExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict})
    def get(self, request: Request, folio: str) -> Response:
        _require(request, "privacy.manage_requests")
        arco = get_object_or_404(ArcoRequest, folio=folio)
        if arco.export_data is None:
            raise NotFound("Aún no se genera la exportación de esta solicitud.")
        return Response(arco.export_data)


class NoticeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=NoticeSerializer)
    def get(self, request: Request) -> Response:
        notice = selectors.notice_in_force(business_date_get())
        if notice is None:
            raise NotFound("No hay un aviso de privacidad vigente.")
        data: dict[str, Any] = NoticeSerializer(notice).data
        return Response(data)
