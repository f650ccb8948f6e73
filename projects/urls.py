from django.urls import path

from projects.views import documents, imports, register_forms, registers, tabular, team, weekly
from projects.views import project as views
from projects.views import strategy as strategy_views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("projects/<int:pk>/tolerances/", views.project_stage_tolerances, name="stage-tolerances"),
    path("projects/<int:pk>/archive/", views.project_archive, name="project-archive"),
    path("projects/<int:pk>/partials/header/", views.project_header_partial, name="header-partial"),
    path("projects/<int:pk>/partials/summary/", views.project_summary_partial, name="summary-partial"),
    path(
        "projects/<int:pk>/partials/summary/edit/",
        views.project_summary_edit_partial,
        name="summary-edit-partial",
    ),
    path("projects/<int:pk>/partials/team/", views.project_team_partial, name="team-partial"),
    path("projects/<int:pk>/team/add/", views.project_member_add, name="member-add"),
    path(
        "projects/<int:pk>/team/<int:member_pk>/remove/",
        views.project_member_remove,
        name="member-remove",
    ),
    path("projects/<int:pk>/partials/history/", views.project_history_partial, name="history-partial"),
]

urlpatterns += registers.urlpatterns + weekly.urlpatterns + register_forms.urlpatterns
urlpatterns += imports.urlpatterns
urlpatterns += team.urlpatterns
urlpatterns += tabular.urlpatterns

# Resources and capacity (issue 6): the project's Resources tab and the capacity pages.
from projects.views import allocations, capacity  # noqa: E402

urlpatterns += allocations.urlpatterns + capacity.urlpatterns
urlpatterns += documents.urlpatterns
urlpatterns += strategy_views.urlpatterns
