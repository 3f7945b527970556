"""Django admin: the municipalities catalog; persons and their data are read-only here
(changes go through the staff pages, which call the services and write the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from recupera.people.models import Address, ContactPoint, Municipality, Person, PersonViewLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["inegi_code", "name", "region", "population", "latitude", "longitude"]
    list_filter = ["region"]
    search_fields = ["name", "inegi_code"]
    ordering = ["inegi_code"]


class ContactPointInline(ReadOnlyInline):
    model = ContactPoint
    fields = ["kind", "value", "label", "is_primary", "active", "source", "created_at"]
    readonly_fields = fields


class AddressInline(ReadOnlyInline):
    model = Address
    fields = ["street", "number", "neighborhood", "municipality_name", "state", "postal_code",
              "is_current", "created_at"]
    readonly_fields = fields


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["curp", "last_name", "second_last_name", "first_name", "birth_date",
                    "data_blocked"]
    list_filter = ["data_blocked", "sex"]
    search_fields = ["=curp", "search_name", "rfc"]
    inlines = [ContactPointInline, AddressInline]
    show_full_result_count = False


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyAdmin):
    list_display = ["value", "kind", "label", "person", "is_primary", "active", "source"]
    list_filter = ["kind", "active", "label"]
    search_fields = ["value", "digits", "person__curp"]
    list_select_related = ["person"]
    show_full_result_count = False


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ["person", "street", "number", "neighborhood", "municipality_name", "state",
                    "postal_code", "is_current"]
    list_filter = ["state", "is_current", "municipality__region"]
    search_fields = ["person__curp", "street", "neighborhood", "postal_code"]
    list_select_related = ["person"]
    show_full_result_count = False


@admin.register(PersonViewLog)
class PersonViewLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "person"]
    search_fields = ["person__curp", "user__username"]
    list_select_related = ["user", "person"]
    show_full_result_count = False
