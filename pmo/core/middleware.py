"""Session lifetime and cache headers that Django does not give by itself."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

_LOGIN_STARTED = "_session_started_at"


class SessionAbsoluteLifetimeMiddleware:
    """End any session older than SESSION_ABSOLUTE_LIFETIME, however active (idle is the cookie age)."""

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
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Authenticated pages must not be kept by browsers or proxies (shared office machines)."""

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
