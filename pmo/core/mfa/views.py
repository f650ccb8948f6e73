"""The two-factor steps: enrol an authenticator, verify a code after the password, and the account
page where anyone may enrol, regenerate backup codes or replace their authenticator."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pmo.core import mfa
from pmo.core.mfa.forms import CodeForm


def _next_url(request) -> str:
    """Where to go once verified: the `next` the middleware passed along, if it is ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol an authenticator app: QR code and secret, confirmed by a first code; then the backup
    codes, shown once."""
    status = mfa.session_status(request)
    if status.enrolled:
        if mfa.is_verified(request):
            return redirect("mfa:account")
        return redirect(f"{reverse('mfa:verify')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None, allow_backup=False)
    if request.method == "POST" and form.is_valid():
        codes = mfa.totp_device_enrol(request=request, user=request.user, token=form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "mfa/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled_now": True},
            )
        form.add_error("code", _("This code is not valid. Check the time of your phone and try again."))
    device = mfa.pending_totp_device(request)
    context = {
        "form": form,
        "required": status.required,
        "qr_code": mfa.qr_code_data_uri(device),
        "secret": mfa.secret_for_display(device),
        "next": _next_url(request),
    }
    return render(request, "mfa/setup.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of a login: a code from the authenticator, or a backup code."""
    if mfa.is_verified(request):
        return redirect(_next_url(request))
    status = mfa.session_status(request)
    if not status.enrolled:
        return redirect(f"{reverse('mfa:setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.otp_verify(request=request, user=request.user, token=form.cleaned_data["code"])
        if result.device is not None:
            mfa.mark_verified(request, result.device)
            left = mfa.backup_codes_left(request.user)
            if result.device.persistent_id.startswith("otp_static") and left <= 3:
                messages.warning(
                    request,
                    _("Only %(count)d backup codes left: generate new ones from your account page.")
                    % {"count": left},
                )
            return redirect(_next_url(request))
        if result.retry_after:
            form.add_error(
                "code",
                _("Too many wrong codes. Wait %(seconds)d seconds before trying again.")
                % {"seconds": result.retry_after},
            )
        else:
            form.add_error("code", _("This code is not valid."))
    return render(
        request,
        "mfa/verify.html",
        {"form": form, "next": _next_url(request)},
        status=422 if form.errors else 200,
    )


@login_required
def account(request):
    """Two-factor status of the account, with its actions."""
    status = mfa.session_status(request)
    context = {
        "status": status,
        "device": mfa.confirmed_totp_device(request.user) if status.enrolled else None,
        "backup_codes_left": mfa.backup_codes_left(request.user) if status.enrolled else 0,
    }
    return render(request, "mfa/account.html", context)


@login_required
@require_POST
def backup_codes(request):
    """New backup codes, shown once (the old ones stop working)."""
    if not mfa.session_status(request).enrolled:
        return redirect("mfa:account")
    codes = mfa.backup_codes_regenerate(request=request, user=request.user)
    return render(
        request,
        "mfa/backup_codes.html",
        {"codes": codes, "next": reverse("mfa:account"), "enrolled_now": False},
    )


@login_required
@require_POST
def remove(request):
    """Remove the authenticator: optional users turn two-factor off; required users enrol again
    (a new phone), since the middleware sends an unverified required session to the enrolment."""
    status = mfa.session_status(request)
    mfa.devices_remove(request=request, user=request.user)
    if status.required:
        messages.info(request, _("Scan the new QR code with your authenticator app."))
        return redirect("mfa:setup")
    messages.success(request, _("Two-factor authentication is turned off for your account."))
    return redirect("mfa:account")
