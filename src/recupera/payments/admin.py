from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from recupera.payments.models import (
    BankAgreement,
    BankOperation,
    FileLayout,
    PaymentImport,
    PayrollEnrollment,
)


@admin.register(BankAgreement)
class BankAgreementAdmin(admin.ModelAdmin):
    list_display = ["code", "bank", "agreement_number", "reference_algorithm", "active"]
    list_filter = ["active", "reference_algorithm"]


@admin.register(FileLayout)
class FileLayoutAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "encoding", "record_length", "default_agreement", "active"]
    list_filter = ["kind", "active"]


@admin.register(PaymentImport)
class PaymentImportAdmin(admin.ModelAdmin):
    """Read only: an import is changed only by running it."""

    list_display = ["id", "original_name", "layout", "status", "applied_count", "duplicate_count",
                    "unidentified_count", "error_count", "created_at"]
    list_filter = ["status", "layout"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(BankOperation)
class BankOperationAdmin(PaymentImportAdmin):
    list_display = ["id", "agreement", "operation_key", "value_date", "amount", "status", "credit"]
    list_filter = ["status", "agreement"]
    search_fields = ["operation_key", "reference", "concept"]


class PayrollEnrollmentForm(forms.ModelForm):
    class Meta:
        model = PayrollEnrollment
        fields = ["credit", "employee_number", "agency", "active", "since", "amount"]

    def clean(self):  # type: ignore[no-untyped-def]
        from recupera.payments.services import payroll_enrollment_clean

        data = super().clean()
        credit = data.get("credit") or getattr(self.instance, "credit", None)
        try:
            payroll_enrollment_clean(credit=credit, employee_number=data.get("employee_number", ""),
                                     agency=data.get("agency", ""), since=data.get("since"),
                                     active=bool(data.get("active")), amount=data.get("amount"))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(PayrollEnrollment)
class PayrollEnrollmentAdmin(admin.ModelAdmin):
    """Descuento vía nómina: saved through services.payroll_enrollment_save (audited); an
    enrollment is deactivated, never deleted."""

    form = PayrollEnrollmentForm
    list_display = ["credit", "employee_number", "agency", "active", "since", "amount"]
    list_filter = ["active", "agency"]
    search_fields = ["employee_number", "agency", "credit__folio", "credit__borrower__curp"]
    raw_id_fields = ["credit"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["credit"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from recupera.payments.services import payroll_enrollment_save

        saved, _created = payroll_enrollment_save(
            actor=request.user, credit=obj.credit, employee_number=obj.employee_number,
            agency=obj.agency, since=obj.since, active=obj.active, amount=obj.amount)
        obj.pk = saved.pk
