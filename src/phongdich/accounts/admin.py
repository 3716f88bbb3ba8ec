from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from phongdich.accounts.models import ApiToken, AuditEvent, Role, User
from phongdich.accounts.views import admin_login


def _admin_only(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.role == Role.ADMIN)


# Django admin belongs to administrators alone, whatever is_staff says.
admin.site.has_permission = _admin_only
admin.site.site_header = "PhòngDịch"
# ... and its login page is the staff login (the same lockout, two-factor step and audit).
admin.site.login = admin_login


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with ``phongdich token``; here they are seen and revoked (the raw token
    is never stored, only its hash and first characters)."""

    list_display = ("prefix", "user", "created_at", "last_used_at", "expires_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("user", "prefix", "created_at", "last_used_at", "expires_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens / Thu hồi các mã đã chọn")
    def revoke(self, request, queryset):
        queryset.update(revoked=True)
