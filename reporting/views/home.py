"""The reports home and the CSV export of the project list."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from projects.filters import ProjectFilter
from projects.selectors import my_projects, project_list
from reporting import selectors
from reporting.exports import csv_bytes


@login_required
def dashboard(request):
    today = timezone.localdate()
    return render(
        request,
        "reporting/dashboard.html",
        {
            "summaries": selectors.portfolio_summary(user=request.user),
            "ending_soon": selectors.projects_ending_soon(user=request.user, today=today),
            "past_end": selectors.projects_past_end(user=request.user, today=today),
            "my_projects": my_projects(user=request.user)
            .select_related(None)
            .only("id", "code", "name", "state"),
            "today": today,
        },
    )


@login_required
def reports_home(request):
    return render(
        request,
        "reporting/home.html",
        {"summaries": selectors.portfolio_summary(user=request.user)},
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
