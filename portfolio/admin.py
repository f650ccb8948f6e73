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


# The resource pool's catalogues (roles with their standard day rate, skills) are reference data:
# the PMO's administrators keep them here; resources themselves have their own pages.
from portfolio.resource_models import Absence, Resource, Role, Skill  # noqa: E402


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "cost_rate_per_day"]
    search_fields = ["code", "name"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "portfolio", "role", "department", "working_time_pct", "archived_at"]
    list_filter = ["portfolio", "role"]
    search_fields = ["name", "department"]
    list_select_related = ["portfolio", "role"]
    inlines = [AbsenceInline]
