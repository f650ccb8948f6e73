"""Permission-scoped reads of projects, in a constant number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from pmo.core.periods import week_start
from pmo.core.permissions import get_visible_or_404
from projects import qcdr
from projects.models import CostLine, Deliverable, Milestone, Project, ProjectMember, Risk, StatusReport
from projects.types import (
    QCDR,
    RAG,
    CostFact,
    Declared,
    DeliverableFact,
    EVMethod,
    MilestoneFact,
    ProjectFacts,
    RiskFact,
    Thresholds,
)


def project_list(*, user) -> QuerySet[Project]:
    """Visible projects with portfolio, programme and people joined (one query per page)."""
    return Project.objects.visible_to(user).select_related(
        "portfolio", "programme", "manager", "deputy", "sponsor", "latest_report"
    )


def project_get(*, user, pk) -> Project:
    """One visible project or 404."""
    return get_visible_or_404(project_list(user=user), pk=pk)


def project_team(*, project: Project) -> QuerySet[ProjectMember]:
    return project.members.select_related("user").order_by("user__last_name")


def my_projects(*, user) -> QuerySet[Project]:
    """Open projects the user manages or deputises, for their weekly loop."""
    return (
        project_list(user=user)
        .filter(Q(manager=user) | Q(deputy=user), archived_at__isnull=True)
        .exclude(state__in=[Project.State.CLOSED, Project.State.CANCELLED])
        .order_by("code")
    )


# --- QCDR: facts for the pure computations, fetched in a constant number of queries ------------


def thresholds_for(project: Project) -> Thresholds:
    """The portfolio's tolerances with the project's overrides on top."""
    portfolio = project.portfolio

    def pick(name):
        value = getattr(project, name)
        return value if value is not None else getattr(portfolio, name)

    return Thresholds(
        cost_tolerance_pct=Decimal(pick("cost_tolerance_pct")),
        time_tolerance_days=pick("time_tolerance_days"),
        risk_red_score=pick("risk_red_score"),
        risk_amber_score=pick("risk_amber_score"),
        stale_after_days=portfolio.stale_after_days,
    )


def facts_for_projects(
    *, projects: list[Project], as_of: date, percent_complete: dict[int, Decimal | None] | None = None
) -> dict[int, ProjectFacts]:
    """ProjectFacts per project id, in five queries whatever the number of projects.

    `percent_complete` overrides the latest submitted report's value (the live preview of a draft).
    """
    ids = [p.pk for p in projects]
    milestones: dict[int, list[MilestoneFact]] = defaultdict(list)
    for m in Milestone.objects.filter(project_id__in=ids).order_by("pk"):
        milestones[m.project_id].append(
            MilestoneFact(
                name=m.name,
                baseline=m.baseline_date,
                forecast=m.forecast_date,
                actual=m.actual_date,
                is_key=m.is_key,
                weight=m.weight,
                cancelled=m.status == Milestone.Status.CANCELLED,
            )
        )
    costs: dict[int, list[CostFact]] = defaultdict(list)
    for c in CostLine.objects.filter(project_id__in=ids).order_by("month", "category"):
        costs[c.project_id].append(
            CostFact(month=c.month, planned=c.planned, actual=c.actual, forecast=c.forecast)
        )
    risks: dict[int, list[RiskFact]] = defaultdict(list)
    for r in Risk.objects.filter(project_id__in=ids).order_by("pk"):
        risks[r.project_id].append(
            RiskFact(
                title=r.title,
                probability=r.probability,
                impact=r.impact,
                is_open=r.status == Risk.Status.OPEN,
                is_opportunity=r.is_opportunity,
            )
        )
    deliverables: dict[int, list[DeliverableFact]] = defaultdict(list)
    for d in Deliverable.objects.filter(project_id__in=ids).order_by("pk"):
        deliverables[d.project_id].append(DeliverableFact(name=d.name, due=d.due_date, state=d.state))
    latest = {
        row["project_id"]: row
        for row in StatusReport.objects.filter(
            project_id__in=ids, state=StatusReport.State.SUBMITTED, is_current=True, period_start__lte=as_of
        )
        .order_by("project_id", "-period_start")
        .distinct("project_id")
        .values("project_id", "period_start", "percent_complete", "submitted_at")
    }
    facts = {}
    for project in projects:
        last = latest.get(project.pk)
        pct = last["percent_complete"] if last else None
        if percent_complete is not None and project.pk in percent_complete:
            pct = percent_complete[project.pk]
        facts[project.pk] = ProjectFacts(
            budget=project.budget,
            percent_complete=pct,
            ev_method=EVMethod(project.ev_method),
            milestones=tuple(milestones[project.pk]),
            costs=tuple(costs[project.pk]),
            risks=tuple(risks[project.pk]),
            deliverables=tuple(deliverables[project.pk]),
            last_submitted=last["submitted_at"].date() if last and last["submitted_at"] else None,
            has_risk_register=bool(risks[project.pk]),
        )
    return facts


def declared_from(report: StatusReport | None) -> Declared:
    if report is None:
        return Declared()
    return Declared(
        quality=RAG(report.quality),
        cost=RAG(report.cost),
        schedule=RAG(report.schedule),
        risk=RAG(report.risk),
        overall=RAG(report.overall),
    )


def project_qcdr(
    *, project: Project, as_of: date, report: StatusReport | None = None, percent_complete=None
) -> QCDR:
    """Declared (from `report`, else the latest submitted one) and indicated QCDR of one project."""
    if report is None:
        report = latest_submitted_report(project=project, as_of=as_of)
    overrides = {project.pk: percent_complete} if percent_complete is not None else None
    facts = facts_for_projects(projects=[project], as_of=as_of, percent_complete=overrides)[project.pk]
    return qcdr.compute_qcdr(facts, declared_from(report), as_of, thresholds_for(project))


def latest_submitted_report(*, project: Project, as_of: date | None = None) -> StatusReport | None:
    reports = StatusReport.objects.filter(
        project=project, state=StatusReport.State.SUBMITTED, is_current=True
    )
    if as_of is not None:
        reports = reports.filter(period_start__lte=as_of)
    return reports.order_by("-period_start").first()


def status_report_list(*, user) -> QuerySet[StatusReport]:
    return StatusReport.objects.visible_to(user).select_related("project", "submitted_by")


# --- The weekly loop ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCard:
    """What one of the PM's projects needs this week."""

    project: Project
    latest: StatusReport | None
    this_week: StatusReport | None
    milestones_due: tuple[Milestone, ...]
    stale: bool

    @property
    def is_up_to_date(self) -> bool:
        return self.this_week is not None and self.this_week.is_frozen

    @property
    def can_confirm_no_change(self) -> bool:
        return self.latest is not None and not self.is_up_to_date


