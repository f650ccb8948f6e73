from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "pmo.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_migrate

        from pmo.core import dbroles, security

        security.connect()  # every login attempt, logout and two-factor step on record
        from django.contrib.auth.signals import user_logged_in

        from pmo.core.middleware import stamp_new_session

        user_logged_in.connect(stamp_new_session, dispatch_uid="pmo.session.stamp")
        # New tables arrive with migrations: the app role gets its rights (events append-only).
        post_migrate.connect(dbroles.grant_after_migrate, sender=self)
