"""The project page's register tabs: milestones, costs, risks, issues, deliverables, dependencies,
status history. Each is a read-only fragment behind the page's own login and visibility rules."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from projects import charts, qcdr, selectors


def _today():
    return timezone.localdate()


def can_edit_registers(user, project) -> bool:
    """May `user` add and change rows of this project's registers? (No query: the project is loaded.)"""
    return project.is_editable_by(user)


def milestones_context(request, project) -> dict:
    tab = selectors.project_milestones(project=project, as_of=_today())
    return {
        "project": project,
        "rows": tab.rows,
        "has_trend": any(series.points for series in tab.trend),
        "trend_figure": charts.milestone_trend_figure(tab.trend),
        "tolerance_days": selectors.thresholds_for(project).time_tolerance_days,
        "can_edit": can_edit_registers(request.user, project),
    }


def risks_context(request, project) -> dict:
    tab = selectors.project_risks(project=project)
    return {
        "project": project,
        "tab": tab,
        "open_threats": sum(tab.heat.values()),
        "heatmap_figure": charts.risk_heatmap_figure(
            counts=tab.heat, amber=tab.thresholds.risk_amber_score, red=tab.thresholds.risk_red_score
        ),
        "can_edit": can_edit_registers(request.user, project),
    }


def issues_context(request, project) -> dict:
    return {
        "project": project,
        "issues": selectors.project_issues(project=project),
        "assumptions": project.assumptions.select_related("owner").order_by("status", "title"),
        "today": _today(),
        "can_edit": can_edit_registers(request.user, project),
    }


def deliverables_context(request, project) -> dict:
    return {
        "project": project,
        "deliverables": selectors.project_deliverables(project=project),
        "today": _today(),
        "can_edit": can_edit_registers(request.user, project),
    }


def dependencies_context(request, project) -> dict:
    return {
        "project": project,
        "tab": selectors.project_dependencies(user=request.user, project=project),
        "can_edit": can_edit_registers(request.user, project),
    }


# The tab fragments a register form re-renders after a save: name -> (template, context builder).
TABS = {
    "milestones": ("projects/partials/milestones.html", milestones_context),
    "risks": ("projects/partials/risks.html", risks_context),
    "issues": ("projects/partials/issues.html", issues_context),
    "deliverables": ("projects/partials/deliverables.html", deliverables_context),
    "dependencies": ("projects/partials/dependencies.html", dependencies_context),
}


def render_tab(request, project, name: str, **kwargs):
    template, build = TABS[name]
    return render(request, template, build(request, project), **kwargs)


@login_required
@require_safe
def project_milestones_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render_tab(request, project, "milestones")


@login_required
@require_safe
def project_costs_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    today = _today()
    result = selectors.project_qcdr(project=project, as_of=today)
    tab = selectors.project_costs(project=project, as_of=today, current_ev=result.evm.ev)
    currency = project.portfolio.currency
    return render(
        request,
        "projects/partials/costs.html",
        {
            "project": project,
            "currency": currency,
            "today": today,
            "tab": tab,
            "evm": qcdr.qcdr_as_dict(result)["evm"],
            "s_curve_figure": charts.cost_s_curve_figure(
                months=tab.months,
                as_of=today,
                bac=result.evm.bac,
                eac=result.evm.eac,
                earned=tab.earned,
                currency=currency,
            ),
        },
    )


@login_required
@require_safe
def project_risks_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render_tab(request, project, "risks")


@login_required
@require_safe
def project_issues_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render_tab(request, project, "issues")


@login_required
@require_safe
def project_deliverables_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render_tab(request, project, "deliverables")


@login_required
@require_safe
def project_dependencies_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render_tab(request, project, "dependencies")


@login_required
@require_safe
def project_status_history_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    history = selectors.project_status_history(project=project)
    return render(
        request,
        "projects/partials/status_history.html",
        {
            "project": project,
            "reports": history.reports,
            "rag_figure": charts.rag_history_figure(history.weeks),
        },
    )


urlpatterns = [
    path("projects/<int:pk>/partials/milestones/", project_milestones_partial, name="milestones-partial"),
    path("projects/<int:pk>/partials/costs/", project_costs_partial, name="costs-partial"),
    path("projects/<int:pk>/partials/risks/", project_risks_partial, name="risks-partial"),
    path("projects/<int:pk>/partials/issues/", project_issues_partial, name="issues-partial"),
    path(
        "projects/<int:pk>/partials/deliverables/",
        project_deliverables_partial,
        name="deliverables-partial",
    ),
    path(
        "projects/<int:pk>/partials/dependencies/",
        project_dependencies_partial,
        name="dependencies-partial",
    ),
    path(
        "projects/<int:pk>/partials/status-history/",
        project_status_history_partial,
        name="status-history-partial",
    ),
]
