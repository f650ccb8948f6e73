"""Exports of the portfolio matrix and the registers, as Excel (formatted) or CSV (formula-safe),
limited to what the user can see and filtered like the project list."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from projects.filters import ProjectFilter
from projects.models import CostLine, Issue, Milestone, Risk
from projects.selectors import project_list
from projects.templatetags.qcdr_tags import axis_label, rag_label
from reporting.exports import Column, csv_from_columns, xlsx_bytes

AXES = ("overall", "quality", "cost", "schedule", "risk")


def _person(user) -> str:
    return str(user) if user else ""


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except (InvalidOperation, TypeError):
        return None


def _indicated(project) -> dict:
    report = project.latest_report
    return (report.indicated or {}) if report else {}


def _project_columns() -> list[Column]:
    return [
        Column(_("Code"), lambda p: p.code, width=14),
        Column(_("Name"), lambda p: p.name, width=36),
        Column(_("Portfolio"), lambda p: p.portfolio.name, width=20),
        Column(_("Programme"), lambda p: p.programme.name if p.programme else "", width=20),
        Column(_("State"), lambda p: p.get_state_display()),
        Column(_("Stage"), lambda p: p.stage),
        Column(_("Project manager"), lambda p: _person(p.manager), width=22),
        Column(_("Sponsor"), lambda p: _person(p.sponsor), width=22),
        Column(_("Start date"), lambda p: p.start_date, "date", 12),
        Column(_("End date"), lambda p: p.end_date, "date", 12),
        Column(_("Budget (BAC)"), lambda p: p.budget, "money", 16),
        Column(_("Strategic score"), lambda p: p.strategic_score, "int", 10),
    ]


def _matrix_columns() -> list[Column]:
    def declared(axis):
        return lambda p: rag_label(getattr(p.latest_report, axis)) if p.latest_report else rag_label(None)

    def indicated(axis):
        return lambda p: rag_label(_indicated(p).get("indicated", {}).get(axis))

    def evm(name):
        return lambda p: _decimal(_indicated(p).get("evm", {}).get(name))

    columns = [
        Column(_("Code"), lambda p: p.code, width=14),
        Column(_("Name"), lambda p: p.name, width=36),
        Column(_("Programme"), lambda p: p.programme.name if p.programme else "", width=20),
        Column(_("Project manager"), lambda p: _person(p.manager), width=22),
        Column(_("Week of"), lambda p: p.latest_report.period_start if p.latest_report else None, "date", 12),
    ]
    for axis in AXES:
        label = axis_label(axis)
        columns.append(Column(_("%(axis)s declared") % {"axis": label}, declared(axis), width=14))
        columns.append(Column(_("%(axis)s indicated") % {"axis": label}, indicated(axis), width=14))
    columns += [
        Column(
            _("Watermelon"),
            lambda p: ", ".join(axis_label(a) for a in _indicated(p).get("watermelon_axes", [])),
            width=18,
        ),
        Column(_("Stale"), lambda p: _("yes") if _indicated(p).get("stale") else "", width=8),
        Column("CPI", evm("cpi"), "decimal", 8),
        Column("SPI", evm("spi"), "decimal", 8),
        Column(_("Budget (BAC)"), lambda p: p.budget, "money", 16),
        Column(_("EAC"), evm("eac"), "money", 16),
        Column(_("Actual cost"), evm("ac"), "money", 16),
    ]
    return columns


def _record_columns(kind: str) -> list[Column]:
    project = Column(_("Project"), lambda r: r.project.code, width=14)
    if kind == "risks":
        return [
            project,
            Column(_("Title"), lambda r: r.title, width=40),
            Column(_("Probability (1–5)"), lambda r: r.probability, "int", 10),
            Column(_("Impact (1–5)"), lambda r: r.impact, "int", 10),
            Column(_("Score"), lambda r: r.score, "int", 8),
            Column(_("Status"), lambda r: r.get_status_display()),
            Column(_("Owner"), lambda r: _person(r.owner), width=22),
            Column(_("Proximity"), lambda r: r.proximity_date, "date", 12),
            Column(_("Response"), lambda r: r.get_response_display()),
            Column(_("Mitigation"), lambda r: r.mitigation, width=40),
        ]
    if kind == "issues":
        return [
            project,
            Column(_("Title"), lambda r: r.title, width=40),
            Column(_("Severity"), lambda r: r.get_severity_display()),
            Column(_("Status"), lambda r: r.get_status_display()),
            Column(_("Owner"), lambda r: _person(r.owner), width=22),
            Column(_("Due date"), lambda r: r.due_date, "date", 12),
            Column(_("Resolution"), lambda r: r.resolution, width=40),
        ]
    if kind == "milestones":
        return [
            project,
            Column(_("Name"), lambda r: r.name, width=36),
            Column(_("Key milestone"), lambda r: _("yes") if r.is_key else "", width=8),
            Column(_("Baseline date"), lambda r: r.baseline_date, "date", 12),
            Column(_("Forecast date"), lambda r: r.forecast_date, "date", 12),
            Column(_("Actual date"), lambda r: r.actual_date, "date", 12),
            Column(_("Status"), lambda r: r.get_status_display()),
        ]
    return [
        project,
        Column(_("Month"), lambda r: r.month, "date", 12),
        Column(_("Category"), lambda r: r.get_category_display(), width=10),
        Column(_("Planned"), lambda r: r.planned, "money", 16),
        Column(_("Actual"), lambda r: r.actual, "money", 16),
        Column(_("Forecast"), lambda r: r.forecast, "money", 16),
    ]


EXPORTS = {
    # name: (sheet title, register model, or None for the project list and the matrix)
    "projects": (gettext_lazy("Projects"), None),
    "matrix": (gettext_lazy("QCDR matrix"), None),
    "risks": (gettext_lazy("Risks"), Risk),
    "issues": (gettext_lazy("Issues"), Issue),
    "milestones": (gettext_lazy("Milestones"), Milestone),
    "cost-lines": (gettext_lazy("Cost lines"), CostLine),
}


@login_required
@require_GET
def export(request, name: str, fmt: str):
    """`/reports/export/<name>.<xlsx|csv>`, filtered like the project list (same query string)."""
    if name not in EXPORTS or fmt not in ("xlsx", "csv"):
        raise Http404
    title, model = EXPORTS[name]
    projects = ProjectFilter(request.GET, queryset=project_list(user=request.user)).qs
    if model is None:
        columns = _matrix_columns() if name == "matrix" else _project_columns()
        rows = projects.select_related("latest_report").order_by("code")
    else:
        columns = _record_columns(name)
        related = ["project"] + (["owner"] if name in ("risks", "issues") else [])
        rows = (
            model.objects.filter(project__in=projects.values("pk"))
            .select_related(*related)
            .order_by("project__code", "pk")
        )
    rows = rows.iterator(chunk_size=2000)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        content = xlsx_bytes(title=str(title), columns=columns, rows=rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = csv_from_columns(columns=columns, rows=rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
