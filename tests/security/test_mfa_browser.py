"""Two-factor authentication in real headless Chromium: a PMO officer's first login enrols an
authenticator (the key read from the page, as a phone scans it), the next login asks for a code.
Set SCREENSHOT_DIR to keep a PNG of each step."""

import base64
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (  # noqa: F401
    browser_context_args,
    browser_type_launch_args,
    page,
    pass_second_factor,
    totp_code,
)

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"  # tests/factories.py


def snap(page, name: str) -> None:  # noqa: F811
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def password_step(page, live_server, username: str) -> None:  # noqa: F811
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def test_a_pmo_officer_enrols_at_first_login_then_types_a_code(live_server, page, world):  # noqa: F811
    password_step(page, live_server, "pmo_a")
    assert "/accounts/mfa/setup/" in page.url
    expect(page.locator("#totp-secret")).to_be_visible()
    assert page.locator("#main-nav").count() == 0  # no navigation until the second factor
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    snap(page, "mfa-1-setup")
    page.fill("#id_code", "000000")
    page.click("form button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_be_visible()
    snap(page, "mfa-2-setup-error")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("#id_code", totp_code(base64.b32decode(secret + "=" * (-len(secret) % 8))))
    page.click("form button[type=submit]")
    expect(page.locator("#backup-codes li")).to_have_count(10)
    snap(page, "mfa-3-backup-codes")
    page.click("#backup-codes-continue")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.rstrip("/").endswith("/dashboard")

    page.goto(f"{live_server.url}/accounts/mfa/")
    expect(page.locator("form[action='/accounts/mfa/backup-codes/'] button")).to_be_visible()
    snap(page, "mfa-4-account")
    page.click("#main-nav .dropdown-toggle")
    page.click("#main-nav form[action='/accounts/logout/'] button")
    page.wait_for_load_state("domcontentloaded")

    password_step(page, live_server, "pmo_a")
    assert "/accounts/mfa/verify/" in page.url
    snap(page, "mfa-5-verify")
    pass_second_factor(page, "pmo_a")
    assert page.url.rstrip("/").endswith("/dashboard")
