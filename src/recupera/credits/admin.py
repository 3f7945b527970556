"""Django admin (IT): catalogs (programs, products) editable; credits and their money read-only
(every change of a credit goes through credits/services.py)."""

from __future__ import annotations

from django.contrib import admin

from recupera.credits.models import (
    Allocation,
    Credit,
    Disbursement,
    LedgerEntry,
    Product,
    Program,
    PromissoryNote,
)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "active"]
    search_fields = ["code", "name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "base_rate", "punctual_rate", "excellence_rate",
                    "excellence_threshold", "late_rate", "grace_months", "default_term_months",
                    "active"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to look things up; written only by services (ledger append-only, projections)."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class DisbursementInline(admin.TabularInline):
    model = Disbursement
    extra = 0
    can_delete = False
    readonly_fields = ["number", "date", "amount", "destination"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Credit)
class CreditAdmin(ReadOnlyAdmin):
    list_display = ["folio", "borrower", "product", "status", "days_past_due", "bucket",
                    "principal_outstanding", "state_as_of"]
    list_filter = ["status", "bucket", "product"]
    search_fields = ["folio", "borrower__curp"]
    list_select_related = ["borrower", "product"]
    inlines = [DisbursementInline]


@admin.register(PromissoryNote)
class PromissoryNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "credit", "amount", "signed_on", "due_date", "status"]
    search_fields = ["number", "credit__folio"]
    list_select_related = ["credit"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["credit", "kind", "value_date", "amount", "channel", "natural_key", "created_at"]
    list_filter = ["kind", "channel"]
    search_fields = ["credit__folio", "natural_key"]
    list_select_related = ["credit"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["credit", "entry", "posting_kind", "value_date", "installment", "component", "amount"]
    search_fields = ["credit__folio"]
    list_select_related = ["credit", "entry"]
