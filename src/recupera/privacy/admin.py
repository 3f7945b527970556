"""Read-only admin views of the privacy data: every change goes through privacy/services.py."""

from django.contrib import admin

from recupera.privacy.models import ArcoRequest, ContactOpposition, NoticeShown, PrivacyNotice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "effective_date"]


@admin.register(ArcoRequest)
class ArcoRequestAdmin(ReadOnlyAdmin):
    list_display = ["folio", "right", "channel", "status", "received_on", "due_on"]
    list_filter = ["right", "status", "channel"]
    search_fields = ["folio"]
    exclude = ["export_data"]


@admin.register(NoticeShown)
class NoticeShownAdmin(ReadOnlyAdmin):
    list_display = ["person", "notice", "context", "business_date"]
    raw_id_fields = ["person"]


@admin.register(ContactOpposition)
class ContactOppositionAdmin(ReadOnlyAdmin):
    list_display = ["person", "channel", "since"]
    raw_id_fields = ["person"]
