"""Governance home: what waits for a decision; gate reviews and change control join it later."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.models import Project
from projects.selectors import project_list

SHOWN = 25


@login_required
def governance_home(request):
    projects = project_list(user=request.user).filter(archived_at__isnull=True)
    proposed = projects.filter(state=Project.State.PROPOSED).order_by("portfolio__name", "code")
    on_hold = projects.filter(state=Project.State.ON_HOLD).order_by("portfolio__name", "code")
    return render(
        request,
        "governance/home.html",
        {
            "proposed": proposed[:SHOWN],
            "proposed_count": proposed.count(),
            "on_hold": on_hold[:SHOWN],
            "on_hold_count": on_hold.count(),
        },
    )
