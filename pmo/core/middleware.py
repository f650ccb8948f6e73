"""Session lifetime, the two-factor step and cache headers that Django does not give by itself."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from pmo.core import memo, mfa

_LOGIN_STARTED = "_session_started_at"
_TOUCHED = "_session_touched_at"


def stamp_new_session(sender, request, user, **kwargs) -> None:
    """At login (the session is saved then anyway): its start, for the absolute lifetime, and its
    last save, for the idle timeout — so the requests that follow do not save it again at once."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[_LOGIN_STARTED] = now
        request.session[_TOUCHED] = now


class SessionAbsoluteLifetimeMiddleware:
    """End any session older than SESSION_ABSOLUTE_LIFETIME, however active, and keep an active
    session alive: the idle timeout is the session's age (SESSION_COOKIE_AGE), renewed by saving the
    session — at most once per SESSION_TOUCH_INTERVAL rather than on every request, which would cost
    an UPDATE per request. An idle session therefore ends between COOKIE_AGE - TOUCH_INTERVAL and
    COOKIE_AGE after the last request, never later."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        started = session.get(_LOGIN_STARTED)
        now = int(time.time())
        if started is None:
            if session.get("_auth_user_id"):
                session[_LOGIN_STARTED] = now
        elif now - started > settings.SESSION_ABSOLUTE_LIFETIME:
            logout(request)
            if not request.path.startswith("/api/"):
                return redirect(settings.LOGIN_URL)
        if session.get("_auth_user_id") and now - session.get(_TOUCHED, 0) >= settings.SESSION_TOUCH_INTERVAL:
            session[_TOUCHED] = now  # marks the session modified: saved, expiry and cookie renewed
        return self.get_response(request)


class MFAMiddleware:
    """Until a user who needs the second factor has passed it, every page answers a redirect to the
    enrolment or verification step (an HTMX request gets `HX-Redirect`), and every API call made
    with the session answers 403. Token-authenticated API calls never carry a session user here:
    their token was issued only against a valid code (pmo.core.mfa.api).

    Also installs django-otp's `user.is_verified()` without a query: the session is verified when
    it holds the device key that only `mfa.mark_verified` sets.
    """

    # What an unverified session may still reach: the two-factor steps, leaving, and public URLs.
    EXEMPT_URL_NAMES = frozenset(
        {
            "mfa:setup",
            "mfa:verify",
            "login",
            "logout",
            "set_language",
            "favicon",
            "healthz",
            "api:auth-token",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            verified = mfa.is_verified(request)
            user.is_verified = lambda: verified
            if not verified and not self._exempt(request):
                status = mfa.session_status(request)
                if status.needed:
                    return self._step_up(request, status)
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        return self._exempt_path(request.path_info)

    def _exempt_path(self, path: str) -> bool:
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.view_name in self.EXEMPT_URL_NAMES

    def _step_up(self, request, status: mfa.Status) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "Two-factor verification required: confirm your code at %(url)s, or use a "
                        "token obtained with your one-time code."
                    )
                    % {"url": reverse("mfa:verify")},
                    "code": "mfa_required",
                },
                status=403,
            )
        target = reverse("mfa:verify" if status.enrolled else "mfa:setup")
        htmx = getattr(request, "htmx", None)
        back = htmx.current_url_abs_path if htmx else request.get_full_path()
        if htmx and back and self._exempt_path(back.split("?")[0]):
            return HttpResponse(status=403)  # a fragment of the step page itself: no redirect loop
        come_back = request.method == "GET" or htmx
        if come_back and back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            target += "?" + urlencode({"next": back})
        if htmx:
            # htmx follows a 302 inside the XHR and would swap the step page into a fragment
            return HttpResponse(status=403, headers={"HX-Redirect": target})
        return redirect(target)


class RequestMemoMiddleware:
    """Give the signed-in user of this request a fresh memo (pmo.core.memo)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memo.start(user)
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Authenticated pages must not be kept by browsers or proxies (shared office machines).
    (Login, logout and the API token answers are `never_cache` views of their own.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        response.setdefault("Vary", "HX-Request")
        if "HX-Request" not in response["Vary"]:
            response["Vary"] = response["Vary"] + ", HX-Request"
        return response


class FrenchFirstLocaleMiddleware:
    """The user's explicit choice (language cookie) or French; the browser's Accept-Language is
    ignored, because our users are French-speaking whatever language their browser was set up in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
