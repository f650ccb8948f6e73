"""Settings shared by every environment; environments override, production secrets have no default."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-local-and-tests")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "pmo.core",
    "portfolio",
    "projects",
    "governance",
    "reporting",
    "pmo",
]

AUTH_USER_MODEL = "core.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pmo.core.middleware.SessionAbsoluteLifetimeMiddleware",
    "pmo.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pmo.core.middleware.RequestMemoMiddleware",
    "pmo.core.middleware.MFAMiddleware",
    "pmo.core.middleware.NoStoreForAuthenticatedMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmo.urls"
WSGI_APPLICATION = "pmo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "pmo.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/pmo"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Built dashboards kept per process until the database's committed state changes
# (reporting.dashboard.cache); 0 turns the cache off.
DASHBOARD_CACHE_SIZE = env.int("DASHBOARD_CACHE_SIZE", default=8)

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend behind a per-username ceiling: at most 100 failed password checks per hour per
    # account, whatever the address (ASVS 4.0.3 2.2.1); axes alone keys on username + address.
    "pmo.core.bruteforce.CeilingModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock out a username from one address after 5 failures in 15 minutes. The address is REMOTE_ADDR,
# or behind TRUSTED_PROXY_COUNT reverse proxies the entry of X-Forwarded-For that the outermost
# trusted proxy wrote: what a client puts in the header itself never changes the key, so a spoofed
# X-Forwarded-For cannot reset the counter (pmo.core.bruteforce.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "pmo.core.bruteforce.client_ip"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Per-username ceiling across rotating addresses (pmo.core.bruteforce), counted from SecurityEvent.
LOGIN_FAILURE_CEILING = 100
LOGIN_FAILURE_CEILING_WINDOW = timedelta(hours=1)

# --- Two-factor authentication (pmo.core.mfa): TOTP + backup codes, django-otp ---------------
# Required for PMO officers, executives, staff and superusers; optional for everyone else. Until the
# session is verified every page redirects to the enrolment or verification step (MFAMiddleware).
OTP_TOTP_ISSUER = "PMO"
OTP_TOTP_THROTTLE_FACTOR = 1  # after n failures, wait 2^(n-1) s before the next try
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A role granted during a session takes effect at the next check (at most this many seconds).
MFA_RECHECK_SECONDS = 300
MFA_BACKUP_CODE_COUNT = 10

# --- Sessions: 30 minutes idle, 12 hours absolute (pmo.core.middleware) ----------------------
SESSION_COOKIE_AGE = 30 * 60
# The idle timeout: an active session is saved (its expiry moved) at most once a minute, by
# pmo.core.middleware.SessionAbsoluteLifetimeMiddleware, not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_INTERVAL = 60
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Pages carry the CSRF token (forms, and hx-headers on <body>): no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Flash messages live in the session, not in a cookie of their own (one cookie less to harden).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # plotly.js and Bootstrap set inline style attributes; scripts stay strict.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Internationalisation: French first, English available ----------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"
# Off: ids in templates (hx-target="#card-1242") must never render as "1 242"; amounts are grouped
# explicitly by the money and number filters.
USE_THOUSAND_SEPARATOR = False

# --- Static and media --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Never routed: uploaded files are served only through authorised views (a request to /media/ is 404).
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="PMO <pmo@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "pmo.core.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "pmo.core.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "pmo.core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "pmo.core.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PMO Portfolio API",
    "DESCRIPTION": "Portfolios, programmes, projects and their QCDR follow-up.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pmo.core.api_schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "pmo.core.roles.Role",
        "RAGEnum": "projects.models.status.RAGChoices",
        "ProcurementStatusEnum": "projects.models.procurement.ProcurementStatus",
        "LessonCategoryEnum": "governance.control_models.LessonLearned.Category",
        "BenefitCategoryEnum": "projects.models.strategy.BenefitCategory",
        "CostCategoryEnum": "projects.models.registers.CostCategory",
    },
}

# --- Celery: Redis broker, at-least-once delivery made safe by idempotent tasks ---------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_TIME_LIMIT = 600
# Must exceed the time limit and any countdown, or Redis redelivers a running task in a loop.
CELERY_VISIBILITY_TIMEOUT = 900
# unacked_restore_throttle 1: kombu looks for expired unacked messages every 10 s, not every 100 s
# (a hard-killed worker's task is back within visibility_timeout + 10 s; RELIABILITY row 23).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 86400
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 30
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Empty on purpose: the rows come from pmo/schedule.py through install_schedules() (after migrate)
# and PMO officers may change them; beat would overwrite them from here at every start.
CELERY_BEAT_SCHEDULE = {}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The browser that exports a COPIL pack's charts (reporting.chart_images.pool): kept warm this many
# seconds after a job (booting Chromium with plotly.js costs ~2.5 s a pack; a warm one, ~200 MB per
# worker process). 0 closes it after every job. WARM_START boots one in each worker process at start.
CHART_BROWSER_KEEP_S = env.int("CHART_BROWSER_KEEP_S", default=1800)
CHART_BROWSER_WARM_START = env.bool("CHART_BROWSER_WARM_START", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Demo seed
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo")
ALLOW_DEMO_SEED = True  # production.py turns it off: the demo accounts must never exist there

# Reporting: the public address used in e-mails; how long a report run may stay queued (or running
# with nobody holding its lock) before the sweeper re-queues it; a test-only pause inside generation
# (the window the Celery kill tests need; always 0 outside them).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
REPORT_SWEEP_AFTER_SECONDS = env.int("REPORT_SWEEP_AFTER_SECONDS", default=120)
REPORT_FAULT_PAUSE_SECONDS = env.int("REPORT_FAULT_PAUSE_SECONDS", default=0)
