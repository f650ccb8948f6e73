"""RELIABILITY row 24: the Celery settings that keep Redis from redelivering a running task.

Redis hands an unacknowledged message to another worker once `visibility_timeout` has passed, so
every way a task can stay unacknowledged (its run time, a countdown, a retry delay, a soft
shutdown) must end well before that. tests/core/test_celery.py checks the three late-ack flags.
"""

import pytest
from django.conf import settings

from pmo.celery import app
from reporting.tasks import MAX_RETRIES, backoff

DAY = 86_400


@pytest.fixture(scope="module")
def conf():
    app.loader.import_default_modules()
    return app.conf


def project_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_one_visibility_timeout_everywhere(conf):
    timeout = settings.CELERY_VISIBILITY_TIMEOUT
    assert conf.visibility_timeout == timeout
    assert conf.broker_transport_options["visibility_timeout"] == timeout
    assert conf.result_backend_transport_options["visibility_timeout"] == timeout


def test_a_hard_killed_workers_task_comes_back_soon_after_the_timeout(conf):
    # kombu scans for expired unacked messages every interval × throttle seconds (10 × 10 by default).
    options = conf.broker_transport_options
    interval = options.get("unacked_restore_interval", 10)
    assert interval * options.get("unacked_restore_throttle", 10) <= 30


def test_every_task_ends_before_redis_would_redeliver_it(conf):
    timeout = conf.visibility_timeout
    assert timeout > conf.task_time_limit > conf.task_soft_time_limit > 0
    for name, task in project_tasks().items():
        hard = task.time_limit or conf.task_time_limit
        soft = task.soft_time_limit or conf.task_soft_time_limit
        assert timeout > hard > soft, name
        assert task.default_retry_delay < timeout, name
        if getattr(task, "retry_backoff", False):
            assert task.retry_backoff_max < timeout, name


def test_retries_are_bounded_and_their_delays_stay_under_the_timeout(conf):
    for name, task in project_tasks().items():
        assert task.max_retries is not None and task.max_retries <= 5, name
    longest = max(backoff(retries) for retries in range(MAX_RETRIES + 10) for _ in range(20))
    assert longest < conf.visibility_timeout
    delays = [backoff(retries) for retries in range(4)]
    assert 0.75 <= delays[0] <= 1.25 and 1.5 <= delays[1] <= 2.5 and 3 <= delays[3] / 2 <= 5


def test_soft_shutdown_requeues_before_the_timeout(conf):
    assert 0 < conf.worker_soft_shutdown_timeout < conf.visibility_timeout


def test_results_expire_within_a_day(conf):
    # Application state lives in ReportRun rows; results are only Celery's bookkeeping.
    assert 0 < conf.result_expires <= DAY


def test_the_sweeper_looks_for_lost_runs_more_often_than_it_calls_them_lost():
    from celery.schedules import crontab

    from pmo.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["report-sweeper"]
    assert isinstance(entry["schedule"], crontab)
    assert settings.REPORT_SWEEP_AFTER_SECONDS <= 300  # RELIABILITY row 23: re-queued within 5 min
