"""build_dashboard: the KPIs, the QCDR matrix rows and the chart inputs of a set of projects."""

import calendar
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import ExceptionReport, GateReview, ProjectException
from pmo.core.formatting import person_name
from pmo.core.periods import week_start
from projects import qcdr
from projects.models import Project
from projects.types import RAG, Thresholds
from reporting.dashboard.reads import (
    count_per_project,
    earned_by_month,
    evm_from_snapshot,
    monthly_costs,
    nth_report,
    open_threats,
    reports_by_id,
    slipping_milestones,
)
from reporting.dashboard.types import (
    AXES_AND_OVERALL,
    DELIVERY_STATES,
    EV_HISTORY_MONTHS,
    MTA_TOP,
    OPEN_STATES,
    RAGS,
    SEVERITY,
    URL_PLACEHOLDER,
    WORST_FIRST,
    Compliance,
    DashboardData,
    Freshness,
    Kpis,
    PendingDecisions,
    PendingItem,
    ProjectRow,
    ProposedProjects,
    SCurve,
)


def _trend(latest: str | None, previous: str | None) -> str:
    if latest not in SEVERITY or previous not in SEVERITY:
        return ""
    if SEVERITY[latest] < SEVERITY[previous]:
        return "better"
    if SEVERITY[latest] > SEVERITY[previous]:
        return "worse"
    return "same"


def sort_key(row: ProjectRow) -> tuple:
    """Default order of the matrix: worst indicated overall first, then watermelons, stale, code."""
    return (
        WORST_FIRST.get(row.effective_overall, 2),
        not row.watermelon,
        not row.stale,
        row.code,
    )


def pending_decision_sources() -> dict[str, tuple[str, QuerySet]]:
    """What awaits a decision, per kind: a label and a queryset of the waiting items (each with a
    `project` foreign key). Counted per project as annotations of the one project query, so a new
    kind costs no query. The governance issue adds its gate reviews and change requests here."""
    return {
        "exception_reports": (
            _("Exception reports awaiting a decision"),
            ProjectException.objects.exclude(state=ProjectException.State.CLOSED).filter(
                report__state=ExceptionReport.State.SENT
            ),
        ),
        "gate_reviews": (_("Gate reviews awaiting a decision"), GateReview.objects.pending()),
    }


def pending_decisions(*, rows: Sequence[ProjectRow]) -> PendingDecisions:
    """Decisions waiting for the scope's executives: the items of `pending_decision_sources` and the
    proposed projects awaiting approval."""
    items = [
        PendingItem(kind, label, sum(r.pending.get(kind, 0) for r in rows))
        for kind, (label, _items) in pending_decision_sources().items()
    ]
    items.append(
        PendingItem(
            "proposed_projects",
            _("Proposed projects awaiting approval"),
            sum(1 for r in rows if r.state == Project.State.PROPOSED),
        )
    )
    return PendingDecisions(items=tuple(items))


def _monthly_earned(
    by_month: dict[date, dict[int, Decimal]],
    latest: dict[int, Decimal],
    as_of: date,
    starts: dict[int, date | None],
) -> tuple[tuple[date, Decimal], ...]:
    """Summed earned value per month: every project's EV at its report of the month's last week,
    carried forward through months without one, then today's point from each project's latest
    report (`latest`, the figure of the KPI tiles).

    A project's EV before its first report is unknown, not zero: a month is drawn only when every
    project with an EV today had one by then, or had not started yet (`starts`: start dates).
    """
    current: dict[int, Decimal] = {}
    points = []
    this_month = as_of.replace(day=1)
    for month in sorted(m for m in by_month if m < this_month):
        current.update(by_month[month])
        end = month_end(month)
        missing = [pk for pk in latest if pk not in current and (starts.get(pk) is None or starts[pk] <= end)]
        if not missing:
            points.append((end, sum(current.values(), Decimal("0"))))
    if latest:
        points.append((as_of, sum(latest.values(), Decimal("0"))))
    return tuple(points)


def month_end(month: date) -> date:
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def _thresholds(project: dict | None) -> Thresholds:
    """The tolerances of the first project's portfolio (the risk zones of the heat map)."""
    if project is None:
        return Thresholds()
    return Thresholds(
        cost_tolerance_pct=Decimal(project["portfolio__cost_tolerance_pct"]),
        time_tolerance_days=project["portfolio__time_tolerance_days"],
        risk_red_score=project["portfolio__risk_red_score"],
        risk_amber_score=project["portfolio__risk_amber_score"],
        stale_after_days=project["portfolio__stale_after_days"],
    )


