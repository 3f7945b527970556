from django.contrib import admin

from recupera.payments.models import BankAgreement, BankOperation, FileLayout, PaymentImport


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
