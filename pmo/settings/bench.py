"""Benchmark server (`make bench`): production-like (DEBUG off, no autoreload) on its own database,
plus the middleware that reports each request's SQL query count and server time in headers."""

import warnings

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/pmo_bench"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Plain static storage: no collectstatic needed; files are found once at start (no autorefresh).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REDIS_URL = env("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/14")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
MEDIA_ROOT = env.path("BENCH_MEDIA_ROOT", default="/tmp/pmo-bench-media")  # noqa: S108
# Quiet request logging: the benchmark sends tens of thousands of requests.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
MIDDLEWARE = ["benchmarks.middleware.QueryCountMiddleware", *MIDDLEWARE]
# No collectstatic for the benchmark: whitenoise serves from the finders; silence its STATIC_ROOT note.
warnings.filterwarnings("ignore", message=r"No directory at: .*staticfiles")
