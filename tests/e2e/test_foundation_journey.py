"""The foundation journey in a real browser: a PM logs in, edits a project inline (HTMX, no reload),
gets a field error in place on a bad date; another PM cannot see a portfolio they are not in; and
the PMO officer walks every page of the main navigation without a console error or failed request."""

import time
from datetime import timedelta

import pytest
from django.utils import formats, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from projects.models import Project

pytestmark = pytest.mark.e2e

NAVIGATION_PAGES = 8  # Dashboard, Portfolios, Programmes, Projects, Proposals, Governance, Reports, Resources


def fr(message: str) -> str:
    """What the French UI shows for an msgid (the msgid itself until the catalogue has it)."""
    with translation.override("fr"):
        return gettext(message)


def fr_date(value) -> str:
    with translation.override("fr"):
        return formats.date_format(value, "DATE_FORMAT")


class BrowserProblems:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    def __init__(self, page):
        self.items: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.items.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _failed(self, request):
        # a request cut short by the page navigating away (the bell's badge, a download) is not a fault
        if request.failure != "net::ERR_ABORTED":
            self.items.append(f"failed: {request.url} ({request.failure})")

    def _console(self, message):
        if message.type == "error":
            self.items.append(f"console: {message.text} ({message.location.get('url')})")

    def _response(self, response):
        if response.status >= 400 and not response.url.split("?")[0].endswith("favicon.ico"):
            self.items.append(f"HTTP {response.status}: {response.request.method} {response.url}")


def open_project_tab(page, fragment: str) -> None:
    """Click the project page's tab whose fragment URL ends with `fragment` (e.g. "/partials/team/"),
    opening first the menu that groups it when it is not one of the tabs always shown."""
    selector = f'a[data-tab][hx-get$="{fragment}"]'
    tab = page.locator(f"#project-tabs {selector}")
    if not tab.is_visible():
        menu = page.locator("#project-tabs .dropdown").filter(has=page.locator(selector))
        menu.locator(".dropdown-toggle").click()
    tab.click()


def test_pm_edits_a_project_inline_and_cannot_see_another_portfolio(
    demo, live_server, page, new_context, login
):
    problems = BrowserProblems(page)

    # 1. Log in through the form; a project manager lands on "My projects".
    login(page, "pm1")
    assert page.url == f"{live_server.url}/projects/mine/"
    expect(page.locator("h1")).to_have_text(fr("My projects"))
    assert page.locator("html").get_attribute("lang") == "fr"

    # 2. Open one of their projects from its card.
    project = Project.objects.get(code="erp-finance")
    page.get_by_role("link", name=f"{project.code} – {project.name}").click()
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/")
    summary = page.locator("#project-summary")
    expect(summary.locator("[data-field=end_date]")).to_have_text(fr_date(project.end_date))
    page.evaluate("window.__marker = 1")

    # 3. Inline edit of the description and the end date: the display comes back, no reload.
    new_description = "Bascule du grand livre avancée : recette utilisateurs en juin."
    new_end = project.end_date + timedelta(days=30)
    clicks = 0
    started = time.perf_counter()
    summary.get_by_role("button", name=fr("Edit")).click()
    clicks += 1
    page.fill("#id_description", new_description)
    page.fill("#id_end_date", new_end.isoformat())
    with page.expect_response(lambda r: r.request.method == "POST") as saved:
        summary.get_by_role("button", name=fr("Save")).click()
        clicks += 1
    assert saved.value.status == 200
    expect(summary.locator("[data-field=description]")).to_have_text(new_description)
    expect(summary.locator("[data-field=end_date]")).to_have_text(fr_date(new_end))
    seconds = time.perf_counter() - started
    assert page.evaluate("window.__marker") == 1, "the save reloaded the whole page"
    project.refresh_from_db()
    assert (project.description, project.end_date) == (new_description, new_end)
    saved_version = project.version

    # 4. An end date before the start date: 422, the error next to the field, nothing saved.
    summary.get_by_role("button", name=fr("Edit")).click()
    page.fill("#id_description", "Ne doit pas être enregistré.")
    page.fill("#id_end_date", (project.start_date - timedelta(days=1)).isoformat())
    with page.expect_response(lambda r: r.request.method == "POST") as rejected:
        summary.get_by_role("button", name=fr("Save")).click()
    assert rejected.value.status == 422
    error = summary.locator("#id_end_date_error")
    expect(error).to_have_text(fr("The end date must be on or after the start date."))
    expect(summary.locator("#id_end_date")).to_have_attribute("aria-invalid", "true")
    expect(summary.locator("#id_end_date")).to_have_attribute("aria-describedby", "id_end_date_error")
    assert page.evaluate("window.__marker") == 1, "the rejected save reloaded the whole page"
    project.refresh_from_db()
    assert (project.description, project.end_date, project.version) == (
        new_description,
        new_end,
        saved_version,
    )
    summary.get_by_role("button", name=fr("Cancel")).click()
    expect(summary.locator("[data-field=end_date]")).to_have_text(fr_date(new_end))

    # 422 is the expected answer to the invalid form; anything else is a problem.
    unexpected = [item for item in problems.items if "HTTP 422" not in item and "status of 422" not in item]
    assert unexpected == []

    print(
        f"\nE2E-FIGURES: inline edit of description + end date: {clicks} clicks, 2 fields typed, "
        f"{seconds:.2f} s from the Edit click to the saved values displayed"
    )

    # 5. pm2 (DSI Groupe only) opens a project of "Transformation industrielle": 404.
    other = Project.objects.filter(portfolio__name="Transformation industrielle").first()
    pm2_page = new_context().new_page()
    login(pm2_page, "pm2")
    response = pm2_page.goto(f"{live_server.url}{other.get_absolute_url()}")
    assert response.status == 404
    expect(pm2_page.locator("h1")).to_have_text(fr("Page not found"))
    assert other.name not in pm2_page.content()


def test_pmo_visits_every_page_of_the_main_navigation(demo, live_server, page, login):
    problems = BrowserProblems(page)
    login(page, "pmo")
    links = page.locator("#main-nav .navbar-nav a.nav-link")
    expect(links).to_have_count(NAVIGATION_PAGES)
    targets = [(link.inner_text().strip(), link.get_attribute("href")) for link in links.all()]

    for label, href in targets:
        response = page.goto(f"{live_server.url}{href}")
        assert response.status == 200, f"{label} ({href}) answered {response.status}"
        page.wait_for_load_state("load")
        assert page.locator("h1").count() >= 1, f"{label} ({href}) has no <h1>"
        expect(page.locator("h1").first).to_be_visible()
        assert page.locator("html").get_attribute("lang") == "fr", f"{label} ({href}) is not in French"
        current = page.locator("#main-nav a.nav-link.active")
        expect(current).to_have_attribute("href", href)

    assert problems.items == []
