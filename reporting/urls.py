from django.urls import path

from reporting.views import dashboard, exceptions, exports, highlights, home, runs, schedules

app_name = "reporting"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("reports/", home.reports_home, name="home"),
    path("reports/projects.csv", home.project_export, name="project-export"),
    path("reports/export/<slug:name>.<slug:fmt>", exports.export, name="export"),
    path("reports/runs/", runs.run_list, name="runs"),
    path("reports/runs/new/", runs.run_request, name="run-request"),
    path("reports/runs/<int:pk>/", runs.run_detail, name="run"),
    path("reports/runs/<int:pk>/progress/", runs.run_progress, name="run-progress"),
    path("reports/runs/<int:pk>/download/", runs.run_download, name="run-download"),
    path(
        "reports/distribution/<int:portfolio_pk>/<slug:kind>/",
        schedules.distribution_edit,
        name="distribution",
    ),
    path("reports/chase-missing/", schedules.chase_missing, name="chase-missing"),
    # Exception reports (governance's exceptions): send = freeze + request the PDF run; its PDF.
    path("reports/exceptions/<int:pk>/send/", exceptions.exception_send, name="exception-send"),
    path("reports/exceptions/<int:pk>/pdf/", exceptions.exception_pdf, name="exception-pdf"),
    # Highlight reports: the project page's "Reports" tab and one frozen report.
    path(
        "projects/<int:pk>/partials/reports/",
        highlights.project_reports_partial,
        name="project-reports-partial",
    ),
    path("reports/highlights/<int:pk>/", highlights.highlight_detail, name="highlight"),
]
