"""Celery is configured for at-least-once delivery and runs real tasks through Redis."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from pmo.celery import app
from pmo.core.models import Heartbeat
from pmo.schedule import BEAT_SCHEDULE


def test_reliability_settings_are_on():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_visibility_timeout_exceeds_time_limits_everywhere():
    timeout = settings.CELERY_VISIBILITY_TIMEOUT
    assert timeout > app.conf.task_time_limit > app.conf.task_soft_time_limit
    assert app.conf.broker_transport_options["visibility_timeout"] == timeout
    assert app.conf.result_backend_transport_options["visibility_timeout"] == timeout


def test_every_beat_entry_is_a_crontab_of_a_registered_task():
    from celery.schedules import crontab

    app.loader.import_default_modules()
    for name, entry in BEAT_SCHEDULE.items():
        assert isinstance(entry["schedule"], crontab), name
        assert entry["task"] in app.tasks, name


@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_on_a_real_worker_through_redis():
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        app.send_task("core.heartbeat", kwargs={"source": "test"})
        deadline = time.monotonic() + 20
        while not Heartbeat.objects.filter(source="test").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert Heartbeat.objects.filter(source="test").exists()
