"""Temporary: screenshots of the tolerance pages on the demo (not committed)."""

import pytest

from governance.models import ProjectException
from projects.models import Project

pytestmark = pytest.mark.django_db(transaction=True)


def test_shots(demo, page, live_server, login):
    datalake = Project.objects.get(code="datalake")
    print("EXC", list(ProjectException.objects.values_list("project__code", "tolerance", "forecast_value", "limit")))
    login(page, "pm1")
    page.goto(f"{live_server.url}/projects/{datalake.pk}/tolerances/")
    page.screenshot(path="/tmp/tol_stage.png", full_page=True)
    scope = ProjectException.objects.filter(project=datalake, tolerance="scope").first()
    if scope:
        page.goto(f"{live_server.url}/governance/exceptions/{scope.pk}/")
        page.screenshot(path="/tmp/tol_scope_exc.png", full_page=True)
    page.goto(f"{live_server.url}/projects/{datalake.pk}/")
    page.click("text=Jalons de décision")
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/tol_gates.png", full_page=True)
    page.context.clear_cookies()
    login(page, "pmo")
    page.goto(f"{live_server.url}/projects/{datalake.pk}/edit/")
    page.screenshot(path="/tmp/tol_project_form.png", full_page=True)
    page.goto(f"{live_server.url}/portfolios/{datalake.portfolio_id}/edit/")
    page.screenshot(path="/tmp/tol_portfolio_form.png", full_page=True)
