"""Infrastructure tasks: the heartbeat proves that beat and a worker are alive."""

from celery import shared_task
from django.utils import timezone

from pmo.core.models import Heartbeat


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat(source: str = "beat") -> str:
    """Record that a worker ran a beat-sent task now; idempotent (one row per source)."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(source=source, defaults={"beat_at": now})
    return now.isoformat()
