"""Catalogs and settings of the workbench, edited by the Subdirección de Cartera / TI."""

from django.contrib import admin

from recupera.collections.models import (
    AssignmentRule,
    CollectionSettings,
    ConductSettings,
    DeadlineRule,
    LetterTemplate,
    Outcome,
)


class SingletonAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not self.model.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(CollectionSettings, SingletonAdmin)
admin.site.register(ConductSettings, SingletonAdmin)


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_conversation", "discusses_debt", "requires_promise", "active", "order"]
    list_editable = ["active", "order"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["stage", "first_contact_business_days", "action_every_days"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "municipality", "region", "stage", "balance_min", "balance_max", "active"]
    filter_horizontal = ["collectors"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]
