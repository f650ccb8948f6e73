from django.contrib import admin

from projects.models import Project, ProjectMember


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
