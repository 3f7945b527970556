from django.contrib import admin

from recupera.custody.models import Location


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    """Names and the «en uso» switch; items and movements change only through the archive's
    screens (services), never here."""

    list_display = ["code", "name", "kind", "parent", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "kind", "parent"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
