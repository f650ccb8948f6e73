"""Permission-scoped reads of projects, in a constant number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from pmo.core.periods import week_start
from pmo.core.permissions import get_visible_or_404
from projects import charts, qcdr
from projects.models import (
    CostBaseline,
    CostLine,
    Deliverable,
    DeliverableReview,
    Dependency,
    Issue,
    Milestone,
    MilestoneForecast,
    Project,
    ProjectMember,
    Risk,
    StatusReport,
)
from projects.models.registers import CostCategory
from projects.models.stage_tolerance import ProjectStageTolerance
from projects.procurement import open_commitments
from projects.thresholds import resolve_thresholds
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


# What a list of projects shows of the latest report: its week and RAG per axis (not its texts, and
# not the QCDR snapshot, a JSON document of ~1 kB that would be parsed row by row).
LATEST_STATUS_FIELDS = (
    *("id", "period_start", "submitted_at"),
    *("overall", "quality", "cost", "schedule", "risk"),
)


def project_rows(*, user) -> QuerySet[Project]:
    """Visible projects for lists that show ids and the latest RAG (the API): the project's own
    columns and its latest report's RAG columns in one query per page, without the joined people
    and portfolio; `latest_watermelon` is read from the stored snapshot by PostgreSQL."""
    return (
        Project.objects.visible_to(user)
        .select_related("latest_report")
        .only(
            *(field.name for field in Project._meta.concrete_fields),
            *(f"latest_report__{name}" for name in LATEST_STATUS_FIELDS),
        )
        .annotate(
            latest_watermelon=Cast(KeyTextTransform("watermelon", "latest_report__indicated"), BooleanField())
        )
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


_UNSET = object()


def stage_tolerances_for(projects) -> dict[int, ProjectStageTolerance]:
    """Per project id, the tolerances of its current stage (one query whatever the number)."""
    staged = [(p.pk, p.current_stage_id) for p in projects if p.current_stage_id]
    if not staged:
        return {}
    rows = ProjectStageTolerance.objects.filter(
        project_id__in=[pk for pk, _stage in staged], stage_id__in={stage for _pk, stage in staged}
    )
    wanted = set(staged)
    return {row.project_id: row for row in rows if (row.project_id, row.stage_id) in wanted}


def thresholds_for(project: Project, stage_tolerance=_UNSET) -> Thresholds:
    """The tolerances in force: the current stage's override, then the project's, then the portfolio's
    (projects.thresholds.resolve_thresholds). Pass `stage_tolerance` (read in bulk with
    stage_tolerances_for, None when there is none) to avoid the query."""
    if stage_tolerance is _UNSET:
        cached = getattr(project, "_stage_tolerance_cache", _UNSET)
        if cached is not _UNSET and cached[0] == project.current_stage_id:
            stage_tolerance = cached[1]
        else:
            stage_tolerance = stage_tolerances_for([project]).get(project.pk)
            project._stage_tolerance_cache = (project.current_stage_id, stage_tolerance)
    return resolve_thresholds(project.portfolio, project, stage_tolerance)


def _latest_submitted_rows(*, ids: list[int], as_of: date) -> dict[int, dict]:
    """Per project id, the latest submitted report at `as_of` (its percent complete and submission)."""
    return {
        row["project_id"]: row
        for row in StatusReport.objects.filter(
            project_id__in=ids, state=StatusReport.State.SUBMITTED, is_current=True, period_start__lte=as_of
        )
        .order_by("project_id", "-period_start")
        .distinct("project_id")
        .values("project_id", "period_start", "percent_complete", "submitted_at")
    }


def facts_for_projects(
    *,
    projects: list[Project],
    as_of: date,
    percent_complete: dict[int, Decimal | None] | None = None,
    latest_reports: dict[int, StatusReport | None] | None = None,
) -> dict[int, ProjectFacts]:
    """ProjectFacts per project id, in six queries whatever the number of projects (five when the
    latest reports are given).

    `percent_complete` overrides the latest submitted report's value (the live preview of a draft).
    `latest_reports` (project id → latest submitted report at `as_of`, already read by the caller)
    saves the query that finds them.
    """
    ids = [p.pk for p in projects]
    # Value rows of the columns the facts need, not model instances (every column of every row).
    milestones: dict[int, list[MilestoneFact]] = defaultdict(list)
    cancelled = Milestone.Status.CANCELLED
    for project_id, name, baseline, forecast, actual, is_key, weight, status in (
        Milestone.objects.filter(project_id__in=ids)
        .order_by("pk")
        .values_list(
            "project_id",
            "name",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "is_key",
            "weight",
            "status",
        )
    ):
        milestones[project_id].append(
            MilestoneFact(
                name=name,
                baseline=baseline,
                forecast=forecast,
                actual=actual,
                is_key=is_key,
                weight=weight,
                cancelled=status == cancelled,
            )
        )
    costs: dict[int, list[CostFact]] = defaultdict(list)
    for project_id, month, planned, actual, forecast in (
        CostLine.objects.filter(project_id__in=ids)
        .order_by("month", "category")
        .values_list("project_id", "month", "planned", "actual", "forecast")
    ):
        costs[project_id].append(CostFact(month=month, planned=planned, actual=actual, forecast=forecast))
    risks: dict[int, list[RiskFact]] = defaultdict(list)
    for project_id, title, probability, impact, status, is_opportunity in (
        Risk.objects.filter(project_id__in=ids)
        .order_by("pk")
        .values_list("project_id", "title", "probability", "impact", "status", "is_opportunity")
    ):
        risks[project_id].append(
            RiskFact(
                title=title,
                probability=probability,
                impact=impact,
                is_open=status == Risk.Status.OPEN,
                is_opportunity=is_opportunity,
            )
        )
    deliverables: dict[int, list[DeliverableFact]] = defaultdict(list)
    for project_id, name, due, state, created in (
        Deliverable.objects.filter(project_id__in=ids)
        .order_by("pk")
        .values_list("project_id", "name", "due_date", "state", "created_at")
    ):
        deliverables[project_id].append(
            DeliverableFact(name=name, due=due, state=state, created=timezone.localdate(created))
        )
    latest = (
        {
            pk: {"percent_complete": r.percent_complete, "submitted_at": r.submitted_at}
            for pk, r in latest_reports.items()
            if r is not None
        }
        if latest_reports is not None
        else _latest_submitted_rows(ids=ids, as_of=as_of)
    )
    commitments = open_commitments(project_ids=ids)
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
            open_commitments=commitments[project.pk],
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
    known = None
    if report is None:
        report = latest_submitted_report(project=project, as_of=as_of)
        known = {project.pk: report}  # the report the facts would look up again
    overrides = {project.pk: percent_complete} if percent_complete is not None else None
    facts = facts_for_projects(
        projects=[project], as_of=as_of, percent_complete=overrides, latest_reports=known
    )[project.pk]
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


# --- The project page's register tabs: one read per tab, constant queries, no per-row query -------


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone with its slip in French working days against the baseline (None without baseline)."""

    milestone: Milestone
    slip_days: int | None
    slip_rag: str  # the slip against the time tolerance, as the schedule axis colours it
    overdue: bool  # the forecast (or the baseline) has passed and the milestone is not achieved


