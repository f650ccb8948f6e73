"""Highlight reports (rapports de synthèse): the project page's "Reports" tab and one frozen report
shown inside the site, with the changes since the previous report."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from pmo.core.periods import week_start
from pmo.core.permissions import get_visible_or_404
from projects.selectors import project_get
from reporting import highlights, services
from reporting.highlights.present import present_diff
from reporting.models import ReportRun


@login_required
@require_GET
def project_reports_partial(request, pk):
    """The frozen highlight reports of a visible project, the runs still in progress, and the button
    to generate this week's report for those allowed to request it."""
    project = project_get(user=request.user, pk=pk)
    return render(
        request,
        "reporting/partials/highlight_list.html",
        {
            "project": project,
            "reports": highlights.project_highlights(project=project),
            "pending": highlights.project_pending_runs(project=project),
            "can_request": services.can_request(
                user=request.user, kind=ReportRun.Kind.HIGHLIGHT, portfolio=project.portfolio, project=project
            ),
            "this_week": week_start(timezone.localdate()),
        },
    )


@login_required
@require_GET
def highlight_detail(request, pk):
    """One frozen highlight report: its HTML snapshot, the changes since the previous one, the
    neighbouring weeks and the PDF."""
    report = get_visible_or_404(highlights.highlight_list(user=request.user), pk=pk)
    before, after = highlights.neighbours(report)
    return render(
        request,
        "reporting/highlight.html",
        {
            "report": report,
            "project": report.project,
            "run": report.run,
            "before": before,
            "after": after,
            "diff_groups": present_diff(report.diff, report.project.portfolio.currency),
            "overall": highlights.overall_of(report.content),
            "previous_period": highlights.parse_date(report.diff.get("previous_period")),
        },
    )
