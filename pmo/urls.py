"""Every URL of the site; the access spec (tests/access_spec.yaml) must list each pattern."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from pmo import schedule_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/mfa/", include("pmo.core.mfa.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/schedules/", schedule_views.schedule_list, name="schedules"),
    path("reports/schedules/<slug:name>/edit/", schedule_views.schedule_edit, name="schedule-edit"),
    path("reports/schedules/<slug:name>/run/", schedule_views.schedule_run, name="schedule-run"),
    path("reports/schedules/<slug:name>/reset/", schedule_views.schedule_reset, name="schedule-reset"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notifications-badge"),
    path("notifications/read/", views.notification_read, name="notifications-read"),
    path("", include("portfolio.urls")),
    path("", include("projects.urls")),
    path("", include("governance.urls")),
    path("", include("reporting.urls")),
    path("api/v1/", include(("pmo.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

handler404 = "pmo.views.page_not_found"
