"""API shapes of credits. The detail body is `engine_io.state_json` (the same JSON as
`recupera credit show --json`); the serializers below describe it for the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from recupera.core.personal import PersonNameField, curp_for
from recupera.credits.models import Credit
from recupera.engine import BUCKETS


def _money(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(help_text=_("Importe en MXN con dos decimales, p. ej. \"1234.50\"."),
                                 **kwargs)


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.CharField(required=False, allow_blank=True,
                                  help_text=_("Fecha de cálculo AAAA-MM-DD (por omisión, la fecha de operación)."))

    def validate_as_of(self, value: str) -> dt.date | None:
        value = (value or "").strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise serializers.ValidationError(_(
                "as_of: «%(value)s» no es una fecha válida; use el formato AAAA-MM-DD "
                "(por ejemplo 2026-11-26).") % {"value": value}) from exc


class CreditFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text=_("Folio (o su inicio), CURP o nombre del acreditado."))
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=Credit.Status.choices)
    bucket = serializers.ChoiceField(required=False, allow_blank=True,
                                     choices=[b[0] for b in BUCKETS])
    dpd_min = serializers.IntegerField(required=False, min_value=0)
    dpd_max = serializers.IntegerField(required=False, min_value=0)


class BorrowerSerializer(serializers.Serializer):
    curp = serializers.CharField()
    name = serializers.CharField()


class InstallmentStateSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    schedule_version = serializers.IntegerField()
    due_date = serializers.DateField()
    effective_due_date = serializers.DateField()
    principal = _money()
    interest = _money()
    rebate = _money()
    fees = _money()
    paid_principal = _money()
    paid_interest = _money()
    paid_late_interest = _money()
    paid_fees = _money()
    late_interest_accrued = _money()
    status = serializers.CharField(help_text=_(
        "pending, partial, paid, paid_late, overdue o cancelled."))
    paid_on = serializers.DateField(allow_null=True)


class AllocationSerializer(serializers.Serializer):
    installment = serializers.IntegerField(allow_null=True)
    schedule_version = serializers.IntegerField()
    component = serializers.CharField()
    amount = _money()


class PostingSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField(help_text=_("payment, reversal, prepayment, payoff, fee, discount, "
                                             "restructure o rebate (bonificación derivada)."))
    amount = _money()
    channel = serializers.CharField(allow_blank=True)
    natural_key = serializers.CharField(allow_blank=True)
    rejected_reason = serializers.CharField(allow_null=True)
    allocations = AllocationSerializer(many=True)


class CreditStateSerializer(serializers.Serializer):
    folio = serializers.CharField()
    payment_reference = serializers.CharField(help_text=_(
        "Referencia bancaria del crédito (algoritmo del primer convenio vigente)."))
    as_of = serializers.DateField()
    status = serializers.ChoiceField(choices=Credit.Status.choices)
    financial_status = serializers.ChoiceField(
        choices=["studying", "grace", "current", "overdue", "paid_off", "written_off"])
    days_past_due = serializers.IntegerField()
    bucket = serializers.ChoiceField(choices=[b[0] for b in BUCKETS])
    principal_disbursed = _money()
    principal_outstanding = _money()
    overdue_principal = _money()
    overdue_interest = _money()
    late_interest = _money()
    fees_due = _money()
    total_overdue = _money()
    payoff_amount = _money()
    credit_balance = _money()
    written_off = _money()  # written off and not yet recovered (0.00 without a write-off)
    written_off_on = serializers.DateField(allow_null=True, help_text=_("Fecha valor del castigo."))
    next_due_date = serializers.DateField(allow_null=True)
    first_due_date = serializers.DateField(allow_null=True)
    installment_amount = _money()
    schedule_version = serializers.IntegerField()
    borrower = BorrowerSerializer()
    installments = InstallmentStateSerializer(many=True)
    payments = PostingSerializer(many=True)


class CreditListSerializer(serializers.ModelSerializer):
    """One row of the portfolio list: the cached columns (as of `state_as_of`)."""

    borrower_curp = serializers.SerializerMethodField()
    borrower_name = PersonNameField(source="borrower")
    product = serializers.CharField(source="product.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Credit
        fields = ["folio", "product", "borrower_curp", "borrower_name", "status", "status_display",
                  "state_as_of", "days_past_due", "bucket", "principal_disbursed",
                  "principal_outstanding", "total_overdue", "payoff_amount", "credit_balance",
                  "next_due_date"]
        read_only_fields = fields

    def get_borrower_curp(self, credit: Credit) -> str:
        return curp_for(getattr(self.context.get("request"), "user", None), credit.borrower, hidden="")
