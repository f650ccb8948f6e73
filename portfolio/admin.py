from django.contrib import admin

from portfolio.models import Membership, Portfolio, Programme


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "currency", "archived_at"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "portfolio", "state", "archived_at"]
    list_filter = ["portfolio", "state"]
    search_fields = ["code", "name"]
    list_select_related = ["portfolio"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "portfolio", "role"]
    list_filter = ["portfolio", "role"]
    list_select_related = ["user", "portfolio"]
