"""REST API for persons (/api/v1/persons/). Writes go through people/services.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from recupera.core.predicates import may_block_data, scope_people
from recupera.people import selectors, services
from recupera.people.models import SONORA, STATE_CHOICES, Address, ContactPoint, Person

# Service field names (curp, nombre, telefono, …) -> this API's field names.
API_FIELDS = {**services.FIELD_NAMES, "telefono": "phones", "correo": "emails",
              "calle": "address", "numero": "address", "colonia": "address",
              "municipio": "address", "estado": "address", "codigo_postal": "address"}


def _api_error(exc: DjangoValidationError) -> ValidationError:
    detail: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        detail.setdefault(API_FIELDS.get(key, key), []).extend(messages)
    return ValidationError(detail)


class PersonPermission(BasePermission):
    """view/add/change_person, as core/predicates.py decides (per person where it applies)."""

    PERMS = {"list": "people.view_person", "retrieve": "people.view_person",
             "create": "people.add_person", "partial_update": "people.change_person"}

    def has_permission(self, request: Request, view: Any) -> bool:
        action = getattr(view, "action", None) or ""
        perm = self.PERMS.get(action)
        if not (request.user and request.user.is_authenticated and perm):
            return False
        if action == "partial_update" and may_block_data(request.user):
            # The data-protection officer patches data_blocked (and only that, see below).
            return request.user.has_perm("people.view_person")
        return request.user.has_perm(perm)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = getattr(view, "action", None) or ""
        perm = self.PERMS.get(action)
        if action == "partial_update" and may_block_data(request.user):
            perm = "people.view_person"
        return bool(perm and request.user.has_perm(perm, obj))


class ContactPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPoint
        fields = ["id", "kind", "value", "label", "is_primary", "active", "source", "created_at"]


class AddressSerializer(serializers.ModelSerializer):
    municipality_code = serializers.CharField(source="municipality.inegi_code", allow_null=True,
                                              read_only=True, default=None)
    latitude = serializers.DecimalField(max_digits=7, decimal_places=4, read_only=True,
                                        allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=4, read_only=True,
                                         allow_null=True)

    class Meta:
        model = Address
        fields = ["id", "street", "number", "neighborhood", "municipality_code",
                  "municipality_name", "state", "postal_code", "is_current", "latitude",
                  "longitude", "created_at"]


class PersonSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    contact_points = ContactPointSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "curp", "rfc", "first_name", "last_name", "second_last_name", "full_name",
                  "birth_date", "sex", "data_blocked", "contact_points", "addresses",
                  "created_at", "updated_at"]


class PersonSummarySerializer(serializers.ModelSerializer):
    """A row of the list: who, not their personal data (no CURP, RFC, birth date, phones,
    e-mails or address; the detail endpoint has them, and its every reading is logged)."""

    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "first_name", "last_name", "second_last_name", "full_name",
                  "data_blocked"]


class PersonSavedSerializer(PersonSerializer):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True,
                                     help_text="Avisos (p. ej. RFC con dígito verificador dudoso).")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "warnings"]


class AddressInputSerializer(serializers.Serializer):
    street = serializers.CharField(required=False, allow_blank=True, max_length=120)
    number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    neighborhood = serializers.CharField(required=False, allow_blank=True, max_length=120)
    municipality = serializers.CharField(
        required=False, allow_blank=True, max_length=80,
        help_text="Municipio de Sonora: nombre del catálogo o clave INEGI (\"030\").")
    municipality_name = serializers.CharField(required=False, allow_blank=True, max_length=80,
                                              help_text="Municipio fuera de Sonora.")
    state = serializers.ChoiceField(choices=STATE_CHOICES, required=False, default=SONORA)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=5)


class PersonCreateSerializer(serializers.Serializer):
    curp = serializers.CharField(max_length=18)
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    second_last_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    rfc = serializers.CharField(required=False, allow_blank=True, max_length=13)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phones = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    emails = serializers.ListField(child=serializers.CharField(max_length=254), required=False)
    address = AddressInputSerializer(required=False, allow_null=True)


class PersonUpdateSerializer(serializers.Serializer):
    curp = serializers.CharField(max_length=18, required=False)
    first_name = serializers.CharField(max_length=80, required=False)
    last_name = serializers.CharField(max_length=80, required=False)
    second_last_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    rfc = serializers.CharField(required=False, allow_blank=True, max_length=13)
    birth_date = serializers.DateField(required=False, allow_null=True)
    data_blocked = serializers.BooleanField(
        required=False, help_text="Solo el responsable de protección de datos personales.")


@extend_schema_view(
    list=extend_schema(summary="Personas (datos de resumen)", parameters=[OpenApiParameter(
        "q", str, description="CURP (o su inicio), nombre o teléfono (7 dígitos o más).")],
        responses={200: PersonSummarySerializer(many=True)}),
    retrieve=extend_schema(summary="Una persona (la consulta queda en la bitácora)"),
    create=extend_schema(summary="Registrar persona", request=PersonCreateSerializer,
                         responses={201: PersonSavedSerializer}),
    partial_update=extend_schema(summary="Modificar datos de identidad",
                                 request=PersonUpdateSerializer,
                                 responses={200: PersonSavedSerializer}),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PersonSerializer
    permission_classes = [PersonPermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return PersonSummarySerializer if self.action == "list" else PersonSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = {"q": self.request.query_params.get("q", "")} if self.action == "list" else {}
        people = scope_people(self.request.user, selectors.person_list(filters=filters))
        if not self.request.user.has_perm("privacy.view_blocked_data"):
            # Blocked data (ARCO cancellation) is hidden from everyone but the officer and the
            # auditors: the API neither lists a blocked person nor answers for one (404).
            people = people.filter(data_blocked=False)
        return people if self.action == "list" else selectors.persons_with_details(people)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        services.person_view_log(actor=request.user, person=person, what="api.persona")
        return Response(PersonSerializer(person).data)

    def _saved(self, person: Person, warnings: list[str], code: int) -> Response:
        fresh = selectors.person_detail(pk=person.pk)
        fresh.warnings = warnings
        return Response(PersonSavedSerializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PersonCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            person, warnings = services.person_create(actor=request.user, **data)
        except DjangoValidationError as exc:
            raise _api_error(exc) from exc
        return self._saved(person, warnings, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        serializer = PersonUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if fields.get("birth_date", "") is None:
            fields.pop("birth_date")
        if ("data_blocked" in fields and fields["data_blocked"] != person.data_blocked
                and not may_block_data(request.user)):
            raise PermissionDenied(services.BLOCK_REFUSED)
        if set(fields) - {"data_blocked"} and not request.user.has_perm("people.change_person", person):
            raise PermissionDenied(_("Solo puede bloquear o desbloquear los datos; los demás datos "
                                     "los modifica Cartera o el gestor del caso."))
        try:
            person, warnings = services.person_update(actor=request.user, person=person, **fields)
        except DjangoValidationError as exc:
            raise _api_error(exc) from exc
        return self._saved(person, warnings, status.HTTP_200_OK)
