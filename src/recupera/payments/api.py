"""REST API of payments (/api/v1/payments/…): imports, the unidentified queue, cashier payments
(and prepayments to principal), reversals and payment references. Thin: parse, authorize
(core/predicates.py), call a service, answer. Money as strings "1234.50"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recupera.core.money import money_json
from recupera.core.services import business_date_get
from recupera.credits.models import Credit, LedgerEntry
from recupera.payments import selectors
from recupera.payments.models import BankOperation, FileLayout, PaymentImport, Receipt


def perm(name: str) -> type[permissions.BasePermission]:
    class HasPerm(permissions.BasePermission):
        def has_permission(self, request: Request, view: object) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm(name))

    HasPerm.__name__ = f"HasPerm_{name.replace('.', '_')}"
    return HasPerm


def _raise(exc: DjangoValidationError) -> None:
    detail: Any = exc.message_dict if hasattr(exc, "message_dict") else {"detail": exc.messages}
    raise ValidationError(detail) from exc


def _credit(folio: str) -> Credit:
    credit = Credit.objects.filter(folio=(folio or "").strip()).first()
    if credit is None:
        raise ValidationError({"folio": [_("No existe el crédito con folio %(f)s.") % {"f": folio}]})
    return credit


# --- serializers ------------------------------------------------------------------------------
class ImportSerializer(serializers.ModelSerializer):
    layout = serializers.SlugRelatedField(slug_field="name", read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = PaymentImport
        fields = ["id", "layout", "mode", "status", "original_name", "sha256", "size",
                  "business_date", "created_at", "started_at", "finished_at", "same_file_as",
                  "total_lines", "processed_lines", "progress_percent", "applied_count",
                  "applied_amount", "duplicate_count", "unidentified_count", "unidentified_amount",
                  "error_count", "failure"]


class ImportDetailSerializer(ImportSerializer):
    class Meta(ImportSerializer.Meta):
        fields = [*ImportSerializer.Meta.fields, "problems"]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    layout = serializers.SlugRelatedField(slug_field="name",
                                          queryset=FileLayout.objects.filter(active=True))
    mode = serializers.ChoiceField(choices=PaymentImport.Mode.choices,
                                   default=PaymentImport.Mode.VALID_ROWS)
    wait = serializers.BooleanField(default=False, help_text=_(
        "Verdadero: importar en esta solicitud y responder con el resultado (archivos chicos)."))

    def validate_file(self, value):  # type: ignore[no-untyped-def]
        from recupera.payments.services import upload_check

        try:
            upload_check(name=value.name, size=value.size)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict["file"]) from exc
        return value


class OperationSerializer(serializers.ModelSerializer):
    agreement = serializers.SlugRelatedField(slug_field="code", read_only=True)
    credit = serializers.SlugRelatedField(slug_field="folio", read_only=True)

    class Meta:
        model = BankOperation
        fields = ["id", "agreement", "operation_key", "payment_import", "line_number", "value_date",
                  "amount", "reference", "concept", "status", "unidentified_reason", "credit",
                  "match", "ledger_entry"]


class AssignSerializer(serializers.Serializer):
    folio = serializers.CharField(max_length=20)
    note = serializers.CharField(max_length=200)


class CashPaymentSerializer(serializers.Serializer):
    folio = serializers.CharField(max_length=20)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    request_id = serializers.CharField(max_length=64, help_text=_(
        "Identificador único del cliente: repetir la solicitud no cobra dos veces."))
    method = serializers.ChoiceField(choices=Receipt.Method.choices, default=Receipt.Method.CASH)
    kind = serializers.ChoiceField(choices=Receipt.Kind.choices, default=Receipt.Kind.PAYMENT)
    prepayment_mode = serializers.ChoiceField(choices=["keep_installment", "keep_term"],
                                              default="keep_installment")


class ReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    folio = serializers.CharField()
    credit = serializers.CharField()
    kind = serializers.CharField()
    amount = serializers.CharField()
    ledger_entry = serializers.IntegerField()
    created = serializers.BooleanField()
    principal_outstanding = serializers.CharField()
    total_overdue = serializers.CharField()
    payoff_amount = serializers.CharField()
    allocations = serializers.ListField(child=serializers.DictField())
    new_schedule = serializers.ListField(child=serializers.DictField(), allow_null=True)


class ReversalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    requeue = serializers.BooleanField(default=False)


class ReferenceSerializer(serializers.Serializer):
    folio = serializers.CharField()
    payment_reference = serializers.CharField()
    references = serializers.ListField(child=serializers.DictField())


# --- views ------------------------------------------------------------------------------------
class ImportListCreate(generics.ListAPIView):
    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):  # type: ignore[no-untyped-def]
        name = "payments.import_payments" if self.request.method == "POST" else "payments.view_payment"
        return [perm(name)()]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.imports_list()

    @extend_schema(tags=["pagos"], summary="Cargar un archivo de pagos del banco",
                   request={"multipart/form-data": ImportUploadSerializer},
                   responses={202: ImportDetailSerializer, 201: ImportDetailSerializer})
    def post(self, request: Request) -> Response:
        from recupera.payments.services import payment_import_create, payment_import_run
        from recupera.payments.tasks import enqueue_import

        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            imp = payment_import_create(actor=request.user, layout=data.validated_data["layout"],
                                        name=upload.name, content=upload.read(),
                                        business_date=business_date_get(),
                                        mode=data.validated_data["mode"])
            if data.validated_data["wait"]:
                imp = payment_import_run(actor=request.user, payment_import=imp)
        except DjangoValidationError as exc:
            _raise(exc)
        if data.validated_data["wait"]:
            return Response(ImportDetailSerializer(imp).data, status=status.HTTP_201_CREATED)
        enqueue_import(imp, request.user)
        return Response(ImportDetailSerializer(imp).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(tags=["pagos"], summary="Importaciones de pagos")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["pagos"], summary="Una importación con su reporte renglón por renglón")
class ImportDetail(generics.RetrieveAPIView):
    serializer_class = ImportDetailSerializer
    permission_classes = [perm("payments.view_payment")]
    queryset = PaymentImport.objects.select_related("layout")


@extend_schema(tags=["pagos"], summary="Bandeja de pagos no identificados",
               parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=False,
                                            description="Referencia, concepto o importe.")])
class UnidentifiedList(generics.ListAPIView):
    serializer_class = OperationSerializer
    permission_classes = [perm("payments.view_payment")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.unidentified_list(q=self.request.query_params.get("q", ""))


class UnidentifiedAssign(APIView):
    permission_classes = [perm("payments.assign_unidentified")]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(tags=["pagos"], summary="Asignar un pago no identificado a un crédito",
                   request=AssignSerializer, responses={200: OperationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        from recupera.payments.services import unidentified_assign

        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        op = get_object_or_404(BankOperation, pk=pk)
        try:
            op = unidentified_assign(actor=request.user, operation=op,
                                     credit=_credit(data.validated_data["folio"]),
                                     note=data.validated_data["note"],
                                     business_date=business_date_get())
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(OperationSerializer(op).data)


def receipt_json(receipt: Receipt, created: bool) -> dict[str, Any]:
    from recupera.payments.views import _receipt_context

    ctx = _receipt_context(receipt)
    state = ctx["state"]
    schedule = ctx["new_schedule"]
    return {
        "id": receipt.pk, "folio": receipt.folio, "credit": receipt.credit.folio,
        "kind": receipt.kind, "amount": money_json(receipt.amount),
        "ledger_entry": receipt.ledger_entry_id, "created": created,
        "principal_outstanding": money_json(state.principal_outstanding),
        "total_overdue": money_json(state.total_overdue),
        "payoff_amount": money_json(state.payoff_amount),
        "allocations": [{"installment": a.installment, "component": a.component,
                         "amount": money_json(a.amount)} for a in ctx["allocations"]],
        "new_schedule": None if schedule is None else [
            {"number": i.number, "due_date": i.due_date.isoformat(),
             "principal": money_json(i.principal), "interest": money_json(i.interest)}
            for i in schedule.installments],
    }


class CashPaymentCreate(APIView):
    permission_classes = [perm("payments.capture_cash")]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(tags=["pagos"], summary="Pago en caja o pago anticipado a capital",
                   request=CashPaymentSerializer, responses={201: ReceiptSerializer,
                                                             200: ReceiptSerializer})
    def post(self, request: Request) -> Response:
        from recupera.payments.services import cash_payment_capture

        data = CashPaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            receipt, created = cash_payment_capture(
                actor=request.user, credit=_credit(v["folio"]), amount=v["amount"],
                request_id=v["request_id"], business_date=business_date_get(),
                method=v["method"], kind=v["kind"], prepayment_mode=v["prepayment_mode"])
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(receipt_json(receipt, created),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReversalCreate(APIView):
    permission_classes = [perm("payments.reverse_payment")]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(tags=["pagos"], summary="Reversar un pago (el crédito se recalcula sin él)",
                   request=ReversalSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        from recupera.payments.services import payment_reversal_post

        data = ReversalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = get_object_or_404(LedgerEntry.objects.select_related("credit"), pk=pk)
        try:
            reversal = payment_reversal_post(actor=request.user, entry=entry,
                                             reason=data.validated_data["reason"],
                                             business_date=business_date_get(),
                                             requeue=data.validated_data["requeue"])
        except DjangoValidationError as exc:
            _raise(exc)
        return Response({"id": reversal.pk, "reverses": entry.pk, "credit": entry.credit.folio,
                         "value_date": reversal.value_date.isoformat(),
                         "amount": money_json(reversal.amount), "reason": reversal.reason},
                        status=status.HTTP_201_CREATED)


class ReferenceDetail(APIView):
    permission_classes = [perm("credits.view_credit")]

    @extend_schema(tags=["pagos"], summary="Referencias bancarias de un crédito",
                   responses={200: ReferenceSerializer})
    def get(self, request: Request, folio: str) -> Response:
        from recupera.payments.references import payment_reference_for, payment_references_for

        credit = Credit.objects.filter(folio=folio).first()
        # A credit the user may not see (a collector: only their cases' credits) answers as a
        # missing one does.
        if credit is None or not request.user.has_perm("credits.view_credit", credit):
            raise NotFound(_("No existe el crédito con folio %(f)s.") % {"f": folio})
        return Response({"folio": credit.folio, "payment_reference": payment_reference_for(credit),
                         "references": payment_references_for(credit)})
