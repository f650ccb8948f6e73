"""The Celery application: Redis broker, settings from Django (CELERY_*), tasks from every app."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.local")

app = Celery("pmo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def preload(**_kwargs) -> None:
    """Import, once in the worker's main process before it forks its pool, what a first job would
    import: the URL configuration (reverse() in every report) and WeasyPrint, ~3 s on this machine."""
    import weasyprint  # noqa: F401
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (imports every app's urls and builds the lookups)
