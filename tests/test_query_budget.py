"""Query budget of every list, dashboard and fragment: constant as data grows, and at most 15.

Builds a portfolio with 10 projects, measures, grows it to 200 projects (each with weekly reports,
milestones, cost lines and risks) and measures again. Prints the table (QUERY-BUDGET lines) that
the issue's closing note reports.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pmo.core.periods import week_start
from projects.models import CostLine, Milestone, Project, Risk, StatusReport
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
TODAY = date.today()


def grow(world, total: int) -> None:
    """Projects managed by pm_a, each with 4 weeks of reports, 3 milestones, 6 cost lines, 3 risks."""
    have = Project.objects.filter(portfolio=world.portfolio_a).count()
    projects = ProjectFactory.create_batch(
        total - have,
        portfolio=world.portfolio_a,
        manager=world.users["pm_a"],
        start_date=TODAY - timedelta(days=300),
    )
    monday = week_start(TODAY)
    StatusReport.objects.bulk_create(
        StatusReport(project=p, period_start=monday - timedelta(weeks=w), state="submitted", overall="green")
        for p in projects
        for w in range(1, 5)
    )
    Milestone.objects.bulk_create(
        Milestone(project=p, name=f"J{i}", baseline_date=TODAY + timedelta(days=10 * i), is_key=i == 1)
        for p in projects
        for i in range(3)
    )
    CostLine.objects.bulk_create(
        CostLine(
            project=p, month=date(2026, m, 1), category=c, planned=Decimal("1000"), actual=Decimal("900")
        )
        for p in projects
        for m in (8, 9, 10)
        for c in ("capex", "opex")
    )
    Risk.objects.bulk_create(
        Risk(project=p, title=f"R{i}", probability=i + 1, impact=3) for p in projects for i in range(3)
    )
    for project in projects:
        latest = project.status_reports.order_by("-period_start").first()
        Project.objects.filter(pk=project.pk).update(latest_report=latest)


def routes(world) -> dict[str, str]:
    a1 = world.a1.pk
    return {
        "Mes projets": "/projects/mine/",
        "project list page": "/projects/",
        "project list HTMX": "/projects/?q=prj",
        "dashboard": "/dashboard/",
        "governance": "/governance/",
        "portfolio list": "/portfolios/",
        "programme list": "/programmes/",
        "resources": "/resources/",
        "project page": f"/projects/{a1}/",
        **{
            f"tab {name}": f"/projects/{a1}/partials/{name}/"
            for name in (
                "summary",
                "milestones",
                "costs",
                "risks",
                "issues",
                "deliverables",
                "dependencies",
                "status-history",
                "team",
                "history",
                "qcdr",
                "card",
            )
        },
        "weekly update": f"/projects/{a1}/weekly/",
        "API projects (100/page)": "/api/v1/projects/?page_size=100",
        "API status reports": "/api/v1/status-reports/?page_size=100",
        "API risks": "/api/v1/risks/?page_size=100",
        "API milestones": "/api/v1/milestones/?page_size=100",
        "API QCDR": f"/api/v1/projects/{a1}/qcdr/",
    }


def count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HX_REQUEST="true" if "/partials/" in path else "")
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def test_query_counts_are_constant_from_10_to_200_projects(world):
    client = Client()
    client.force_login(world.users["pm_a"])
    grow(world, 10)
    small = {name: count_queries(client, path) for name, path in routes(world).items()}
    grow(world, 200)
    large = {name: count_queries(client, path) for name, path in routes(world).items()}
    for name in small:
        print(f"QUERY-BUDGET {name:<28} 10 projects: {small[name]:>3}   200 projects: {large[name]:>3}")  # noqa: T201
    # A paginated API list leaves out its COUNT query while the first page holds every row
    # (pmo.core.api.FirstPageCountingPaginator): at 10 projects their first page of 100 is short.
    short_first_page = {name for name, path in routes(world).items() if "page_size=100" in path}
    assert {name: large[name] - small[name] for name in small} == {
        name: 1 if name in short_first_page else 0 for name in small
    }
    assert max(large.values()) <= MAX_QUERIES, {k: v for k, v in large.items() if v > MAX_QUERIES}