@dataclass(frozen=True)
class MilestoneTab:
    rows: tuple[MilestoneRow, ...]
    trend: tuple[charts.TrendSeries, ...]  # key milestones, or every milestone when none is key


def project_milestones(*, project: Project, as_of: date) -> MilestoneTab:
    """The milestones of one project, their slip and their weekly forecasts (MTA), in 2 queries.

    The slip is qcdr.milestone_slip, the number the schedule axis uses (a past, unachieved forecast
    keeps slipping until `as_of`); cancelled milestones have none.
    """
    milestones = list(
        project.milestones.prefetch_related(
            Prefetch("forecasts", queryset=MilestoneForecast.objects.order_by("period_start"))
        )
    )
    tolerance = thresholds_for(project).time_tolerance_days
    rows = []
    for m in milestones:
        live = m.status != Milestone.Status.CANCELLED
        fact = MilestoneFact(
            name=m.name, baseline=m.baseline_date, forecast=m.forecast_date, actual=m.actual_date
        )
        slip = qcdr.milestone_slip(fact, as_of) if live else None
        expected = m.forecast_date or m.baseline_date
        rows.append(
            MilestoneRow(
                milestone=m,
                slip_days=slip,
                slip_rag=qcdr.by_tolerance(slip, tolerance).value if slip is not None else RAG.UNKNOWN.value,
                overdue=live and m.actual_date is None and expected is not None and expected < as_of,
            )
        )
    shown = [m for m in milestones if m.is_key] or milestones
    trend = tuple(
        charts.TrendSeries(
            name=m.name,
            points=tuple((f.period_start, f.forecast_date) for f in m.forecasts.all()),
            baseline=m.baseline_date,
            actual=m.actual_date,
        )
        for m in shown
        if m.status != Milestone.Status.CANCELLED
    )
    return MilestoneTab(rows=tuple(rows), trend=trend)


