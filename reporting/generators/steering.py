"""The steering committee pack (dossier de COPIL): an A4 landscape PDF for a portfolio or a programme.

Cover, table of contents, agenda, summary KPIs, QCDR matrix, the dashboard's charts as SVG, projects
in exception with their exception reports, decisions requested, top 10 risks, milestone slips since
the previous pack, and one page per project that is red or in exception.

Scope (RELIABILITY row 6): the open (proposed, active, on-hold), non-archived projects of the
portfolio or programme; when someone requested the pack, only those they may also see. The numbers
are the dashboard's (reporting.dashboard.build_dashboard): one implementation for the page and the
PDF. Every read is batched, so the number of queries does not grow with the number of projects.
"""

import time
from base64 import b64encode
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from governance.drafting import format_measure
from governance.models import ExceptionReport, ProjectException
from governance.selectors import pending_gate_reviews
from pmo.core.formatting import format_money
from projects import qcdr
from projects.capacity_selectors import capacity_summary
from projects.models import Milestone, MilestoneForecast, Project, Risk, StatusReport
from projects.selectors import thresholds_for
from projects.types import AXES, RAG, MilestoneFact
from reporting import chart_images
from reporting.chart_images import ChartRenderer, ChartRenderingError, for_print
from reporting.dashboard import DashboardData, ProjectRow, build_dashboard, open_projects
from reporting.generators import Progress, Rendered, TransientError
from reporting.models import ReportRun

TOP_RISKS = 10
RISKS_PER_PROJECT = 5
MILESTONES_PER_PROJECT = 8
SLIPS_SHOWN = 30  # the largest moves; the rest is counted
RED_ITEMS_MAX = 6  # beyond, the agenda lists the red projects in one item


# --- What the pack shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    title: str
    presenter: str = ""
    minutes: int | None = None
    anchor: str = ""  # the section the item refers to (its page number is printed)


@dataclass(frozen=True)
class ExceptionEntry:
    exception: ProjectException
    report: ExceptionReport | None
    anchor: str

    @property
    def project(self) -> Project:
        return self.exception.project

    @property
    def is_sent(self) -> bool:
        return self.report is not None and self.report.state == ExceptionReport.State.SENT

    @property
    def forecast_text(self) -> str:
        return format_measure(self.exception.forecast_value, self.exception.unit)

    @property
    def limit_text(self) -> str:
        return format_measure(self.exception.limit, self.exception.unit)

    @property
    def options(self) -> list[dict]:
        """The report's options with their impacts as numbers (None when not given or not a number)."""
        options = (self.report.options if self.report else None) or []
        return [
            {
                "title": str(option.get("title", "")),
                "description": str(option.get("description", "")),
                "cost_impact": _number(option.get("cost_impact"), Decimal),
                "schedule_impact_days": _number(option.get("schedule_impact_days"), int),
                "risk": str(option.get("risk", "") or ""),
            }
            for option in options
            if isinstance(option, dict)
        ]