def index_rag(value: Decimal | None, thresholds: Thresholds) -> str:
    """A performance index (CPI, SPI) coloured as the schedule axis colours SPI; unknown without one."""
    if value is None:
        return RAG.UNKNOWN.value
    if value < thresholds.spi_red_below:
        return RAG.RED.value
    if value < thresholds.spi_amber_below:
        return RAG.AMBER.value
    return RAG.GREEN.value


def _count(values: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(RAGS, 0)
    for value in values:
        counts[value if value in counts else RAG.UNKNOWN.value] += 1
    return counts


# --- The dashboard ------------------------------------------------------------------------------


def build_dashboard(
    *, projects: QuerySet, as_of: date, mta_top: int = MTA_TOP, ev_history_months: int = EV_HISTORY_MONTHS
) -> DashboardData:
    """KPIs, QCDR matrix rows and chart inputs of the given projects at `as_of`, in 6 queries.

    `projects` is already scoped to what the reader may see and filtered (portfolio, programme, state,
    stage, manager); archived projects are left out here. Includes every state given: pass
    `delivery_projects(queryset)` for the active and on-hold ones (the dashboard's default) or
    `open_projects(queryset)` to add the proposed ones (the COPIL pack). `mta_top`: key
    milestones in the trend analysis; `ev_history_months`: month-ends of earned value on the S-curve.
    """
    sources = pending_decision_sources()
    # Plain values, not model instances: 2,000 projects must not cost 2,000 × 4 objects.
    projects_list = list(
        projects.filter(archived_at__isnull=True)
        .annotate(
            latest_report_as_of=nth_report(as_of, 0),
            # the report before: only its indicated overall (the trend arrow)
            previous_overall=nth_report(
                as_of, 1, KeyTextTransform("overall", KeyTransform("indicated", "indicated"))
            ),
            open_exceptions=count_per_project(
                ProjectException.objects.exclude(state=ProjectException.State.CLOSED)
            ),
            **{f"pending_{kind}": count_per_project(items) for kind, (_label, items) in sources.items()},
        )
        .order_by("code", "pk")
        .values(
            "pk",
            "code",
            "name",
            "portfolio_id",
            "programme_id",
            "programme__name",
            "manager_id",
            "manager__first_name",
            "manager__last_name",
            "manager__username",
            "stage",
            "state",
            "budget",
            "strategic_score",
            "start_date",
            "portfolio__currency",
            "portfolio__stale_after_days",
            "portfolio__cost_tolerance_pct",
            "portfolio__time_tolerance_days",
            "portfolio__risk_red_score",
            "portfolio__risk_amber_score",
            "latest_report_as_of",
            "previous_overall",
            "open_exceptions",
            *(f"pending_{kind}" for kind in sources),
        )
    )
    ids = [p["pk"] for p in projects_list]
    reports = reports_by_id([p["latest_report_as_of"] for p in projects_list if p["latest_report_as_of"]])
    threats = open_threats(ids)
    monday = week_start(as_of)
    url_pattern = reverse("projects:project-detail", args=[URL_PLACEHOLDER])
    state_labels = {value: str(label) for value, label in Project.State.choices}

    rows = []
    for project in projects_list:
        pk = project["pk"]
        latest = reports.get(project["latest_report_as_of"])
        indicated = dict.fromkeys(AXES_AND_OVERALL, RAG.UNKNOWN.value)
        declared = dict.fromkeys(AXES_AND_OVERALL, RAG.UNKNOWN.value)
        watermelon: tuple[str, ...] = ()
        evm = None
        submitted = None
        if latest is not None:
            declared = {axis: latest[axis] or RAG.UNKNOWN.value for axis in AXES_AND_OVERALL}
            indicated.update(latest["snapshot_indicated"] or {})
            watermelon = tuple(latest["snapshot_watermelon"] or ())
            evm = evm_from_snapshot(latest["snapshot_evm"])
            submitted = timezone.localdate(latest["submitted_at"]) if latest["submitted_at"] else None
        previous_overall = project["previous_overall"]
        days = (as_of - submitted).days if submitted else None
        stale = days is None or days > project["portfolio__stale_after_days"]
        threat_count, top_risk_score, risk_exposure = threats.per_project.get(pk, (0, None, 0))
        rows.append(
            ProjectRow(
                pk=pk,
                code=project["code"],
                name=project["name"],
                url=url_pattern.replace(str(URL_PLACEHOLDER), str(pk)),
                portfolio_id=project["portfolio_id"],
                programme_id=project["programme_id"],
                programme_name=project["programme__name"] or "",
                manager_id=project["manager_id"],
                manager_name=person_name(
                    project["manager__first_name"],
                    project["manager__last_name"],
                    project["manager__username"],
                ),
                stage=project["stage"],
                state=project["state"],
                state_label=state_labels.get(project["state"], project["state"]),
                budget=project["budget"],
                strategic_score=project["strategic_score"],
                declared=declared,
                indicated=indicated,
                watermelon_axes=watermelon,
                previous_overall=previous_overall,
                trend=_trend(indicated["overall"], previous_overall),
                last_period=latest["period_start"] if latest else None,
                last_submitted=submitted,
                days_since_update=days,
                stale=stale,
                submitted_this_week=latest is not None and latest["period_start"] == monday,
                evm=evm,
                open_exceptions=project["open_exceptions"],
                pending={kind: project[f"pending_{kind}"] for kind in sources},
                top_risk_score=top_risk_score,
                risk_exposure=risk_exposure,
                open_threats=threat_count,
            )
        )
    rows.sort(key=sort_key)

    months = monthly_costs(ids)
    rollup = qcdr.rollup_evm(r.evm for r in rows if r.evm is not None)
    bac = sum((r.budget for r in rows), Decimal("0"))
    eac_missing = sum(1 for r in rows if r.evm is None or r.evm.eac is None)
    eac = sum(
        (r.evm.eac if r.evm is not None and r.evm.eac is not None else r.budget for r in rows), Decimal("0")
    )
    active = [r for r in rows if r.is_active]
    updated = [r.last_submitted for r in rows if r.last_submitted is not None]
    stages: dict[str, dict[str, int]] = {}
    for row in rows:
        stages.setdefault(row.stage, dict.fromkeys(RAGS, 0))[row.effective_overall] += 1

    thresholds = _thresholds(projects_list[0] if projects_list else None)
    kpis = Kpis(
        project_count=len(rows),
        indicated=_count(r.effective_overall for r in rows),
        declared=_count(r.declared["overall"] for r in rows),
        watermelons=sum(1 for r in rows if r.watermelon),
        bac=bac,
        eac=eac,
        eac_missing=eac_missing,
        actual_to_date=sum((m.actual for m in months if m.month <= as_of), Decimal("0")),
        evm=rollup,
        open_exceptions=sum(r.open_exceptions for r in rows),
        pending=pending_decisions(rows=rows),
        compliance=Compliance(
            week=monday,
            active=len(active),
            submitted=sum(1 for r in active if r.submitted_this_week),
            missing=tuple(r.pk for r in active if not r.submitted_this_week),
        ),
        freshness=Freshness(
            stale=sum(1 for r in rows if r.stale),
            never_updated=sum(1 for r in rows if r.last_submitted is None),
            oldest_update=min(updated) if updated else None,
        ),
        cpi_rag=index_rag(rollup.cpi, thresholds),
        spi_rag=index_rag(rollup.spi, thresholds),
    )
    first = projects_list[0] if projects_list else None
    return DashboardData(
        as_of=as_of,
        currency=first["portfolio__currency"] if first else "EUR",
        thresholds=thresholds,
        rows=tuple(rows),
        kpis=kpis,
        s_curve=SCurve(
            months=months,
            earned=_monthly_earned(
                earned_by_month(ids, months, as_of, ev_history_months),
                {r.pk: r.evm.ev for r in rows if r.evm is not None and r.evm.ev is not None},
                as_of,
                {p["pk"]: p["start_date"] for p in projects_list},
            ),
            bac=bac,
            eac=eac if rows else None,
        ),
        risk_heat=threats.heat,
        milestones=slipping_milestones(ids, mta_top),
        stages=stages,
    )


def open_projects(projects: QuerySet) -> QuerySet:
    """Proposed, active and on-hold projects: the COPIL pack's scope (closed and cancelled left out)."""
    return projects.filter(state__in=OPEN_STATES)


def delivery_projects(projects: QuerySet) -> QuerySet:
    """Active and on-hold projects: the running portfolio, the dashboard's default (proposed projects,
    requests not yet approved, left out with the closed and cancelled ones)."""
    return projects.filter(state__in=DELIVERY_STATES)


def proposed_projects(projects: QuerySet) -> ProposedProjects:
    """How many of the given (scoped) projects are proposed and not archived, and their budget: the
    requests the dashboard's default leaves out (1 query)."""
    figures = projects.filter(state=Project.State.PROPOSED, archived_at__isnull=True).aggregate(
        count=Count("pk"), budget=Sum("budget", default=Decimal("0"))
    )
    return ProposedProjects(**figures)
