from django.urls import path

from reporting.views import home

app_name = "reporting"

urlpatterns = [
    path("dashboard/", home.dashboard, name="dashboard"),
    path("reports/", home.reports_home, name="home"),
    path("reports/projects.csv", home.project_export, name="project-export"),
]
