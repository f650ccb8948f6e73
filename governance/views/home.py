"""Governance home: what waits for a decision (exceptions, proposals, projects on hold)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from governance import selectors as governance_selectors
from governance.models import ProjectException
from projects.models import Project
from projects.selectors import project_list

SHOWN = 25


@login_required
def governance_home(request):
    projects = project_list(user=request.user).filter(archived_at__isnull=True)
    proposed = projects.filter(state=Project.State.PROPOSED).order_by("portfolio__name", "code")
    on_hold = projects.filter(state=Project.State.ON_HOLD).order_by("portfolio__name", "code")
    exceptions = governance_selectors.exception_list(user=request.user).exclude(
        state=ProjectException.State.CLOSED
    )
    return render(
        request,
        "governance/home.html",
        {
            "proposed": proposed[:SHOWN],
            "proposed_count": proposed.count(),
            "on_hold": on_hold[:SHOWN],
            "on_hold_count": on_hold.count(),
            "exceptions": exceptions.order_by("-raised_at", "-id")[:SHOWN],
            "portfolios": governance_selectors.portfolios_with_exception_counts(user=request.user),
        },
    )
