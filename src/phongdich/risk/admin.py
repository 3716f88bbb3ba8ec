"""Administrators read assessments and fix a business's contact; levels change only through
the proposal and approval actions (so every change is audited and emits its event)."""

from django.contrib import admin

from phongdich.risk.models import Assessment, Business, InspectionTask


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("ward", "assessed_on", "level", "status", "rule_set_id", "decided_at")
    list_filter = ("status", "level", "rule_set_id")
    search_fields = ("ward__name",)
    readonly_fields = [f.name for f in Assessment._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("tax_id", "name", "kind", "ward", "created_at")
    search_fields = ("tax_id", "name")
    list_filter = ("kind",)
    raw_id_fields = ("ward", "venues")


@admin.register(InspectionTask)
class InspectionTaskAdmin(admin.ModelAdmin):
    list_display = ("business", "ward", "reason", "status", "created_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("business", "ward", "assessment", "closed_by")
