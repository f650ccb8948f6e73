from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from pmo.core.models import Heartbeat, SecurityEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    pass


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["source", "beat_at"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The authentication log, read-only: logins, lockouts and two-factor steps."""

    list_display = ["created_at", "kind", "username", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