@dataclass(frozen=True)
class CostRow:
    """One month of the cost plan: CAPEX, OPEX and their total (planned, actual, forecast)."""

    month: date
    capex: CostFact
    opex: CostFact
    total: CostFact

    @property
    def cells(self) -> tuple[CostFact, CostFact, CostFact]:
        return (self.capex, self.opex, self.total)


@dataclass(frozen=True)
class CostTab:
    rows: tuple[CostRow, ...]
    totals: CostRow | None
    baselines: tuple[CostBaseline, ...]
    months: tuple[charts.MonthCost, ...]
    earned: tuple[tuple[date, Decimal], ...]  # EV stored on each weekly report, then today's


def _cost_sum(*facts: CostFact, month: date) -> CostFact:
    return CostFact(
        month=month,
        planned=sum((f.planned for f in facts), Decimal("0")),
        actual=sum((f.actual for f in facts), Decimal("0")),
        forecast=sum((f.forecast for f in facts), Decimal("0")),
    )


def project_costs(*, project: Project, as_of: date, current_ev: Decimal | None) -> CostTab:
    """Monthly cost lines by category with totals, the frozen baselines and the earned value history
    (the EV stored on each submitted report, at its week), in 3 queries. `current_ev` is today's EV."""
    by_month: dict[date, dict[str, CostFact]] = defaultdict(dict)
    for line in project.cost_lines.order_by("month", "category"):
        by_month[line.month][line.category] = CostFact(
            month=line.month, planned=line.planned, actual=line.actual, forecast=line.forecast
        )
    rows = []
    for month, categories in sorted(by_month.items()):
        capex = categories.get(CostCategory.CAPEX, CostFact(month=month))
        opex = categories.get(CostCategory.OPEX, CostFact(month=month))
        rows.append(CostRow(month=month, capex=capex, opex=opex, total=_cost_sum(capex, opex, month=month)))
    totals = None
    if rows:
        first = rows[0].month
        totals = CostRow(
            month=first,
            capex=_cost_sum(*(r.capex for r in rows), month=first),
            opex=_cost_sum(*(r.opex for r in rows), month=first),
            total=_cost_sum(*(r.total for r in rows), month=first),
        )
    baselines = tuple(project.cost_baselines.select_related("created_by").order_by("-number"))
    earned: dict[date, Decimal] = {}
    for week, indicated in (
        project.status_reports.filter(
            state=StatusReport.State.SUBMITTED, is_current=True, period_start__lte=as_of
        )
        .exclude(indicated__isnull=True)
        .order_by("period_start")
        .values_list("period_start", "indicated")
    ):
        value = ((indicated or {}).get("evm") or {}).get("ev")
        if value is not None:
            earned[week] = Decimal(value)
    if current_ev is not None:
        earned[as_of] = current_ev
    return CostTab(
        rows=tuple(rows),
        totals=totals,
        baselines=baselines,
        months=tuple(
            charts.MonthCost(
                month=r.month, planned=r.total.planned, actual=r.total.actual, forecast=r.total.forecast
            )
            for r in rows
        ),
        earned=tuple(sorted(earned.items())),
    )


@dataclass(frozen=True)
class RiskRow:
    risk: Risk
    zone: str  # green / amber / red: the P×I score against the project's risk thresholds


@dataclass(frozen=True)
class RiskTab:
    threats: tuple[RiskRow, ...]
    opportunities: tuple[RiskRow, ...]
    heat: dict[tuple[int, int], int]  # (probability, impact) → number of open threats
    thresholds: Thresholds


def project_risks(*, project: Project) -> RiskTab:
    """The risk register of one project: threats and opportunities apart, open first then by score,
    and the count of open threats per probability × impact cell, in 1 query."""
    risks = list(
        project.risks.select_related("owner").order_by(
            Case(When(status=Risk.Status.OPEN, then=0), default=1), "-score", "title"
        )
    )
    limits = thresholds_for(project)
    heat: dict[tuple[int, int], int] = defaultdict(int)
    for risk in risks:
        if not risk.is_opportunity and risk.status == Risk.Status.OPEN:
            heat[(risk.probability, risk.impact)] += 1
    rows = [
        RiskRow(
            risk=r,
            zone=charts.risk_zone(r.score, amber=limits.risk_amber_score, red=limits.risk_red_score),
        )
        for r in risks
    ]
    return RiskTab(
        threats=tuple(row for row in rows if not row.risk.is_opportunity),
        opportunities=tuple(row for row in rows if row.risk.is_opportunity),
        heat=dict(heat),
        thresholds=limits,
    )


