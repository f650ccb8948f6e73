"""Every periodic task, in one place, crontab only; each entry says why it runs when it does.

These are the defaults. Beat runs with django-celery-beat's DatabaseScheduler: `install_schedules()`
(run after every migrate) creates the missing rows from this module and never overwrites a row, so
what a PMO officer changes in the schedules page survives restarts and deployments; "reset" in that
page puts the default back. Settings keep CELERY_BEAT_SCHEDULE empty for the same reason (beat would
otherwise rewrite the rows from here at each start).
"""

import json

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Proves every 5 minutes that beat, the broker and a worker are alive (shown on /healthz/);
    # harmless and idempotent: it overwrites one row.
    "heartbeat": {
        "task": "core.heartbeat",
        "schedule": crontab(minute="*/5"),
        "kwargs": {"source": "beat"},
    },
    # Report runs whose Celery message was lost (worker killed before Redis redelivers, Redis
    # flushed) are re-queued from PostgreSQL, the source of truth; every 2 minutes bounds the delay.
    "report-sweeper": {
        "task": "reporting.sweep",
        "schedule": crontab(minute="*/2"),
    },
    # Monday 09:00: project managers start their week; remind those whose report of the week just
    # ended is still missing (the Friday highlight report showed it as not submitted).
    "monday-update-reminders": {
        "task": "reporting.monday_reminders",
        "schedule": crontab(minute=0, hour=9, day_of_week=1),
    },
    # Friday 18:00: the week's updates are in; freeze every active project's highlight report and
    # send it to the sponsors before the weekend.
    "friday-highlight-reports": {
        "task": "reporting.weekly_highlights",
        "schedule": crontab(minute=0, hour=18, day_of_week=5),
    },
    # First working day of the month, 07:00: a steering committee pack per portfolio. Crontab cannot
    # say "first working day", so it fires on weekdays 1-7 and the task checks French holidays.
    "monthly-steering-packs": {
        "task": "reporting.monthly_steering_packs",
        "schedule": crontab(minute=0, hour=7, day_of_month="1-7", day_of_week="1-5"),
    },
    # Daily tolerance scan (DESIGN step 3) at 06:30, before people start their day: an exception
    # raised overnight is in the sponsor's and the PMO's notifications in the morning. Idempotent:
    # one open exception per project and tolerance. (Each submitted weekly report scans its project.)
    "tolerance-scan": {
        "task": "governance.scan_tolerances",
        "schedule": crontab(minute=30, hour=6),
    },
    # Daily at 08:00 on working days: owners of steering-committee actions due within two days (or
    # overdue, once a week) find the reminder when they start; keyed notifications make reruns harmless.
    "action-reminders": {
        "task": "governance.action_reminders",
        "schedule": crontab(minute=0, hour=8, day_of_week="1-5"),
    },
}


def install_schedules(*, reset: tuple[str, ...] = ()) -> list[str]:
    """Create the periodic-task rows missing from the database (and re-create the `reset` ones from
    the defaults); returns the names written. Existing rows are left as the PMO set them."""
    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    written = []
    for name, entry in BEAT_SCHEDULE.items():
        if name not in reset and PeriodicTask.objects.filter(name=name).exists():
            continue
        schedule = entry["schedule"]
        crontab_row, _ = CrontabSchedule.objects.get_or_create(
            minute=schedule._orig_minute,
            hour=schedule._orig_hour,
            day_of_week=schedule._orig_day_of_week,
            day_of_month=schedule._orig_day_of_month,
            month_of_year=schedule._orig_month_of_year,
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": entry["task"],
                "crontab": crontab_row,
                "interval": None,
                "kwargs": json.dumps(entry.get("kwargs", {})),
                "enabled": True,
            },
        )
        written.append(name)
    return written
