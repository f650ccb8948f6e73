"""A portfolio of N projects with everything a steering committee pack reads, bulk-inserted (the
pack's tests and its benchmark build 5 to 50 projects), and a check of what it builds."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from governance.models import ExceptionReport, ProjectException
from pmo.core.periods import week_start
from projects import qcdr
from projects.models import (
    CostLine,
    Deliverable,
    Milestone,
    MilestoneForecast,
    Project,
    Risk,
    StatusReport,
)
from projects.selectors import declared_from, facts_for_projects, thresholds_for

MEETING = date(2026, 11, 26)  # a Thursday
AS_OF = date(2026, 11, 20)  # the data: the Friday before
BIG_BUDGET = Decimal("1234567")


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(17, 0)))


def _months_back(day: date, k: int) -> date:
    """The first day of the month `k` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - k
    return date(index // 12, index % 12 + 1, 1)


def build_projects(portfolio, *, count, manager, sponsor, prefix="prj", programme=None, as_of=AS_OF):
    """`count` projects in `portfolio`. Every third is declared red and has a red risk, every fourth
    overspends and is in exception (cost; the report of every other one of them is sent), every
    tenth is proposed; project 0 has a budget of 1 234 567 €; project 1 is green. Each has 3
    milestones (2 key, slipping), 6 weeks of forecasts, 6 months of costs, 3 risks, 1 deliverable
    and 2 submitted weekly reports whose indicated QCDR is computed from that data, as the weekly
    loop stores it."""
    monday = week_start(as_of)
    projects = Project.objects.bulk_create(
        Project(
            portfolio=portfolio,
            programme=programme,
            code=f"{prefix}-{n:02d}",
            name=f"Projet {prefix.upper()} {n:02d}",
            manager=manager,
            sponsor=sponsor,
            state=Project.State.PROPOSED if n % 10 == 9 else Project.State.ACTIVE,
            stage=("Cadrage", "Exécution", "Recette")[n % 3],
            budget=BIG_BUDGET if n == 0 else Decimal(100000 + 5000 * n),
            strategic_score=(n * 17) % 100,
            start_date=as_of - timedelta(days=300),
            end_date=as_of + timedelta(days=200),
        )
        for n in range(count)
    )
    milestones = Milestone.objects.bulk_create(
        Milestone(
            project=p,
            name=name,
            is_key=key,
            baseline_date=as_of + timedelta(days=offset),
            forecast_date=as_of + timedelta(days=offset + slip * (n % 3)),
            actual_date=as_of - timedelta(days=60) if offset < 0 else None,
            status=Milestone.Status.ACHIEVED if offset < 0 else Milestone.Status.PLANNED,
        )
        for n, p in enumerate(projects)
        for name, key, offset, slip in (
            ("Cadrage validé", False, -60, 0),
            ("Recette", True, 20, 14),
            ("Mise en production", True, 60, 7),
        )
    )
    MilestoneForecast.objects.bulk_create(
        MilestoneForecast(
            milestone=m,
            period_start=monday - timedelta(weeks=w),
            # six weeks ago the forecast was the baseline; it slipped a little every week since
            forecast_date=m.baseline_date + (m.forecast_date - m.baseline_date) * (5 - w) // 5,
        )
        for m in milestones
        if m.is_key
        for w in range(6)
    )
    CostLine.objects.bulk_create(
        CostLine(
            project=p,
            month=_months_back(as_of, k),
            category="opex",
            planned=p.budget / 10,
            actual=p.budget / 10 * (Decimal("1.3") if n % 4 == 0 else Decimal("0.85")),
            forecast=p.budget / 10,
        )
        for n, p in enumerate(projects)
        for k in range(6)
    )
    Risk.objects.bulk_create(
        Risk(
            project=p,
            title=f"Risque {i} du projet {p.code}",
            # scores 2, 4, 6 (green); projects declared red: 8, 10, 15 (red)
            probability=min(5, 1 + (i + 1) // 2 + (3 if n % 3 == 0 else 0)),
            impact=2 + i // 2,
            owner=manager,
            mitigation=f"Plan de réduction {i} : revue hebdomadaire avec le fournisseur.",
        )
        for n, p in enumerate(projects)
        for i in range(3)
    )
    Deliverable.objects.bulk_create(
        Deliverable(project=p, name=f"Dossier de conception {p.code}", due_date=as_of + timedelta(days=30))
        for p in projects
    )
    reports = StatusReport.objects.bulk_create(
        StatusReport(
            project=p,
            period_start=monday - timedelta(weeks=w),
            state=StatusReport.State.SUBMITTED,
            submitted_at=_aware(monday - timedelta(weeks=w) + timedelta(days=4)),
            percent_complete=Decimal("60"),
            overall="red" if n % 3 == 0 else "green",
            quality="green",
            cost="red" if n % 3 == 0 else "green",
            schedule="amber",
            risk="green",
            overall_comment=f"Commentaire du chef de projet sur {p.code}.",
            help_needed="Arbitrage du sponsor attendu." if n % 3 == 0 else "",
        )
        for n, p in enumerate(projects)
        for w in (1, 0)
    )
    facts = facts_for_projects(projects=projects, as_of=as_of)
    for report in reports:
        project = report.project
        result = qcdr.compute_qcdr(facts[project.pk], declared_from(report), as_of, thresholds_for(project))
        report.indicated = qcdr.qcdr_as_dict(result)
    StatusReport.objects.bulk_update(reports, ["indicated"])
    for report in reports:
        if report.period_start == monday:
            Project.objects.filter(pk=report.project_id).update(latest_report=report)
    for n, p in enumerate(projects):
        if n % 4 != 0:
            continue
        exception = ProjectException.objects.create(
            project=p,
            tolerance=ProjectException.Tolerance.COST,
            forecast_value=Decimal("30"),
            limit=Decimal("10"),
            unit="pct",
            summary=f"Dépassement prévisionnel de 30 % sur {p.code}.",
            state=ProjectException.State.REPORTED if n % 8 == 0 else ProjectException.State.OPEN,
            raised_at=_aware(as_of - timedelta(days=5)),
        )
        sent = n % 8 == 0
        ExceptionReport.objects.create(
            exception=exception,
            title=f"Rapport d'exception — coûts — {p.name}",
            cause="Reprise de données sous-estimée.",
            consequences="Le coût à terminaison dépasse le budget de 30 %.",
            options=[
                {
                    "title": "Accepter le dépassement",
                    "description": "Réviser le budget.",
                    "cost_impact": "37037",
                    "schedule_impact_days": 0,
                    "risk": "Marge réduite",
                },
                {
                    "title": "Réduire le périmètre",
                    "description": "Reporter le lot 3.",
                    "cost_impact": "0",
                    "schedule_impact_days": 10,
                    "risk": "Bénéfices décalés",
                },
            ],
            recommendation="Option 1.",
            decision_requested=f"Valider le budget révisé de {p.code}.",
            state=ExceptionReport.State.SENT if sent else ExceptionReport.State.DRAFT,
            sent_at=_aware(as_of - timedelta(days=2)) if sent else None,
            sent_by=manager if sent else None,
        )
    return projects


@pytest.mark.django_db
def test_the_built_portfolio_has_red_projects_exceptions_and_proposals(world):
    projects = build_projects(
        world.portfolio_a, count=8, manager=world.users["pm_a"], sponsor=world.users["sponsor"]
    )
    assert len(projects) == 8
    reports = StatusReport.objects.filter(project__in=projects, period_start=week_start(AS_OF))
    assert reports.count() == 8
    assert all(
        r.indicated and r.indicated["indicated"]["overall"] in {"green", "amber", "red"} for r in reports
    )
    assert reports.filter(overall="red").count() == 3  # projects 0, 3, 6
    assert ProjectException.objects.filter(project__in=projects).count() == 2  # projects 0 and 4
    indicated = {
        r.project.code: r.indicated["indicated"]["overall"] for r in reports.select_related("project")
    }
    reasons = {r.project.code: r.indicated["reasons"] for r in reports.select_related("project")}
    assert indicated["prj-00"] == "red" and indicated["prj-01"] == "green", reasons["prj-01"]
    assert ExceptionReport.objects.filter(state="sent").count() == 1  # project 0
    assert Project.objects.filter(pk__in=[p.pk for p in projects], state="proposed").count() == 0
    assert set(CostLine.objects.filter(project__in=projects).values_list("month__day", flat=True)) == {1}