ISSUE_SEVERITY_ORDER = Case(
    When(severity=Issue.Severity.CRITICAL, then=0),
    When(severity=Issue.Severity.HIGH, then=1),
    When(severity=Issue.Severity.MEDIUM, then=2),
    default=3,
)


def project_issues(*, project: Project) -> list[Issue]:
    """The issues of one project: open first, then the most severe, then the earliest due (1 query)."""
    return list(
        project.issues.select_related("owner").order_by(
            Case(When(status=Issue.Status.OPEN, then=0), default=1),
            ISSUE_SEVERITY_ORDER,
            F("due_date").asc(nulls_last=True),
            "title",
        )
    )


def project_deliverables(*, project: Project) -> list[Deliverable]:
    """The deliverables of one project with owner and every review step, oldest first (2 queries)."""
    return list(
        project.deliverables.select_related("owner").prefetch_related(
            Prefetch(
                "reviews",
                queryset=DeliverableReview.objects.select_related("reviewer").order_by("created_at", "pk"),
            )
        )
    )


@dataclass(frozen=True)
class DependencyRow:
    """One dependency as one user may see it. `other` is the project at the other end, None when that
    project is not visible to the user: then neither its name nor its milestone's is given."""

    pk: int
    title: str
    description: str
    needed_by: date | None
    status: str
    status_label: str
    other: Project | None
    milestone_name: str
    milestone_date: date | None  # forecast (else baseline) of the milestone depended on
    hidden: bool


@dataclass(frozen=True)
class DependencyTab:
    upstream: tuple[DependencyRow, ...]  # what this project depends on
    downstream: tuple[DependencyRow, ...]  # visible projects that depend on this one


def _dependency_row(dep: Dependency, *, other: Project | None, milestone: Milestone | None) -> DependencyRow:
    shown = other is not None
    return DependencyRow(
        pk=dep.pk,
        title=dep.title,
        description=dep.description,
        needed_by=dep.needed_by,
        status=dep.status,
        status_label=dep.get_status_display(),
        other=other,
        milestone_name=milestone.name if milestone and shown else "",
        milestone_date=(milestone.forecast_date or milestone.baseline_date) if milestone and shown else None,
        hidden=not shown,
    )


def project_dependencies(*, user, project: Project) -> DependencyTab:
    """This project's dependencies (the other project masked when `user` may not see it) and the
    visible projects depending on it, in 2 queries. Dependents the user cannot see are left out."""
    upstream = []
    for dep in project.dependencies.select_related(
        "depends_on_project__latest_report", "depends_on_milestone__project__latest_report"
    ).annotate(
        other_visible=Exists(
            Project.objects.visible_to(user).filter(
                pk=Coalesce(OuterRef("depends_on_project_id"), OuterRef("depends_on_milestone__project_id"))
            )
        )
    ):
        milestone = dep.depends_on_milestone
        other = dep.depends_on_project or (milestone.project if milestone else None)
        upstream.append(_dependency_row(dep, other=other if dep.other_visible else None, milestone=milestone))
    downstream = [
        _dependency_row(dep, other=dep.project, milestone=dep.depends_on_milestone)
        for dep in Dependency.objects.filter(
            Q(depends_on_project=project) | Q(depends_on_milestone__project=project),
            project__in=Project.objects.visible_to(user).values("pk"),
        )
        .exclude(project=project)
        .select_related("project__latest_report", "depends_on_milestone")
        .order_by(F("needed_by").asc(nulls_last=True), "project__code", "pk")
    ]
    return DependencyTab(upstream=tuple(upstream), downstream=tuple(downstream))


@dataclass(frozen=True)
class StatusHistory:
    reports: tuple[StatusReport, ...]  # newest first
    weeks: tuple[charts.WeekRag, ...]  # oldest first, for the chart


def project_status_history(*, project: Project) -> StatusHistory:
    """Every submitted week of one project (current revisions only), declared RAG and the indicated
    overall RAG stored at submission, in 1 query. Drafts are not history yet."""
    reports = tuple(
        project.status_reports.filter(state=StatusReport.State.SUBMITTED, is_current=True)
        .select_related("submitted_by")
        .order_by("-period_start")
    )
    weeks = tuple(
        charts.WeekRag(
            week=r.period_start,
            declared=r.overall,
            indicated=((r.indicated or {}).get("indicated") or {}).get("overall", RAG.UNKNOWN.value),
        )
        for r in reversed(reports)
    )
    return StatusHistory(reports=reports, weeks=weeks)
