from django.contrib import admin

from recupera.cob.models import CloseRun, CloseStep


class CloseStepInline(admin.TabularInline):
    model = CloseStep
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in CloseStep._meta.fields]


@admin.register(CloseRun)
class CloseRunAdmin(admin.ModelAdmin):
    list_display = ["business_date", "status", "started_at", "finished_at", "attempts"]
    readonly_fields = [f.name for f in CloseRun._meta.fields]
    inlines = [CloseStepInline]
