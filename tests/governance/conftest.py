"""Projects whose data breach (or keep) their tolerances, on fixed dates so every figure is exact.

a1 (budget 100 000 €, tolerances 10 % / 10 working days / red from 15) gets one month of actual
cost (50 000 €) and a submitted weekly report: its percent complete sets the earned value, so
40 % gives CPI 0,8, EAC 125 000 € and a 25 % overrun.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.models import Project, StatusReport
from tests.factories import CostLineFactory, MilestoneFactory, RiskFactory, StatusReportFactory

AS_OF = date(2026, 11, 18)  # a Wednesday
MONDAY = date(2026, 11, 16)


def set_progress(project: Project, percent: str) -> StatusReport:
    """The project's current submitted report of the week of AS_OF, at `percent` complete."""
    StatusReport.objects.filter(project=project, period_start=MONDAY).delete()
    report = StatusReportFactory(
        project=project,
        period_start=MONDAY,
        state=StatusReport.State.SUBMITTED,
        percent_complete=Decimal(percent),
        submitted_at=timezone.make_aware(datetime(2026, 11, 17, 10, 0)),
    )
    Project.objects.filter(pk=project.pk).update(latest_report=report)
    return report


def spend(project: Project, actual: str = "50000", planned: str = "50000") -> None:
    CostLineFactory(
        project=project,
        month=date(2026, 10, 1),
        category="opex",
        planned=Decimal(planned),
        actual=Decimal(actual),
    )


def over_budget(project: Project, percent: str = "40") -> Project:
    """EV = budget × percent, AC 50 000 €: 40 % → EAC 125 000 € (+25 %)."""
    spend(project)
    set_progress(project, percent)
    return project


def late_milestone(project: Project, *, baseline=date(2026, 10, 1), forecast=date(2026, 12, 15)):
    """A key milestone forecast after its baseline: 52 working days late by default."""
    return MilestoneFactory(
        project=project, name="Recette", is_key=True, baseline_date=baseline, forecast_date=forecast
    )


def red_risk(project: Project, probability: int = 4, impact: int = 4):
    return RiskFactory(
        project=project,
        title="Défaillance du prestataire",
        probability=probability,
        impact=impact,
        cause="Prestataire unique",
        effect="Arrêt de la bascule",
        mitigation="Second prestataire qualifié",
    )


@pytest.fixture
def a1(world):
    """a1 with explicit tolerances and a start date, reloaded with its portfolio."""
    Project.objects.filter(pk=world.a1.pk).update(
        cost_tolerance_pct=Decimal("10"),
        time_tolerance_days=10,
        risk_red_score=15,
        risk_amber_score=8,
        start_date=date(2026, 9, 1),
    )
    return Project.objects.select_related("portfolio").get(pk=world.a1.pk)
