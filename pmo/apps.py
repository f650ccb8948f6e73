from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_schedules(sender, **kwargs):
    from pmo.schedule import install_schedules

    install_schedules()


class PmoConfig(AppConfig):
    """The wiring: home page, demo seed command, the default periodic tasks; owns no model."""

    name = "pmo"
    verbose_name = "PMO"

    def ready(self):
        # after every migrate (django_celery_beat's tables exist by then): the missing schedules
        from django.apps import apps

        post_migrate.connect(
            _install_schedules,
            sender=apps.get_app_config("django_celery_beat"),
            dispatch_uid="pmo.install_schedules",
        )
