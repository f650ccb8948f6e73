"""Real headless Chromium (Debian's, never a downloaded one) against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's ORM calls made by the
test itself (seeding, re-reading a project) must be allowed there.
"""

import base64
import io
import os
import time

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "demo"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """One Debian Chromium for the whole run; `playwright install` is never needed."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """An English-speaking browser: the application must still answer in French."""
    return {
        **browser_context_args,
        "locale": "en-US",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def demo(transactional_db):
    """The real demo seed, as users will see it (live_server needs a transactional database)."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def page(page):
    """A page that fails fast instead of waiting 30 s for an element that will not come."""
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(20_000)
    return page


def totp_code(key: bytes, *, after_t: int = -1) -> str:
    """The code an authenticator app shows for `key` now, or for the next time step when this one
    was already used (django-otp refuses a replayed step; it accepts one step ahead)."""
    from django_otp.oath import TOTP

    totp = TOTP(key)
    while totp.t() + 1 <= after_t:  # even the next step was used: wait for the clock
        time.sleep(1)
    if totp.t() <= after_t:
        totp.drift = 1
    return f"{totp.token():06d}"


def pass_second_factor(page, username: str) -> None:
    """PMO officers and executives type a real TOTP code: at their first login they enrol, reading
    the key shown on the page as a phone would scan it; afterwards the code comes from their
    device's key in the database."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if "/accounts/mfa/setup/" in page.url:
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.fill("#id_code", totp_code(key))
        page.click("form button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#backup-codes li").count() == 10, f"enrolment of {username} failed"
        page.click("#backup-codes-continue")
        page.wait_for_load_state("domcontentloaded")
    elif "/accounts/mfa/verify/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("#id_code", totp_code(device.bin_key, after_t=device.last_t))
        page.click("form button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
    assert "/accounts/mfa/" not in page.url, f"second factor of {username} failed"


@pytest.fixture
def login(live_server):
    """Log in through the real login form (and the second factor where the user needs one);
    returns the page after the redirect to the user's home."""

    def do_login(page, username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert "/accounts/login/" not in page.url, f"login of {username} failed"
        pass_second_factor(page, username)
        return page

    return do_login
