"""Django-side set-up of a benchmark run: the ids the operations address and the login sessions.

Sessions are created directly (no login form), so the benchmark does not depend on how users log
in: a second factor added for PMO officers is marked as passed in the session when django-otp is
installed, and `check_session()` fails loudly when a page still sends the user elsewhere.
"""

from __future__ import annotations

import secrets
import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils import timezone

from benchmarks.operations import Context
from pmo.core.periods import week_start

PMO_USERNAME = "pmo"  # the seed's PMO officer, PMO of every benchmark portfolio


def resolve(*, pmo_username: str = PMO_USERNAME) -> Context:
    """The benchmark's subject: the first active benchmark project (by code) with a status history,
    its portfolio and its manager; the PMO officer who sees every benchmark portfolio."""
    from projects.models import Project

    user_model = get_user_model()
    pmo = user_model.objects.get(username=pmo_username)
    project = (
        Project.objects.filter(
            portfolio__code__startswith="bench-",
            state=Project.State.ACTIVE,
            archived_at__isnull=True,
            latest_report__isnull=False,
            manager__isnull=False,
        )
        .select_related("manager")
        .order_by("code")
        .first()
    )
    if project is None:
        raise SystemExit("No benchmark project: load the data with `manage.py seed_demo --size large`.")
    today = timezone.localdate()
    pm = project.manager
    return Context(
        today=today,
        monday=week_start(today),
        pmo_username=pmo.username,
        pm_username=pm.username,
        portfolio_id=project.portfolio_id,
        project_id=project.pk,
        projects_visible=Project.objects.visible_to(pmo).active().count(),
        user_ids={pmo.username: pmo.pk, pm.username: pm.pk},
    )


def _mark_second_factor(session, user) -> None:
    """Mark the session as having passed the second factor, when the project has one."""
    if apps.is_installed("django_otp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    key = getattr(settings, "MFA_SESSION_KEY", None)  # a home-made second factor names its key here
    if key:
        session[key] = int(time.time())


def _backend() -> str:
    model_backend = "django.contrib.auth.backends.ModelBackend"
    backends = settings.AUTHENTICATION_BACKENDS
    return model_backend if model_backend in backends else backends[-1]


def new_session(username: str) -> str:
    """A logged-in session for `username`, written as django.contrib.auth.login() writes it but
    without the login signal (a benchmark session is not a login to record); returns its key."""
    user = get_user_model().objects.get(username=username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = _backend()
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    _mark_second_factor(session, user)
    session.save()
    return session.session_key


def cookie_header(session_key: str, csrf: str) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def csrf_secret() -> str:
    """A CSRF cookie value; the same string in X-CSRFToken passes Django's check (unmasked form)."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def drop_sessions(keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()
