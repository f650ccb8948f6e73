"""Settings of the Celery fault drills (reliability/celery_faults.py): the local settings with the
time scale shrunk, so that a redelivery or a sweep happens within a minute instead of 15.

The invariants of RELIABILITY row 24 still hold at this scale: visibility timeout 30 s > hard time
limit 25 s > soft time limit 20 s, one value in the three places, sweeper after 10 s.
"""

from pmo.settings.local import *  # noqa: F403
from pmo.settings.local import CELERY_BROKER_TRANSPORT_OPTIONS as BASE_BROKER_OPTIONS
from pmo.settings.local import env

DEBUG = False
CELERY_TASK_SOFT_TIME_LIMIT = 20
CELERY_TASK_TIME_LIMIT = 25
CELERY_VISIBILITY_TIMEOUT = 30
# The project's broker options (kombu's unacked_restore_throttle...), only the timeout scaled.
CELERY_BROKER_TRANSPORT_OPTIONS = {**BASE_BROKER_OPTIONS, "visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 5
REPORT_SWEEP_AFTER_SECONDS = env.int("REPORT_SWEEP_AFTER_SECONDS", default=10)
