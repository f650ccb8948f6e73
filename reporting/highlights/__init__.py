"""The highlight report (rapport de synthèse, flash) of one project and one week: its frozen content,
its diff with the previous report, and the reads of the pages that list and show them.

`content.build_content` reads the week in a constant number of queries (about fifteen, whatever the
size of the registers) and returns a JSON-ready dict: Decimals as strings, dates and instants in ISO
8601, the reasons already in words. `diff.diff_contents` compares two contents and is pure.
`history.states_at` rebuilds the registers at an instant; `present` turns a content and a diff into
display rows (French dates and money) for the PDF, the snapshot and the pages. This module holds the
reads of the pages.

Which data a report shows:

- A report of the current week is built from the data as it stands (the *live* QCDR and EVM at
  today's date). A report of a past week (a late run, a backfill) is built from what was recorded
  that week: the indicated QCDR frozen on the week's submitted status report and the milestone
  forecasts recorded for that week (the MTA), with the live computation at the week's Sunday only
  when the week has no submitted report.
- RAID and milestone deltas compare the registers at two instants: the end of the previous report's
  week (or the start of this week for a first report) and the end of this week (or now). The state
  of each row at an instant is rebuilt from its pghistory events (database triggers: they catch
  every write, bulk and raw SQL included, and a delete leaves an event). An event counts at the
  row's own `updated_at` as it recorded it (set on every write, by `save()` and by
  `versioned_update`): that is when the change happened, also for rows written with a past date
  (imports, the demo's history); a delete counts when it happened. A row that exists at an instant
  but whose first recorded state is later (written once in its final state) is taken to have been
  in its initial status (open, planned) with the same values until then.
  Hence: new = absent then, present now; closed = open then, closed now; re-scored = the
  probability × impact changed; a milestone moved when its forecast differs from the forecast
  recorded by the previous report (MTA), or from its forecast then when none was recorded.
"""

from datetime import date

from django.db.models.fields.json import KT

from projects.models import Project
from projects.types import RAG
from reporting.highlights.content import (
    TOLERANCE_LABELS,
    TOP_RISKS,
    Window,
    build_content,
    decimal_or_none,
    tolerance_value,
    window_for,
)
from reporting.highlights.diff import diff_contents
from reporting.highlights.history import states_at
from reporting.models import HighlightReport, ReportRun

__all__ = [
    "TOLERANCE_LABELS",
    "TOP_RISKS",
    "Window",
    "build_content",
    "decimal_or_none",
    "diff_contents",
    "highlight_list",
    "neighbours",
    "overall_of",
    "parse_date",
    "previous_report",
    "project_highlights",
    "project_pending_runs",
    "states_at",
    "tolerance_value",
    "window_for",
]


# --- Reads of the pages ---------------------------------------------------------------------------


def highlight_list(*, user):
    """Highlight reports of projects the user may see, with their run and project joined."""
    return HighlightReport.objects.filter(
        project__in=Project.objects.visible_to(user).values("pk")
    ).select_related("run", "project__portfolio")


def project_highlights(*, project: Project) -> list[HighlightReport]:
    """The frozen reports of one project whose file is done, newest first (1 query). The bulky JSON
    and HTML stay in the database: the list reads the overall météo and the number of changes only."""
    return list(
        HighlightReport.objects.filter(project=project, run__status=ReportRun.Status.DONE)
        .select_related("run")
        .defer("content", "html", "diff", "run__options", "run__error")
        .annotate(
            declared=KT("content__qcdr__declared_overall"),
            indicated=KT("content__qcdr__indicated_overall"),
            watermelon=KT("content__qcdr__watermelon"),
            submitted=KT("content__status__submitted"),
            changes=KT("diff__count"),
        )
        .order_by("-period_start")
    )


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def overall_of(content: dict) -> dict:
    """The overall météo of a frozen content, declared and indicated, and the watermelon flag."""
    found = content.get("qcdr", {})
    return {
        "declared": found.get("declared_overall", RAG.UNKNOWN.value),
        "indicated": found.get("indicated_overall", RAG.UNKNOWN.value),
        "watermelon": bool(found.get("watermelon")),
    }


def project_pending_runs(*, project: Project) -> list[ReportRun]:
    """Highlight runs of the project not done yet (queued, running, failed), newest first (1 query)."""
    return list(
        ReportRun.objects.filter(project=project, kind=ReportRun.Kind.HIGHLIGHT)
        .exclude(status=ReportRun.Status.DONE)
        .order_by("-period", "-id")[:5]
    )


def neighbours(report: HighlightReport) -> tuple[HighlightReport | None, HighlightReport | None]:
    """The done reports of the same project just before and just after this one (2 queries)."""
    done = HighlightReport.objects.filter(
        project_id=report.project_id, run__status=ReportRun.Status.DONE
    ).only("pk", "period_start")
    before = done.filter(period_start__lt=report.period_start).order_by("-period_start").first()
    after = done.filter(period_start__gt=report.period_start).order_by("period_start").first()
    return before, after


def previous_report(*, project: Project, period_start: date) -> HighlightReport | None:
    """The latest highlight report of the project for a week before `period_start`."""
    return (
        HighlightReport.objects.filter(project=project, period_start__lt=period_start)
        .order_by("-period_start")
        .first()
    )
