from django.contrib import admin

from projects.models import (
    Assumption,
    CostLine,
    Deliverable,
    Dependency,
    Issue,
    Milestone,
    Project,
    ProjectMember,
    Risk,
    StatusReport,
)


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "portfolio",
        "programme",
        "state",
        "manager",
        "budget",
        "archived_at",
    ]
    list_filter = ["portfolio", "state"]
    search_fields = ["code", "name"]
    list_select_related = ["portfolio", "programme", "manager"]
    inlines = [ProjectMemberInline]


class ProjectRecordAdmin(admin.ModelAdmin):
    """Registers in the admin: for support staff; users work on the project pages."""

    list_select_related = ["project"]
    search_fields = ["project__code"]
    readonly_fields = ["version"]
    raw_id_fields = ["project"]


@admin.register(Milestone)
class MilestoneAdmin(ProjectRecordAdmin):
    list_display = ["name", "project", "is_key", "baseline_date", "forecast_date", "actual_date", "status"]
    list_filter = ["is_key", "status"]
    search_fields = ["name", "project__code"]


@admin.register(CostLine)
class CostLineAdmin(ProjectRecordAdmin):
    list_display = ["project", "month", "category", "planned", "actual", "forecast"]
    list_filter = ["category"]


@admin.register(Deliverable)
class DeliverableAdmin(ProjectRecordAdmin):
    list_display = ["name", "project", "due_date", "state"]
    list_filter = ["state"]
    search_fields = ["name", "project__code"]


@admin.register(Risk)
class RiskAdmin(ProjectRecordAdmin):
    list_display = ["title", "project", "probability", "impact", "score", "status", "trend"]
    list_filter = ["status", "is_opportunity"]
    search_fields = ["title", "project__code"]


@admin.register(Issue)
class IssueAdmin(ProjectRecordAdmin):
    list_display = ["title", "project", "severity", "status", "due_date"]
    list_filter = ["severity", "status"]
    search_fields = ["title", "project__code"]


@admin.register(Assumption)
class AssumptionAdmin(ProjectRecordAdmin):
    list_display = ["title", "project", "status", "due_date"]


@admin.register(Dependency)
class DependencyAdmin(ProjectRecordAdmin):
    list_display = ["title", "project", "depends_on_project", "needed_by", "status"]
    raw_id_fields = ["project", "depends_on_project", "depends_on_milestone"]


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    """Read-only: reports are written by their project's manager and frozen once submitted."""

    list_display = ["project", "period_start", "revision", "is_current", "state", "overall", "submitted_at"]
    list_filter = ["state", "overall", "is_current"]
    list_select_related = ["project"]
    search_fields = ["project__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
