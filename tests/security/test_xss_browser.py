"""Stored XSS (RELIABILITY row 13), browser side: the corpus in every text field, then real headless
Chromium opens every page and fragment of portfolio A that the PMO officer may see, and the
project page's tabs: no dialog fires, no injected element exists in the DOM."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.e2e.conftest import browser_context_args, browser_type_launch_args, page  # noqa: F401
from tests.e2e.test_foundation_journey import open_project_tab
from tests.security import corpus
from tests.test_access_matrix import CASES, _registers

pytestmark = pytest.mark.e2e

READER = "pmo_a"
INJECTED_NODES = """() => document.querySelectorAll(
    'img[src="x"], [onerror], script:not([src]):not([type="application/json"]), a[href^="javascript:"]'
).length"""


def _urls(world) -> list[str]:
    """The GET entries of the spec that answer 200 to the reader, on portfolio A's objects."""
    objects = {
        "portfolio_a": world.portfolio_a,
        "programme_a": world.programme_a,
        "a1": world.a1,
        "a2": world.a2,
    }
    urls = []
    for case in CASES:
        if case.method != "GET" or case.expect[READER] != 200 or case.is_api or case.query or case.archived:
            continue
        if not set(case.kwargs.values()) <= set(objects):
            continue
        kwargs = {key: objects[value].pk for key, value in case.kwargs.items()}
        url = reverse(case.name, kwargs=kwargs)
        if url not in urls and not url.endswith((".csv", ".xlsx", ".pdf", ".ics")):
            urls.append(url)
    return urls


def test_no_stored_payload_runs_in_chromium(live_server, page, world):  # noqa: F811
    _registers(world)
    counts = corpus.inject()
    client = Client()
    login(client, world.users[READER])
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    injected, opened = [], 0
    for url in _urls(world):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, f"{url}: {response.status}"
        page.wait_for_load_state("load")
        opened += 1
        if page.evaluate(INJECTED_NODES):
            injected.append(url)
    # the project page, with every tab loaded through htmx
    page.goto(f"{live_server.url}{world.a1.get_absolute_url()}")
    fragments = page.locator("#project-tabs [data-tab]").evaluate_all(
        "tabs => tabs.map(t => t.getAttribute('hx-get'))"
    )
    for index, fragment in enumerate(fragments):
        open_project_tab(page, fragment)
        page.wait_for_load_state("networkidle")
        opened += 1
        if page.evaluate(INJECTED_NODES):
            injected.append(f"project tab {index}")
    shown = page.content().count("&lt;script&gt;alert(1)&lt;/script&gt;")
    print(
        f"\nRELIABILITY row 13 (browser): {counts['values']} payload values stored; {opened} pages, "
        f"fragments and tabs opened as {READER} in headless Chromium: {len(dialogs)} dialogs fired, "
        f"{len(injected)} pages with an injected element"
    )
    assert opened > 20
    assert shown >= 1, "the payloads never reached the project page: the test proves nothing"
    assert dialogs == [] and injected == []
