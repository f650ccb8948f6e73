"""The reports home and the CSV export of the project list (the dashboard is views/dashboard.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portfolio.selectors import is_pmo_anywhere
from projects.filters import ProjectFilter
from projects.selectors import project_list
from reporting import selectors
from reporting.exports import csv_bytes
from reporting.forms import RunRequestForm


@login_required
def reports_home(request):
    """The reports hub: the latest runs, generating a report, exports, the schedules for the PMO."""
    return render(
        request,
        "reporting/home.html",
        {
            "summaries": selectors.portfolio_summary(user=request.user),
            "latest_runs": selectors.run_list(user=request.user)[:8],
            "form": RunRequestForm(user=request.user),
            "is_pmo": is_pmo_anywhere(user=request.user),
            "exports": [
                ("matrix", _("QCDR matrix")),
                ("projects", _("Projects")),
                ("milestones", _("Milestones")),
                ("cost-lines", _("Cost lines")),
                ("risks", _("Risks")),
                ("issues", _("Issues")),
            ],
        },
    )


@login_required
def project_export(request):
    """The project list as CSV, with the same filters as the list page (formula-safe cells)."""
    project_filter = ProjectFilter(request.GET, queryset=project_list(user=request.user))
    header = [
        _("Code"),
        _("Name"),
        _("Portfolio"),
        _("Programme"),
        _("State"),
        _("Project manager"),
        _("Sponsor"),
        _("Start date"),
        _("End date"),
        _("Budget (BAC)"),
    ]
    rows = (
        [
            p.code,
            p.name,
            p.portfolio.name,
            p.programme.name if p.programme else "",
            p.get_state_display(),
            str(p.manager or ""),
            str(p.sponsor or ""),
            date_format(p.start_date, "SHORT_DATE_FORMAT") if p.start_date else "",
            date_format(p.end_date, "SHORT_DATE_FORMAT") if p.end_date else "",
            f"{p.budget:.2f}".replace(".", ","),
        ]
        for p in project_filter.qs.iterator(chunk_size=2000)
    )
    response = HttpResponse(csv_bytes(header=header, rows=rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="projets.csv"'
    return response
