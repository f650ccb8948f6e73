"""Every periodic task, in one place, crontab only; each entry says why it runs when it does."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Proves every 5 minutes that beat, the broker and a worker are alive (shown on /healthz/);
    # harmless and idempotent: it overwrites one row.
    "heartbeat": {
        "task": "core.heartbeat",
        "schedule": crontab(minute="*/5"),
        "kwargs": {"source": "beat"},
    },
}