def my_week(*, user, today: date, horizon_days: int = 14) -> list[WeekCard]:
    """The PM's open projects with this week's report, milestones due soon and staleness (3 queries)."""
    projects = list(my_projects(user=user))
    return week_cards(projects=projects, today=today, horizon_days=horizon_days)


def week_cards(*, projects: list[Project], today: date, horizon_days: int = 14) -> list[WeekCard]:
    monday = week_start(today)
    ids = [p.pk for p in projects]
    this_week = {
        r.project_id: r
        for r in StatusReport.objects.filter(project_id__in=ids, period_start=monday, is_current=True)
    }
    due: dict[int, list[Milestone]] = defaultdict(list)
    horizon = today + timedelta(days=horizon_days)
    for milestone in (
        Milestone.objects.filter(
            project_id__in=ids, status=Milestone.Status.PLANNED, actual_date__isnull=True
        )
        .filter(Q(forecast_date__lte=horizon) | Q(forecast_date__isnull=True, baseline_date__lte=horizon))
        .order_by(Coalesce("forecast_date", "baseline_date"), "name")
    ):
        due[milestone.project_id].append(milestone)
    cards = []
    for project in projects:
        latest = project.latest_report
        submitted = latest.submitted_at.date() if latest and latest.submitted_at else None
        stale = submitted is None or (today - submitted).days > project.portfolio.stale_after_days
        cards.append(
            WeekCard(
                project=project,
                latest=latest,
                this_week=this_week.get(project.pk),
                milestones_due=tuple(due[project.pk]),
                stale=stale,
            )
        )
    return cards


def week_card(*, user, pk, today: date) -> WeekCard:
    project = project_get(user=user, pk=pk)
    return week_cards(projects=[project], today=today)[0]


def report_for_week(*, project: Project, period_start: date) -> StatusReport | None:
    """The current report (draft or submitted) of one week, if any."""
    return StatusReport.objects.filter(project=project, period_start=period_start, is_current=True).first()


def weekly_registers(*, project: Project, month: date) -> dict:
    """What the two-minute update edits inline: open milestones, this month's costs, open risks."""
    return {
        "milestones": list(
            project.milestones.exclude(status=Milestone.Status.CANCELLED).order_by(
                Coalesce("forecast_date", "baseline_date"), "name"
            )
        ),
        "cost_lines": {line.category: line for line in project.cost_lines.filter(month=month)},
        "risks": list(
            project.risks.filter(status=Risk.Status.OPEN).select_related("owner").order_by("-score", "title")
        ),
    }
