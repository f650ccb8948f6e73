"""Two-factor authentication (ASVS 6.3.3 / 6.5): who needs it, the session's state, and the services
that enrol a TOTP authenticator, verify codes and hand out backup codes (django-otp devices).

Policy: required for PMO officers and executives of any portfolio, and for staff and superusers;
optional for everyone else, who may enrol from their account page (and then must verify at each
login). A session is verified when it holds django-otp's `otp_device_id` key, set only by
`mark_verified` after a correct code, together with a new session key.

The session also caches whether the user needs the second factor (`STATE_KEY`): computed at login,
re-checked every MFA_RECHECK_SECONDS, so that the middleware costs no query on most requests.
"""

import base64
import io
import time
from dataclasses import dataclass

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from pmo.core.models import SecurityEvent
from pmo.core.roles import Role
from pmo.core.security import record

# Portfolio roles whose holders must use a second factor: they see every project of a portfolio
# and approve budgets, gates and changes.
MFA_ROLES = (Role.PMO, Role.EXECUTIVE)
STATE_KEY = "_mfa_state"
PENDING_KEY = "_mfa_pending_totp_key"
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"


@dataclass(frozen=True)
class Status:
    """Whether the user must use a second factor, and whether they have a confirmed authenticator."""

    required: bool
    enrolled: bool

    @property
    def needed(self) -> bool:
        """A second factor is asked at login: required by role, or chosen by the user."""
        return self.required or self.enrolled


def user_status(user) -> Status:
    """The user's two-factor status, in one query (staff and superusers need no role lookup)."""
    user_model = get_user_model()
    membership_model = user_model._meta.get_field("memberships").related_model
    row = (
        user_model.objects.filter(pk=user.pk)
        .annotate(
            holds_role=Exists(membership_model.objects.filter(user=OuterRef("pk"), role__in=MFA_ROLES)),
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .values("holds_role", "enrolled", "is_staff", "is_superuser")
        .first()
    )
    if row is None:
        return Status(required=False, enrolled=False)
    required = row["holds_role"] or row["is_staff"] or row["is_superuser"]
    return Status(required=required, enrolled=row["enrolled"])


def mfa_required(user) -> bool:
    """True for PMO officers and executives of any portfolio, staff and superusers."""
    return user_status(user).required


# --- The session -------------------------------------------------------------------------------


def is_verified(request) -> bool:
    """The session passed the second factor since login (django-otp's session key is present)."""
    return DEVICE_ID_SESSION_KEY in request.session


def start_session(request, user) -> None:
    """At login: forget any earlier verification and cache the user's status in the session."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    _store(request, user_status(user))


def session_status(request) -> Status:
    """The cached status, recomputed when older than MFA_RECHECK_SECONDS (a role granted meanwhile)."""
    state = request.session.get(STATE_KEY)
    if not state or time.time() - state.get("at", 0) > settings.MFA_RECHECK_SECONDS:
        return _store(request, user_status(request.user))
    return Status(required=state["required"], enrolled=state["enrolled"])


def _store(request, status: Status) -> Status:
    request.session[STATE_KEY] = {
        "required": status.required,
        "enrolled": status.enrolled,
        "at": int(time.time()),
    }
    return status


def mark_verified(request, device) -> None:
    """The user proved the second factor: a new session key (no fixation across the privilege
    change), and django-otp's device key that makes the session verified."""
    request.session.cycle_key()
    django_otp.login(request, device)
    status = session_status(request)
    _store(request, Status(required=status.required, enrolled=True))


def unverify(request) -> None:
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(STATE_KEY, None)


# --- Devices -----------------------------------------------------------------------------------


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_totp_device(request) -> TOTPDevice:
    """The authenticator being enrolled, unsaved: its secret waits in the session until the first
    code confirms it (so showing the enrolment page writes nothing to the database)."""
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = default_key()
    return TOTPDevice(user=request.user, name=TOTP_DEVICE_NAME, key=key, confirmed=False)


@transaction.atomic
def totp_device_enrol(*, request, user, token: str) -> list[str] | None:
    """Save the pending authenticator once its first code is right; returns the new backup codes
    (shown once), or None when the code is wrong (recorded)."""
    device = pending_totp_device(request)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(_digits(token) or -1), device.tolerance):
        record(SecurityEvent.Kind.MFA_FAILED, request=request, user=user, detail="enrolment code")
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.last_t = totp.t()  # the enrolment code cannot be replayed at the next login
    device.save()
    codes = _backup_codes_replace(user=user)
    request.session.pop(PENDING_KEY, None)
    record(SecurityEvent.Kind.MFA_ENROLLED, request=request, user=user, detail="totp")
    mark_verified(request, device)
    return codes


@transaction.atomic
def backup_codes_regenerate(*, request, user) -> list[str]:
    """New backup codes replace the old ones (each works once); returned to be shown once."""
    codes = _backup_codes_replace(user=user)
    record(SecurityEvent.Kind.MFA_BACKUP_CODES, request=request, user=user, detail=f"{len(codes)} codes")
    return codes


def _backup_codes_replace(*, user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class Verification:
    """The device that accepted the code (None: refused) and, when throttled, the seconds to wait."""

    device: object | None
    retry_after: int | None = None


def otp_verify(*, request, user, token: str) -> Verification:
    """Check a code from the authenticator (6 digits) or a backup code, each device throttled by
    django-otp (after n failures, 2^(n-1) s before the next try); every outcome is recorded."""
    code = "".join(token.split()).replace("-", "").lower()
    backup = not (code.isdigit() and len(code) == 6)
    model = StaticDevice if backup else TOTPDevice
    retry_after = None
    accepted = None
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"):
            allowed, info = device.verify_is_allowed()
            if not allowed:
                retry_after = _seconds_until((info or {}).get("locked_until"))
                continue
            if device.verify_token(code):
                accepted = device
                break
    if accepted is None:
        detail = "throttled" if retry_after else ("backup code" if backup else "totp code")
        record(SecurityEvent.Kind.MFA_FAILED, request=request, user=user, detail=detail)
        return Verification(device=None, retry_after=retry_after)
    record(
        SecurityEvent.Kind.MFA_VERIFIED,
        request=request,
        user=user,
        detail="backup code" if backup else "totp",
    )
    return Verification(device=accepted)


@transaction.atomic
def devices_remove(*, request, user) -> None:
    """Remove the authenticator and backup codes; the session is no longer verified (a required
    user is sent to enrol again, e.g. after changing phone)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(SecurityEvent.Kind.MFA_REMOVED, request=request, user=user)
    unverify(request)


def _digits(token: str) -> str:
    return "".join(ch for ch in token if ch.isdigit())


def _seconds_until(moment) -> int:
    from django.utils import timezone

    if moment is None:
        return 1
    return max(1, int((moment - timezone.now()).total_seconds()) + 1)


# --- Showing the secret --------------------------------------------------------------------------


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an authenticator by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (CSP img-src allows data:, no request)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