def _number(value, kind):
    if value in (None, ""):
        return None
    try:
        return kind(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


@dataclass(frozen=True)
class Decision:
    """One decision the committee is asked to take."""

    kind: str
    kind_label: str
    project_code: str
    project_name: str
    subject: str
    requested: str
    since: date | None = None
    anchor: str = ""


@dataclass(frozen=True)
class MilestoneSlip:
    """A key milestone whose forecast moved since the reference (previous pack, else the baseline)."""

    milestone: Milestone
    reference: date | None  # forecast at the previous pack, or the baseline
    current: date | None  # actual when achieved, else forecast
    moved_days: int  # French working days, current against the reference (positive = later)
    total_days: int | None  # working days against the baseline
    rag: str  # the total slip against the project's time tolerance


@dataclass(frozen=True)
class ProjectPage:
    project: Project
    row: ProjectRow
    anchor: str
    report: StatusReport | None
    reasons: dict[str, list[dict]]
    milestones: tuple[Milestone, ...]
    risks: tuple[Risk, ...]
    exceptions: tuple[ProjectException, ...]
    row_as_of: date

    @property
    def axes(self) -> list[dict]:
        labels = rag_labels()
        return [
            {
                "axis": axis,
                "declared": rag_cell(self.row.declared.get(axis), labels),
                "indicated": rag_cell(self.row.indicated.get(axis), labels),
                "watermelon": axis in self.row.watermelon_axes,
                "reasons": self.reasons.get(axis, []),
                "comment": getattr(self.report, f"{axis}_comment", "") if self.report else "",
            }
            for axis in AXES
        ]

    @property
    def milestone_rows(self) -> list[dict]:
        """Each milestone with its slip against the baseline in working days, coloured by tolerance."""
        tolerance = thresholds_for(self.project).time_tolerance_days
        rows = []
        for m in self.milestones:
            slip = qcdr.milestone_slip(
                MilestoneFact(
                    name=m.name, baseline=m.baseline_date, forecast=m.forecast_date, actual=m.actual_date
                ),
                self.row_as_of,
            )
            rows.append(
                {
                    "milestone": m,
                    "slip": slip,
                    "rag": qcdr.by_tolerance(slip, tolerance).value
                    if slip is not None
                    else RAG.UNKNOWN.value,
                }
            )
        return rows


@dataclass(frozen=True)
class SteeringPack:
    run: ReportRun
    title: str
    scope_label: str
    meeting_date: date
    as_of: date
    generated_at: datetime
    previous_pack: date | None
    dashboard: DashboardData
    exceptions: tuple[ExceptionEntry, ...]
    decisions: tuple[Decision, ...]
    top_risks: tuple[Risk, ...]
    slips: tuple[MilestoneSlip, ...]
    pages: tuple[ProjectPage, ...]
    agenda: tuple[AgendaItem, ...] = ()
    charts: dict[str, str] = field(default_factory=dict)  # name → data: URI of the SVG

    @property
    def currency(self) -> str:
        return self.dashboard.currency

    @property
    def exceptions_sent(self) -> list[ExceptionEntry]:
        """Exceptions whose report the project manager sent: printed in full, for a decision."""
        return [e for e in self.exceptions if e.is_sent]

    @property
    def exceptions_in_preparation(self) -> list[ExceptionEntry]:
        return [e for e in self.exceptions if not e.is_sent]

    @property
    def slips_shown(self) -> tuple[MilestoneSlip, ...]:
        return self.slips[:SLIPS_SHOWN]

    @property
    def slips_not_shown(self) -> int:
        return max(0, len(self.slips) - SLIPS_SHOWN)

    @property
    def toc_rows(self) -> list[list["ProjectPage"]]:
        """The project pages three to a line, for the table of contents."""
        return [list(self.pages[i : i + 3]) for i in range(0, len(self.pages), 3)]

    @property
    def red_rows(self) -> list[ProjectRow]:
        return [
            r
            for r in self.dashboard.rows
            if RAG.RED.value in (r.effective_overall, r.declared.get("overall"))
        ]


def rag_labels() -> dict[str, str]:
    """Short météo words for tables (Soleil, Nuage, Orage, Inconnu)."""
    return {"green": _("Green"), "amber": _("Amber"), "red": _("Red"), "unknown": _("Unknown")}


def rag_cell(rag: str | None, labels: dict[str, str]) -> dict:
    rag = rag if rag in labels else RAG.UNKNOWN.value
    return {"rag": rag, "label": labels[rag]}


def matrix(rows: tuple[ProjectRow, ...]) -> list[dict]:
    """The QCDR matrix as the template prints it: declared and indicated per axis and overall."""
    labels = rag_labels()
    trend = {"better": "↗", "worse": "↘", "same": "→", "": ""}
    return [
        {
            "row": row,
            "cells": [
                {
                    "axis": axis,
                    "declared": rag_cell(row.declared.get(axis), labels),
                    "indicated": rag_cell(
                        row.effective_overall if axis == "overall" else row.indicated.get(axis), labels
                    ),
                    "watermelon": axis in row.watermelon_axes,
                }
                for axis in (*AXES, "overall")
            ],
            "trend": trend.get(row.trend, ""),
        }
        for row in rows
    ]


# --- Scope ----------------------------------------------------------------------------------------


def pack_projects(run: ReportRun) -> QuerySet[Project]:
    """The projects of the run's portfolio or programme that are open and not archived, intersected
    with what the requester may see (defence in depth: the worker reads as a superuser would)."""
    projects = Project.objects.filter(archived_at__isnull=True)
    if run.programme_id is not None:
        projects = projects.filter(programme_id=run.programme_id)
    else:
        projects = projects.filter(portfolio_id=run.portfolio_id)
    if run.requested_by_id is not None:
        projects = projects.filter(pk__in=Project.objects.visible_to(run.requested_by).values("pk"))
    return open_projects(projects)


def previous_pack(run: ReportRun) -> ReportRun | None:
    """The last pack of the same scope for an earlier meeting that was produced (1 query)."""
    return (
        ReportRun.objects.filter(
            kind=ReportRun.Kind.STEERING,
            portfolio_id=run.portfolio_id,
            programme_id=run.programme_id,
            status=ReportRun.Status.DONE,
            period__lt=run.period,
        )
        .order_by("-period")
        .first()
    )


# --- Reads (each one query, over every project of the scope) --------------------------------------


def _exceptions(ids: list[int]) -> list[ExceptionEntry]:
    found = (
        ProjectException.objects.filter(project_id__in=ids)
        .exclude(state=ProjectException.State.CLOSED)
        .select_related("project__manager", "report__sent_by")
        .order_by("project__code", "raised_at", "pk")
    )
    return [
        ExceptionEntry(exception=e, report=getattr(e, "report", None), anchor=f"exception-{e.pk}")
        for e in found
    ]


def _exception_decisions(exceptions: list[ExceptionEntry], **_context) -> list[Decision]:
    """Exception reports sent and awaiting the committee's decision (the exception is not closed)."""
    return [
        Decision(
            kind="exception_report",
            kind_label=_("Exception report"),
            project_code=entry.project.code,
            project_name=entry.project.name,
            subject=entry.report.title,
            requested=entry.report.decision_requested,
            since=timezone.localdate(entry.report.sent_at) if entry.report.sent_at else None,
            anchor=entry.anchor,
        )
        for entry in exceptions
        if entry.report is not None and entry.report.state == ExceptionReport.State.SENT
    ]


def _proposal_decisions(rows: tuple[ProjectRow, ...], currency: str, **_context) -> list[Decision]:
    """Proposed projects waiting for the go to start."""
    return [
        Decision(
            kind="project_proposal",
            kind_label=_("Project proposal"),
            project_code=row.code,
            project_name=row.name,
            subject=_("Start of the project"),
            requested=_("Go / no-go to start the project with a budget of %(budget)s")
            % {"budget": format_money(row.budget, currency)},
        )
        for row in rows
        if row.state == Project.State.PROPOSED
    ]


# The decisions a committee is asked for, one source per kind: each takes the keyword context
# (ids, rows, exceptions, currency, as_of) and reads at most one query. The governance issue appends
# pending gate reviews and change requests here, as reporting.dashboard.pending_decisions counts them.
def _gate_decisions(ids: list[int], **_context) -> list[Decision]:
    """Gate reviews requested and awaiting the decision of the sponsor or the gate board (1 query)."""
    return [
        Decision(
            kind="gate_review",
            kind_label=_("Gate review"),
            project_code=review.project.code,
            project_name=review.project.name,
            subject=review.gate.name,
            requested=_("Go / no-go at the end of the stage %(stage)s") % {"stage": review.stage.name},
            since=timezone.localdate(review.requested_at),
        )
        for review in pending_gate_reviews(ids)
    ]


DECISION_SOURCES: list[Callable[..., list[Decision]]] = [
    _exception_decisions,
    _gate_decisions,
    _proposal_decisions,
]


def decisions_requested(**context) -> list[Decision]:
    return [decision for source in DECISION_SOURCES for decision in source(**context)]


def _top_risks(ids: list[int]) -> list[Risk]:
    return list(
        Risk.objects.filter(project_id__in=ids, status=Risk.Status.OPEN, is_opportunity=False)
        .select_related("project", "owner")
        .order_by("-score", F("proximity_date").asc(nulls_last=True), "project__code", "pk")[:TOP_RISKS]
    )


def _milestone_slips(projects: dict[int, Project], since: date | None, as_of: date) -> list[MilestoneSlip]:
    """Key milestones whose date moved since the previous pack (the forecast recorded in the last
    weekly report before it), else since their baseline; in French working days, largest first.
    Milestones achieved before the reference date are history and left out (2 queries)."""
    milestones = Milestone.objects.filter(project_id__in=list(projects), is_key=True).exclude(
        status=Milestone.Status.CANCELLED
    )
    if since is None:
        milestones = milestones.filter(actual_date__isnull=True)
    else:
        milestones = milestones.exclude(actual_date__lt=since)
    milestones = list(milestones.order_by("project_id", "pk"))
    then: dict[int, date] = {}
    if since is not None:
        then = dict(
            MilestoneForecast.objects.filter(
                milestone__in=[m.pk for m in milestones], period_start__lte=since
            )
            .order_by("milestone_id", "-period_start")
            .distinct("milestone_id")
            .values_list("milestone_id", "forecast_date")
        )
    slips = []
    for milestone in milestones:
        milestone.project = projects[milestone.project_id]
        reference = then.get(milestone.pk, milestone.baseline_date)
        current = milestone.actual_date or milestone.forecast_date or milestone.baseline_date
        if reference is None or current is None or reference == current:
            continue
        total = qcdr.milestone_slip(
            MilestoneFact(
                name=milestone.name,
                baseline=milestone.baseline_date,
                forecast=milestone.forecast_date,
                actual=milestone.actual_date,
            ),
            as_of,
        )
        tolerance = thresholds_for(milestone.project).time_tolerance_days
        slips.append(
            MilestoneSlip(
                milestone=milestone,
                reference=reference,
                current=current,
                moved_days=qcdr.working_days_between(reference, current),
                total_days=total,
                rag=qcdr.by_tolerance(total, tolerance).value if total is not None else RAG.UNKNOWN.value,
            )
        )
    slips.sort(key=lambda s: (-s.moved_days, s.milestone.project.code, s.milestone.name))
    return slips


def _project_pages(
    rows: tuple[ProjectRow, ...], projects: dict[int, Project], exceptions: list[ExceptionEntry], as_of: date
) -> list[ProjectPage]:
    """One page per project that is red (indicated, declared or stale-adjusted) or in exception, in
    the matrix's order (worst first); their latest report, milestones and risks in 3 queries."""
    in_exception: dict[int, list[ProjectException]] = defaultdict(list)
    for entry in exceptions:
        in_exception[entry.exception.project_id].append(entry.exception)
    chosen = [
        row
        for row in rows
        if RAG.RED.value in (row.indicated.get("overall"), row.declared.get("overall"), row.effective_overall)
        or row.pk in in_exception
    ]
    ids = [row.pk for row in chosen]
    reports = {
        r.project_id: r
        for r in StatusReport.objects.filter(
            project_id__in=ids, state=StatusReport.State.SUBMITTED, is_current=True, period_start__lte=as_of
        )
        .order_by("project_id", "-period_start")
        .distinct("project_id")
    }
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in (
        Milestone.objects.filter(project_id__in=ids)
        .exclude(status=Milestone.Status.CANCELLED)
        .order_by("project_id", "-is_key", F("forecast_date").asc(nulls_last=True), "pk")
    ):
        if len(milestones[m.project_id]) < MILESTONES_PER_PROJECT:
            milestones[m.project_id].append(m)
    risks: dict[int, list[Risk]] = defaultdict(list)
    for risk in (
        Risk.objects.filter(project_id__in=ids, status=Risk.Status.OPEN, is_opportunity=False)
        .select_related("owner")
        .order_by("project_id", "-score", "pk")
    ):
        if len(risks[risk.project_id]) < RISKS_PER_PROJECT:
            risks[risk.project_id].append(risk)
    pages = []
    for row in chosen:
        report = reports.get(row.pk)
        snapshot = (report.indicated or {}) if report else {}
        project_milestones = sorted(
            milestones[row.pk], key=lambda m: (m.forecast_date or m.baseline_date or date.max, m.name)
        )
        pages.append(
            ProjectPage(
                project=projects[row.pk],
                row=row,
                anchor=f"project-{row.pk}",
                report=report,
                reasons=snapshot.get("reasons") or {},
                milestones=tuple(project_milestones),
                risks=tuple(risks[row.pk]),
                exceptions=tuple(in_exception.get(row.pk, ())),
                row_as_of=as_of,
            )
        )
    return pages


def _agenda(run: ReportRun, pack: SteeringPack) -> tuple[AgendaItem, ...]:
    """The run's own agenda when it has one (options["agenda"]: titles, or dicts with title,
    presenter, minutes), else one built from the data: summary, exceptions, decisions, red projects,
    any other business."""
    given = (run.options or {}).get("agenda")
    if given:
        return tuple(
            AgendaItem(title=str(item))
            if not isinstance(item, dict)
            else AgendaItem(
                title=str(item.get("title", "")),
                presenter=str(item.get("presenter", "")),
                minutes=item.get("minutes"),
            )
            for item in given
        )
    items = [AgendaItem(_("Portfolio at a glance: KPIs and QCDR matrix"), _("PMO"), 10, "summary")]
    by_project: dict[int, list[ExceptionEntry]] = defaultdict(list)
    for entry in pack.exceptions:
        by_project[entry.exception.project_id].append(entry)
    for entries in by_project.values():
        project = entries[0].project
        sent = [e for e in entries if e.is_sent]
        items.append(
            AgendaItem(
                _("Exception: %(project)s (%(tolerances)s)")
                % {
                    "project": f"{project.code} – {project.name}",
                    "tolerances": ", ".join(e.exception.get_tolerance_display().lower() for e in entries),
                },
                _person(project.manager),
                15 if sent else 5,
                (sent or entries)[0].anchor,
            )
        )
    if pack.decisions:
        items.append(
            AgendaItem(
                _("Decisions requested (%(count)s)") % {"count": len(pack.decisions)}, "", 10, "decisions"
            )
        )
    in_exception = {entry.exception.project_id for entry in pack.exceptions}
    red = [page for page in pack.pages if page.project.pk not in in_exception]
    if len(red) > RED_ITEMS_MAX:
        # a long list of red projects is one item: the committee reads their pages beforehand
        items.append(
            AgendaItem(
                _("Red projects (%(count)s): %(codes)s")
                % {"count": len(red), "codes": ", ".join(page.project.code for page in red)},
                _("Project managers"),
                15,
                "projects",
            )
        )
    else:
        items.extend(
            AgendaItem(
                _("Red project: %(project)s") % {"project": f"{page.project.code} – {page.project.name}"},
                _person(page.project.manager),
                5,
                page.anchor,
            )
            for page in red
        )
    items.append(AgendaItem(_("Top risks and milestone slips"), _("PMO"), 5, "risks"))
    items.append(AgendaItem(_("Any other business"), "", 5, ""))
    return tuple(items)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def build_pack(
    run: ReportRun, *, as_of: date | None = None, generated_at: datetime | None = None
) -> SteeringPack:
    """Every figure and row of the pack, in a constant number of queries (charts not included)."""
    as_of = as_of or min(run.period, timezone.localdate())
    generated_at = timezone.localtime(generated_at or run.started_at or timezone.now())
    scope = pack_projects(run)
    dashboard = build_dashboard(projects=scope, as_of=as_of)
    ids = [row.pk for row in dashboard.rows]
    projects = {
        p.pk: p
        for p in Project.objects.filter(pk__in=ids).select_related(
            "portfolio", "programme", "manager", "deputy", "sponsor"
        )
    }
    previous = previous_pack(run)
    since = previous.period if previous else None
    exceptions = _exceptions(ids)
    decisions = decisions_requested(
        ids=ids, rows=dashboard.rows, exceptions=exceptions, currency=dashboard.currency, as_of=as_of
    )
    scope_label = run.portfolio.name
    if run.programme_id:
        scope_label = _("Programme %(programme)s — %(portfolio)s") % {
            "programme": run.programme.name,
            "portfolio": run.programme.portfolio.name,
        }
    pack = SteeringPack(
        run=run,
        title=_("Steering committee pack"),
        scope_label=scope_label,
        meeting_date=run.period,
        as_of=as_of,
        generated_at=generated_at,
        previous_pack=since,
        dashboard=dashboard,
        exceptions=tuple(exceptions),
        decisions=tuple(decisions),
        top_risks=tuple(_top_risks(ids)),
        slips=tuple(_milestone_slips(projects, since, as_of)),
        pages=tuple(_project_pages(dashboard.rows, projects, exceptions, as_of)),
    )
    return replace(pack, agenda=_agenda(run, pack))


# --- Charts ---------------------------------------------------------------------------------------

# name → (builder in reporting.charts, width, height in CSS px, legend gap below the plot): the
# pack prints two charts side by side (about 130 mm wide each), the heat map beside the risk table.
CHARTS = {
    "bubbles": ("bubble_figure", 720, 600, 0.16),
    "stages": ("stage_distribution_figure", 720, 600, 0.16),
    "s_curve": ("s_curve_figure", 720, 600, 0.16),
    "mta": ("mta_figure", 720, 600, 0.16),
    "risk_heatmap": ("risk_heatmap_figure", 480, 440, None),
}


def chart_figures(dashboard: DashboardData) -> dict[str, tuple[dict, int, int]]:
    from reporting import charts

    return {
        name: (for_print(getattr(charts, builder)(dashboard), font_size=14, legend_gap=gap), width, height)
        for name, (builder, width, height, gap) in CHARTS.items()
    }


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + b64encode(svg.encode("utf-8")).decode("ascii")


def render_charts(renderer: ChartRenderer, dashboard: DashboardData) -> dict[str, str]:
    """Every chart of the pack as an SVG data: URI, exported by the one browser of the pack."""
    uris = {}
    for name, (figure, width, height) in chart_figures(dashboard).items():
        (svg,) = renderer.render([figure], width=width, height=height)
        uris[name] = svg_data_uri(svg)
    return uris


# --- The generator --------------------------------------------------------------------------------


def filename_for(run: ReportRun) -> str:
    scope = run.programme.code if run.programme_id else run.portfolio.code
    return f"copil-{slugify(scope)}-{run.period:%Y-%m-%d}.pdf"


def render_html(pack: SteeringPack) -> str:
    """The pack's HTML in the site's language (French), ready for WeasyPrint."""
    with override(settings.LANGUAGE_CODE):
        return render_to_string(
            "reporting/pdf/steering.html",
            {
                "pack": pack,
                "dashboard": pack.dashboard,
                "kpis": pack.dashboard.kpis,
                "matrix": matrix(pack.dashboard.rows),
                "axes": (*AXES, "overall"),
                "capacity": capacity_summary(portfolio_id=pack.run.portfolio_id, as_of=pack.as_of),
            },
        )


def generate(run: ReportRun, progress: Progress) -> Rendered:
    """Render the pack of `run` (kind steering) to PDF; the file is stored by the caller.

    The browser that exports the charts comes from the process's pool: warm from an earlier job,
    or booting in the background while the data is read. It goes back to the pool (or is closed, in
    the background) as soon as the charts are drawn, before WeasyPrint lays the pages out.
    """
    from reporting.pdf import html_to_pdf

    clock = Stopwatch()
    browsers = chart_images.pool
    renderer = browsers.acquire()
    released = browser_failed = False
    try:
        progress(5, _("Reading the portfolio's data"))
        pack = build_pack(run)
        clock.lap("data")
        progress(30, _("Drawing the charts"))
        try:
            charts = render_charts(renderer, pack.dashboard)
        except ChartRenderingError as error:
            browser_failed = True
            raise TransientError(str(error)) from error
        browsers.release(renderer)
        released = True
        clock.lap("charts")
        pack = replace(pack, charts=charts)
        progress(55, _("Laying out %(count)s project pages") % {"count": len(pack.pages)})
        html = render_html(pack)
        clock.lap("html")
        progress(70, _("Rendering the PDF"))
        content, pages = html_to_pdf(html)
        clock.lap("pdf")
    finally:
        if not released:  # a failure before the charts were drawn: the browser is kept if it is sound
            browsers.release(renderer, healthy=not browser_failed)
    progress(95, _("Saving the file"))
    return Rendered(
        content=content,
        filename=filename_for(run),
        page_count=pages,
        extra={
            "html": html,
            "projects": len(pack.dashboard.rows),
            "project_pages": len(pack.pages),
            "charts": len(charts),
            "seconds": clock.laps,
        },
    )


class Stopwatch:
    """Wall-clock and CPU seconds (this process) at each step, for the run's log and the benchmark."""

    def __init__(self) -> None:
        self.started, self.cpu = time.perf_counter(), time.process_time()
        self.laps: dict[str, dict[str, float]] = {}

    def lap(self, name: str) -> None:
        self.laps[name] = {
            "wall": round(time.perf_counter() - self.started, 3),
            "cpu": round(time.process_time() - self.cpu, 3),
        }
