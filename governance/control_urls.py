"""URLs of change control, committees, decisions, actions and lessons (included by governance.urls,
in its namespace)."""

from django.urls import path

from governance.views import changes, committees, lessons

urlpatterns = [
    # Change control and the board's decision on an exception
    path(
        "governance/projects/<int:pk>/partials/changes/",
        changes.project_changes_partial,
        name="project-changes-partial",
    ),
    path(
        "governance/projects/<int:pk>/partials/baselines/",
        changes.project_baselines_partial,
        name="project-baselines-partial",
    ),
    path("governance/projects/<int:pk>/changes/new/", changes.change_create, name="change-create"),
    path("governance/changes/<int:pk>/", changes.change_detail, name="change-detail"),
    path("governance/changes/<int:pk>/edit/", changes.change_edit, name="change-edit"),
    path("governance/changes/<int:pk>/submit/", changes.change_submit, name="change-submit"),
    path("governance/changes/<int:pk>/assess/", changes.change_assess, name="change-assess"),
    path("governance/changes/<int:pk>/decide/", changes.change_decide, name="change-decide"),
    path("governance/exceptions/<int:pk>/decide/", changes.exception_decide, name="exception-decide"),
    # Steering committees, meetings, agenda, actions
    path("governance/committees/", committees.committee_list, name="committee-list"),
    path("governance/committees/new/", committees.committee_create, name="committee-create"),
    path("governance/committees/<int:pk>/", committees.committee_detail, name="committee-detail"),
    path("governance/committees/<int:pk>/edit/", committees.committee_edit, name="committee-edit"),
    path("governance/committees/<int:pk>/meetings/new/", committees.meeting_create, name="meeting-create"),
    path("governance/meetings/<int:pk>/", committees.meeting_detail, name="meeting-detail"),
    path("governance/meetings/<int:pk>/edit/", committees.meeting_edit, name="meeting-edit"),
    path(
        "governance/meetings/<int:pk>/partials/agenda/",
        committees.meeting_agenda_partial,
        name="agenda-partial",
    ),
    path("governance/meetings/<int:pk>/agenda/refresh/", committees.agenda_refresh, name="agenda-refresh"),
    path("governance/meetings/<int:pk>/agenda/add/", committees.agenda_item_add, name="agenda-item-add"),
    path("governance/meetings/<int:pk>/hold/", committees.meeting_hold, name="meeting-hold"),
    path("governance/meetings/<int:pk>/minutes/", committees.meeting_minutes, name="meeting-minutes"),
    path("governance/meetings/<int:pk>/actions/new/", committees.action_create, name="action-create"),
    path("governance/meetings/<int:pk>/invitation.ics", committees.meeting_ics, name="meeting-ics"),
    path("governance/agenda-items/<int:pk>/move/", committees.agenda_item_move, name="agenda-item-move"),
    path(
        "governance/agenda-items/<int:pk>/remove/", committees.agenda_item_remove, name="agenda-item-remove"
    ),
    path(
        "governance/agenda-items/<int:pk>/decide/", committees.agenda_item_decide, name="agenda-item-decide"
    ),
    path("governance/actions/mine/", committees.my_actions, name="my-actions"),
    path("governance/actions/<int:pk>/status/", committees.action_status, name="action-status"),
    # Lessons learned
    path("governance/lessons/", lessons.lesson_list, name="lesson-list"),
    path("governance/lessons/new/", lessons.lesson_create, name="lesson-create"),
    path("governance/lessons/<int:pk>/", lessons.lesson_detail, name="lesson-detail"),
    path("governance/lessons/<int:pk>/edit/", lessons.lesson_edit, name="lesson-edit"),
    path(
        "governance/projects/<int:pk>/partials/lessons/",
        lessons.project_lessons_partial,
        name="project-lessons-partial",
    ),
]
