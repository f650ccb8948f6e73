"""The demo seed tells the stories of the weekly loop: 26 weeks of history per running project, one
watermelon, one stale project, reports due this week in Claire's "Mes projets"."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from pmo.core.periods import week_start
from projects import qcdr, selectors
from projects.models import (
    CostLine,
    Deliverable,
    Milestone,
    MilestoneForecast,
    Project,
    Risk,
    StatusReport,
)

OPEN = (Project.State.ACTIVE, Project.State.ON_HOLD)
MODELS = (CostLine, Deliverable, Milestone, MilestoneForecast, Risk, StatusReport)


@pytest.fixture
def monday(db):
    call_command("seed_demo", stdout=io.StringIO())
    return week_start(timezone.localdate())


def demo_projects():
    """The seeded projects with their weekly history (not the benchmark's, not those born from a
    project proposal of the intake seed, which have no report yet)."""
    return (
        Project.objects.exclude(portfolio__code__startswith="bench-")
        .filter(proposal__isnull=True)
        .select_related("portfolio", "latest_report")
    )


def test_demo_seed_tells_the_weekly_stories(monday):
    check_stories(monday)


def check_stories(monday):
    # An active project drifting into red: 26 consecutive submitted weeks up to this one.
    drifting = Project.objects.get(code="crm-unifie")
    reports = list(
        StatusReport.objects.filter(project=drifting, state=StatusReport.State.SUBMITTED, is_current=True)
        .order_by("period_start")
        .values("period_start", "percent_complete", "indicated")
    )
    assert len(reports) == 26
    weeks = [r["period_start"] for r in reports]
    assert weeks[-1] == monday
    assert all(
        later - earlier == timedelta(weeks=1) for earlier, later in zip(weeks, weeks[1:], strict=False)
    )
    percents = [r["percent_complete"] for r in reports]
    assert percents == sorted(percents) and percents[0] < percents[-1]
    assert reports[0]["indicated"]["indicated"]["schedule"] == "green"
    assert reports[-1]["indicated"]["indicated"]["schedule"] == "red"
    recette = drifting.milestones.get(name="Recette")
    assert recette.forecasts.count() == 26
    assert recette.forecasts.values("forecast_date").distinct().count() > 2  # the MTA shows the slip

    # Every running project has a history, every report and snapshot is well formed.
    projects = list(demo_projects())
    running = [p for p in projects if p.state in (*OPEN, Project.State.CLOSED)]
    assert running and all(p.latest_report is not None for p in running)
    assert not StatusReport.objects.filter(
        project__state__in=[Project.State.PROPOSED, Project.State.CANCELLED]
    ).exists()
    assert not StatusReport.objects.exclude(period_start__iso_week_day=1).exists()
    assert CostLine.objects.exists() and not CostLine.objects.exclude(month__day=1).exists()
    keys = set(qcdr.qcdr_as_dict(selectors.project_qcdr(project=drifting, as_of=monday)))
    assert all(set(p.latest_report.indicated) == keys for p in running)

    # Exactly one watermelon among the latest reports: declared green, red according to the data.
    watermelons = [p for p in running if p.latest_report.indicated["watermelon"]]
    assert [p.code for p in watermelons] == ["erp-finance"]
    snapshot = watermelons[0].latest_report.indicated
    assert set(snapshot["declared"].values()) == {"green"}
    assert snapshot["indicated"]["overall"] == "red"

    # Exactly one stale project: its last report is three weeks old or more.
    stale = [
        p for p in projects if p.state in OPEN and p.latest_report.period_start <= monday - timedelta(weeks=3)
    ]
    assert [p.code for p in stale] == ["teletravail-vpn"]
    assert selectors.project_qcdr(project=stale[0], as_of=timezone.localdate()).stale

    # Claire's "Mes projets": four open projects or more, one up to date, one drifting, one due.
    claire = get_user_model().objects.get(username="pm1")
    mine = list(selectors.my_projects(user=claire))
    assert len(mine) >= 4
    due = [p for p in mine if p.latest_report is None or p.latest_report.period_start < monday]
    up_to_date = [p for p in mine if p.latest_report and p.latest_report.period_start == monday]
    assert due and up_to_date
    assert any(p.latest_report.indicated["indicated"]["overall"] == "red" for p in up_to_date)

    # Seeding again adds nothing.
    counts = [model.objects.count() for model in MODELS]
    call_command("seed_demo", stdout=io.StringIO())
    assert [model.objects.count() for model in MODELS] == counts
