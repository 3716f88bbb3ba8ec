from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from phongdich.accounts.models import AuditEvent, Role, User


def _admin_only(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.role == Role.ADMIN)


# Django admin belongs to administrators alone, whatever is_staff says.
admin.site.has_permission = _admin_only
admin.site.site_header = "PhòngDịch"


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "role", "province", "ward", "is_active", "totp_enabled")
    list_filter = ("role", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("PhòngDịch", {"fields": ("role", "province", "ward", "phone", "totp_enabled")}),
    )
    raw_id_fields = ("ward",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_username", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
