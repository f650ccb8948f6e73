"""Two-factor authentication URLs, under /accounts/mfa/ (namespace `mfa`)."""

from django.urls import path

from pmo.core.mfa import views

app_name = "mfa"

urlpatterns = [
    path("", views.account, name="account"),
    path("setup/", views.setup, name="setup"),
    path("verify/", views.verify, name="verify"),
    path("backup-codes/", views.backup_codes, name="backup-codes"),
    path("remove/", views.remove, name="remove"),
]
