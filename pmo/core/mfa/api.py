"""`POST /api/v1/auth/token/`: username + password (+ `otp` for accounts with two-factor) → token.

DRF's obtain_auth_token, plus the second factor: a token is as good as a verified session, so an
account that needs two-factor gets one only against a valid code from its authenticator (or a
backup code). Failures of the password go through `authenticate()` (axes lockout, per-username
ceiling, security events); failures of the code are throttled by django-otp and recorded.
"""

from django.contrib.auth import authenticate
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, renderers, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from pmo.core import mfa
from pmo.core.models import SecurityEvent
from pmo.core.security import record


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"), write_only=True)
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    otp = serializers.CharField(
        label=_("One-time code"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_(
            "Required for accounts with two-factor authentication (PMO officers, executives, "
            "administrators): the 6-digit code of the authenticator app, or a backup code."
        ),
    )


@method_decorator(never_cache, name="dispatch")  # the answer is a credential: never kept in a cache
class ObtainAuthTokenView(APIView):
    """Exchange credentials (and the one-time code where two-factor applies) for an API token."""

    throttle_classes = ()
    permission_classes = ()
    authentication_classes = ()
    parser_classes = (parsers.FormParser, parsers.MultiPartParser, parsers.JSONParser)
    renderer_classes = (renderers.JSONRenderer,)
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request=request, username=data["username"], password=data["password"])
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}
            )
        if mfa.user_status(user).needed:
            code = data.get("otp", "")
            if not code:
                return Response(
                    {
                        "otp": [
                            _(
                                "This account uses two-factor authentication: send `otp`, the code of "
                                "your authenticator app."
                            )
                        ]
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            result = mfa.otp_verify(request=request, user=user, token=code)
            if result.device is None:
                message = (
                    _("Too many wrong codes. Wait %(seconds)d seconds before trying again.")
                    % {"seconds": result.retry_after}
                    if result.retry_after
                    else _("This code is not valid.")
                )
                return Response({"otp": [message]}, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=user)
        record(SecurityEvent.Kind.LOGIN_SUCCEEDED, request=request, user=user, detail="api token")
        return Response({"token": token.key})
