"""Governance home: what waits for a decision; gate reviews and change control join it later."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.models import Project
from projects.selectors import project_list


@login_required
def governance_home(request):
    projects = project_list(user=request.user).filter(archived_at__isnull=True)
    return render(
        request,
        "governance/home.html",
        {
            "proposed": projects.filter(state=Project.State.PROPOSED).order_by("portfolio__name", "code"),
            "on_hold": projects.filter(state=Project.State.ON_HOLD).order_by("portfolio__name", "code"),
        },
    )
