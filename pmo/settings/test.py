"""Test run: real PostgreSQL and Redis, fast hashing, plain static storage for the live server."""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Fast hashing for fixtures; tests of the production hasher read base.PASSWORD_HASHERS.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Parallel runs (pytest-xdist, `make test`): each worker gw<N> has its own Redis database and media
# directory, as pytest-django gives it its own test database (test_pmo_gw<N>). Redis database 14
# belongs to the benchmarks (pmo.settings.bench).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER_INDEX = int(XDIST_WORKER.removeprefix("gw")) if XDIST_WORKER.startswith("gw") else None
_REDIS_DB = 15 if _WORKER_INDEX is None else (15, 13, 12, 11, 10, 9, 8, 7)[_WORKER_INDEX % 8]
REDIS_URL = env("TEST_REDIS_URL", default=f"redis://127.0.0.1:6379/{_REDIS_DB}")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default="/tmp/pmo-test-media")(XDIST_WORKER)  # noqa: S108
CONN_MAX_AGE = 0
# A test worker keeps one warm chart browser between the tests that draw charts (closed at exit).
CHART_BROWSER_KEEP_S = 600
CHART_BROWSER_WARM_START = False
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Separate names let several test runs share one PostgreSQL server without dropping each other's DB.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_pmo")}  # noqa: F405
