"""The per-username failure ceiling that django-axes cannot express beside its username+IP lockout.

axes locks a username *from one address* after 5 failures (an office behind one NAT address is not
locked out by one colleague's typos). An attacker rotating addresses would get 5 guesses per address,
so this backend also refuses any password check for a username that already had
LOGIN_FAILURE_CEILING password failures within LOGIN_FAILURE_CEILING_WINDOW, from any address
(ASVS 4.0.3 2.2.1: "no more than 100 failed attempts per hour"). Attempts refused before a check
(axes or this ceiling) are recorded but not counted, so the ceiling bounds the password guesses and
the account reopens as soon as the window slides past the attacker's 100th guess.
"""

import ipaddress

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pmo.core.models import SecurityEvent
from pmo.core.security import BAD_CREDENTIALS, PASSWORD_CHECKED, django_request


def client_ip(request) -> str | None:
    """The client's address for lockouts and the security log: REMOTE_ADDR, or behind
    TRUSTED_PROXY_COUNT proxies the X-Forwarded-For entry written by the outermost one (proxies
    append on the right; whatever the client sent sits further left and is never read)."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def password_failures_in_window(username: str) -> int:
    """Failed password checks for `username` within the window, from every address."""
    since = timezone.now() - settings.LOGIN_FAILURE_CEILING_WINDOW
    return SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        username=username,
        detail=BAD_CREDENTIALS,
        created_at__gte=since,
    ).count()


def _flag(request, name: str) -> None:
    if request is None:
        return
    setattr(request, name, True)
    http = django_request(request)
    if http is not request:
        setattr(http, name, True)


class CeilingModelBackend(ModelBackend):
    """Django's ModelBackend behind the per-username ceiling; marks the request when it compared
    the password, so the failure log tells guesses from refused attempts."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is not None and password is not None:
            if password_failures_in_window(str(username)) >= settings.LOGIN_FAILURE_CEILING:
                # axes' middleware answers the lockout page (429) to a request marked like this
                _flag(request, "axes_locked_out")
                raise PermissionDenied
            _flag(request, PASSWORD_CHECKED)
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
