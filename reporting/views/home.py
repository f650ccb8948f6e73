"""The reports home and the CSV export of the project list (the dashboard is views/dashboard.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from pmo.core.formatting import person_name, short_date_formatter
from portfolio.selectors import is_pmo_anywhere
from projects.filters import ProjectFilter
from projects.models import Project
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
    """The project list as CSV, with the same filters as the list page (formula-safe cells).

    Read as value rows (one query, no model instances): the whole list of a large portfolio is
    thousands of rows, and building a Project, its portfolio, programme and people per row cost
    ten times the query."""
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
    people = ("first_name", "last_name", "username")
    values = project_filter.qs.values_list(
        "code",
        "name",
        "portfolio__name",
        "programme__name",
        "state",
        *(f"manager__{field}" for field in people),
        *(f"sponsor__{field}" for field in people),
        "start_date",
        "end_date",
        "budget",
    )
    states = dict(Project.State.choices)
    short_date = short_date_formatter()

    def row(values: tuple) -> list:
        code, name, portfolio, programme, state = values[:5]
        start, end, budget = values[11:]
        return [
            code,
            name,
            portfolio,
            programme or "",
            states.get(state, state),
            person_name(*values[5:8]),
            person_name(*values[8:11]),
            short_date(start),
            short_date(end),
            f"{budget:.2f}".replace(".", ","),
        ]

    rows = (row(values) for values in values.iterator(chunk_size=2000))
    response = HttpResponse(csv_bytes(header=header, rows=rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="projets.csv"'
    return response
