"""REST API of the archive (/api/v1/custody/…). Writes go through custody/services.py.

- GET  /api/v1/custody/items/?status=&classification=&kind=&location=   the items (500 at most a page)
- GET  /api/v1/custody/items/{code}/                    one item with its movements
- POST /api/v1/custody/items/{code}/movements/          record a movement (the archive only)
- GET  /api/v1/custody/locations/                       the locations with their item counts
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recupera.core.money import money_json
from recupera.core.services import business_date_get
from recupera.custody import classification, selectors, services
from recupera.custody.models import HolderKind, Item, ItemStatus, Location, Movement

LIST_LIMIT = 500


class MovementSerializer(serializers.ModelSerializer):
    folio = serializers.CharField(read_only=True)
    from_location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_location = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Movement
        fields = ["folio", "kind", "business_date", "recorded_at", "actor_name", "status_before",
                  "status_after", "from_location", "to_location", "holder_kind", "holder_name",
                  "purpose", "due_back"]
        read_only_fields = fields


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=Item.Kind.choices)
    program = serializers.ChoiceField(choices=Item.Program.choices)
    folio = serializers.CharField(allow_null=True)
    note_number = serializers.CharField(allow_null=True)
    note_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    note_status = serializers.CharField(allow_null=True)
    person = serializers.CharField()
    classification = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    location = serializers.CharField()
    holder_kind = serializers.CharField(allow_blank=True)
    holder_name = serializers.CharField(allow_blank=True)
    out_since = serializers.DateField(allow_null=True)
    due_back = serializers.DateField(allow_null=True)


class ItemDetailSerializer(ItemSerializer):
    movements = MovementSerializer(many=True)


def _item_data(item: Item) -> dict[str, Any]:
    person = "Datos bloqueados" if getattr(item.person, "data_blocked", False) else item.person.full_name
    return {
        "code": item.code, "kind": item.kind, "program": item.program,
        "folio": item.credit.folio if item.credit_id else None,
        "note_number": item.note.number if item.note_id else None,
        "note_amount": money_json(item.note.amount) if item.note_id else None,
        "note_status": item.note.status if item.note_id else None,
        "person": person, "classification": classification.of_item(item), "status": item.status,
        "location": item.location.code, "holder_kind": item.holder_kind, "holder_name": item.holder_name,
        "out_since": item.out_since, "due_back": item.due_back,
    }


class MovementCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Movement.Kind.choices,
                                   help_text="Todos menos «alta» (el ingreso se registra en el archivo)")
    holder_kind = serializers.ChoiceField(choices=HolderKind.choices, required=False)
    holder_username = serializers.CharField(max_length=150, required=False)
    holder_name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                    help_text="Motivo del préstamo, traslado, cancelación o extravío; observación del reintegro")
    due_back = serializers.DateField(required=False)
    location = serializers.CharField(max_length=30, required=False,
                                     help_text="Clave del cajón o la caja (reintegro, traslado)")
    received_by = serializers.CharField(max_length=160, required=False,
                                        help_text="Quién recibe el pagaré devuelto al acreditado")


class LocationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Location.Kind.choices)
    parent = serializers.CharField(allow_null=True)
    items_here = serializers.IntegerField()
    items_total = serializers.IntegerField()


def _require(request: Request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("No tiene permiso para el archivo de resguardo.")


def _item(code: str) -> Item:
    item = selectors.item_by_code(code)
    if item is None:
        raise NotFound("No hay un documento con ese código.")
    return item


class ItemListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("status", str, enum=ItemStatus.values),
        OpenApiParameter("classification", str, enum=list(classification.ORDER)),
        OpenApiParameter("kind", str, enum=Item.Kind.values),
        OpenApiParameter("location", str, description="clave de la ubicación (incluye lo que tiene dentro)"),
        OpenApiParameter("offset", int)], responses=ItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require(request, "custody.view")
        params = request.query_params
        location = None
        if params.get("location"):
            location = selectors.location_by_code(params["location"])
            if location is None:
                raise NotFound("No hay una ubicación con esa clave.")
        try:
            offset = max(0, min(int(selectors.text_param(params.get("offset"), 12) or "0"), 10**9))
        except ValueError as exc:
            raise ValidationError({"offset": ["Debe ser un número entero."]}) from exc
        qs = selectors.items_filter(status=params.get("status", ""), klass=params.get("classification", ""),
                                    kind=params.get("kind", ""), location=location)
        return Response([_item_data(i) for i in qs[offset:offset + LIST_LIMIT]])


class ItemDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ItemDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        _require(request, "custody.view")
        item = _item(code)
        data = _item_data(item)
        data["movements"] = MovementSerializer(selectors.movements_of(item), many=True).data
        return Response(data)


class MovementCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=MovementCreateSerializer, responses={201: MovementSerializer})
    def post(self, request: Request, code: str) -> Response:
        _require(request, "custody.manage")
        item = _item(code)
        payload = MovementCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        as_of = business_date_get()
        location = None
        if data.get("location"):
            location = selectors.location_by_code(data["location"])
            if location is None:
                raise ValidationError({"location": ["No hay una ubicación con esa clave."]})
        common: dict[str, Any] = {"actor": request.user, "item": item, "as_of": as_of}
        kind = data["kind"]
        if kind == Movement.Kind.REGISTER:
            raise ValidationError({"kind": ["El ingreso al archivo no se registra por este medio."]})
        try:
            if kind == Movement.Kind.CHECK_OUT:
                holder_user = None
                if data.get("holder_username"):
                    holder_user = get_user_model().objects.filter(username=data["holder_username"],
                                                                  is_active=True).first()
                    if holder_user is None:
                        raise ValidationError({"holder_username": ["No hay un usuario activo con ese nombre."]})
                movement = services.item_check_out(
                    **common, holder_kind=data.get("holder_kind", ""), holder_user=holder_user,
                    holder_name=data.get("holder_name", ""), purpose=data.get("purpose", ""),
                    due_back=data.get("due_back"))
            elif kind == Movement.Kind.CHECK_IN:
                movement = services.item_check_in(**common, location=location, remark=data.get("purpose", ""))
            elif kind == Movement.Kind.TRANSFER:
                if location is None:
                    raise ValidationError({"location": ["Indique la clave del nuevo lugar."]})
                movement = services.item_transfer(**common, location=location, reason=data.get("purpose", ""))
            elif kind == Movement.Kind.RETURN_TO_DEBTOR:
                movement = services.item_return_to_debtor(**common, received_by=data.get("received_by", ""),
                                                          remark=data.get("purpose", ""))
            elif kind == Movement.Kind.CANCEL:
                movement = services.item_cancel(**common, reason=data.get("purpose", ""))
            else:
                movement = services.item_report_lost(**common, reason=data.get("purpose", ""))
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(MovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class LocationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=LocationSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require(request, "custody.view")
        nodes = selectors.flatten(selectors.location_tree())
        by_pk = {n.location.pk: n.location for n in nodes}
        return Response([{"code": n.location.code, "name": n.location.name, "kind": n.location.kind,
                          "parent": by_pk[n.location.parent_id].code if n.location.parent_id else None,
                          "items_here": n.items_here, "items_total": n.items_total} for n in nodes])
