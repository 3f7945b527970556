from django.contrib import admin

from recupera.agreements.models import AuthorityLimit, Campaign, NegotiationPolicy


class AuthorityLimitInline(admin.TabularInline):
    model = AuthorityLimit
    extra = 0


@admin.register(NegotiationPolicy)
class NegotiationPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "priority", "dpd_min", "dpd_max", "campaign")
    inlines = [AuthorityLimitInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on")
