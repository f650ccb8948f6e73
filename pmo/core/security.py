"""Authentication events on record: every login attempt, logout and two-factor step (ASVS 16.3.1).

One row per event in `SecurityEvent` and one line on the `pmo.security` logger. The receivers below
are connected by CoreConfig.ready(): Django's auth signals fire for the login page, the admin login
and the API token endpoint alike, so no attempt goes unrecorded.
"""

import logging

from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from pmo.core.models import SecurityEvent

logger = logging.getLogger("pmo.security")

# Set on the request by pmo.core.bruteforce.CeilingModelBackend when it really compared the password:
# a failure without it was refused before any check (axes lockout, per-username ceiling).
PASSWORD_CHECKED = "pmo_password_checked"
BAD_CREDENTIALS = "bad_credentials"
REFUSED_LOCKED = "locked"


def django_request(request):
    """The HttpRequest behind a DRF Request (or the request itself)."""
    return getattr(request, "_request", request)


def record(kind: str, *, request=None, user=None, username: str = "", detail: str = "") -> SecurityEvent:
    """Write one security event (and log it); `request` gives the address, agent and path."""
    http = django_request(request) if request is not None else None
    if user is not None and not username:
        username = user.get_username()
    meta = getattr(http, "META", {}) if http is not None else {}
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or "")[:150],
        ip_address=_address(http),
        user_agent=meta.get("HTTP_USER_AGENT", "")[:255],
        path=(getattr(http, "path", "") or "")[:255],
        detail=detail[:255],
    )
    level = logging.INFO if kind in _ROUTINE else logging.WARNING
    logger.log(
        level,
        "security event %s user=%r ip=%s path=%s %s",
        kind,
        event.username,
        event.ip_address,
        event.path,
        detail,
    )
    return event


_ROUTINE = {
    SecurityEvent.Kind.LOGIN_SUCCEEDED,
    SecurityEvent.Kind.LOGOUT,
    SecurityEvent.Kind.MFA_VERIFIED,
}


def _address(http) -> str | None:
    if http is None or not getattr(http, "META", None):
        return None
    try:
        return get_client_ip_address(http) or None
    except (ValueError, AttributeError):
        return None


def on_login(sender, request, user, **kwargs):
    from pmo.core import mfa

    if request is None:
        return
    record(SecurityEvent.Kind.LOGIN_SUCCEEDED, request=request, user=user)
    if hasattr(request, "session"):
        mfa.start_session(request, user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    checked = request is not None and getattr(request, PASSWORD_CHECKED, False)
    record(
        SecurityEvent.Kind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username") or ""),
        detail=BAD_CREDENTIALS if checked else REFUSED_LOCKED,
    )


def on_logout(sender, request, user, **kwargs):
    if request is not None and user is not None:
        record(SecurityEvent.Kind.LOGOUT, request=request, user=user)


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="pmo.security.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="pmo.security.login_failed")
    user_logged_out.connect(on_logout, dispatch_uid="pmo.security.logout")
