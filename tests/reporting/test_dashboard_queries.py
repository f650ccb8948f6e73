"""The dashboard reads a constant number of queries whatever the number of projects (10 vs 500), at
most 15 with the session, the user and the second factor included; the intake pipeline's card costs
2 of them (the open proposals, the proposed projects), whatever the number of proposals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import ProjectException, ProjectProposal
from pmo.core.periods import week_start
from projects.models import CostLine, Milestone, MilestoneForecast, Project, Risk, StatusReport
from reporting.dashboard import build_dashboard

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def grow(world, total: int) -> None:
    """Bulk-insert projects into portfolio A (half in programme A) until it holds `total`, each with
    3 weekly reports, 2 key milestones with forecasts, 4 cost lines, 3 risks and an exception; one in
    ten is proposed, with its proposal in the intake pipeline."""
    have = Project.objects.filter(portfolio=world.portfolio_a).count()
    today = timezone.localdate()
    monday = week_start(today)
    projects = Project.objects.bulk_create(
        Project(
            portfolio=world.portfolio_a,
            programme=world.programme_a if n % 2 else None,
            code=f"bulk-{n}",
            name=f"Projet {n}",
            manager=world.users["pm_a"],
            state=Project.State.PROPOSED if n % 10 == 0 else Project.State.ACTIVE,
            stage=("Cadrage", "Exécution", "Recette")[n % 3],
            budget=Decimal("100000"),
            strategic_score=n % 100 if n % 4 else None,
            start_date=today - timedelta(days=200),
        )
        for n in range(have, total)
    )
    snapshot = {
        "indicated": {
            "quality": "green",
            "cost": "red",
            "schedule": "amber",
            "risk": "green",
            "overall": "red",
        },
        "evm": {"bac": "100000", "pv": "50000", "ev": "45000", "ac": "52000", "eac": "115000"},
        "watermelon_axes": ["cost"],
    }
    StatusReport.objects.bulk_create(
        StatusReport(
            project=p,
            period_start=monday - timedelta(weeks=w),
            state="submitted",
            submitted_at=timezone.now() - timedelta(weeks=w),
            overall="green",
            indicated=snapshot,
        )
        for p in projects
        for w in range(3)
    )
    milestones = Milestone.objects.bulk_create(
        Milestone(
            project=p,
            name=f"J{i}",
            is_key=True,
            baseline_date=today + timedelta(days=30),
            forecast_date=today + timedelta(days=30 + i * 7 + p.pk % 20),
        )
        for p in projects
        for i in range(2)
    )
    MilestoneForecast.objects.bulk_create(
        MilestoneForecast(
            milestone=m, period_start=monday - timedelta(weeks=w), forecast_date=m.forecast_date
        )
        for m in milestones
        for w in range(3)
    )
    CostLine.objects.bulk_create(
        CostLine(
            project=p,
            month=date(today.year, today.month, 1) - timedelta(days=31 * k),
            category=c,
            planned=Decimal("1000"),
            actual=Decimal("900"),
            forecast=Decimal("950"),
        )
        for p in projects
        for k in range(2)
        for c in ("capex", "opex")
    )
    Risk.objects.bulk_create(
        Risk(project=p, title=f"R{i}", probability=i + 2, impact=3) for p in projects for i in range(3)
    )
    ProjectException.objects.bulk_create(
        ProjectException(project=p, tolerance="cost", forecast_value=15, limit=10, raised_at=timezone.now())
        for p in projects
    )
    first = ProjectProposal.objects.filter(portfolio=world.portfolio_a).count() + 1
    ProjectProposal.objects.bulk_create(
        ProjectProposal(
            portfolio=world.portfolio_a,
            number=first + i,
            project=p,
            programme=p.programme,
            title=p.name,
            problem="Besoin",
            desired_start=today,
            desired_end=today + timedelta(days=365),
            capex=Decimal("1000"),
            opex=Decimal("500"),
            state=ProjectProposal.State.SUBMITTED,
            requested_by=world.users["team"],
            submitted_at=timezone.now(),
        )
        for i, p in enumerate(p for p in projects if p.state == Project.State.PROPOSED)
    )


def requests(world) -> dict[str, tuple[dict, dict]]:
    url = reverse("reporting:dashboard")
    return {
        "page": ({}, {}),
        "page, programme scope": ({"programme": world.programme_a.pk}, {}),
        "page, all portfolios": ({"portfolio": "all"}, {}),
        "filters (HTMX body)": (
            {"stage": "Exécution", "state": "all"},
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dashboard-body"},
        ),
        "sort (HTMX matrix)": (
            {"ordering": "-budget", "page": 2},
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dashboard-matrix"},
        ),
        "url": url,
    }


def measure(client, world) -> dict[str, int]:
    found = requests(world)
    url = found.pop("url")
    counts = {}
    for name, (query, headers) in found.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, query, **headers)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured)
    return counts


@pytest.mark.parametrize("principal", ["pmo_a", "pm_a", "team"])
def test_dashboard_queries_do_not_grow_with_projects(client_for, world, principal):
    client = client_for(principal)
    client.get(reverse("reporting:dashboard"))  # the session settles (second-factor status cached)
    grow(world, 10)
    small = measure(client, world)
    grow(world, 500)
    large = measure(client, world)
    for name in small:
        line = f"DASHBOARD-QUERIES {principal:<9} {name:<22} 10: {small[name]:>3}   500: {large[name]:>3}"
        print(line)  # noqa: T201
    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large


def test_build_dashboard_reads_six_queries(world, django_assert_num_queries):
    grow(world, 60)
    with django_assert_num_queries(6):
        data = build_dashboard(
            projects=Project.objects.filter(portfolio=world.portfolio_a), as_of=timezone.localdate()
        )
    assert data.kpis.project_count == 60
    assert data.kpis.open_exceptions == 58
    assert len(data.milestones) == 8
