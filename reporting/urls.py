from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.reports_home, name="home"),
    path("reports/projects.csv", views.project_export, name="project-export"),
]
