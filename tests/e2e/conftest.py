"""Real headless Chromium (Debian's, never a downloaded one) against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's ORM calls made by the
test itself (seeding, re-reading a project) must be allowed there.
"""

import io
import os

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


@pytest.fixture
def login(live_server):
    """Log in through the real login form; returns the page after the redirect to the user's home."""

    def do_login(page, username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert "/accounts/login/" not in page.url, f"login of {username} failed"
        return page

    return do_login
