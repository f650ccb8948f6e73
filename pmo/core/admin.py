from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from pmo.core.models import Heartbeat, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    pass


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["source", "beat_at"]
