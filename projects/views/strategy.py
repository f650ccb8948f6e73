"""The project's “Strategy” tab (objectives served, scores, benefits with measurements, investment
figures), the programme's benefits tab (its own benefits, its projects' and its business case) and
the portfolio's ranking and benefits roll-up fragments. Writes go through
projects.services.strategy; invalid input answers the form again with 422, nothing written."""

import copy

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_form_errors
from portfolio.models import Portfolio, Programme, StrategicObjective
from projects import selectors, strategy_charts
from projects import strategy_selectors as strategy
from projects.models import Benefit, BenefitMeasurement, ProjectObjective
from projects.services import strategy as services
from projects.strategy_forms import BenefitForm, MeasurementForm, ObjectivesForm, ScoresForm
from projects.strategy_permissions import (
    can_edit_programme_benefits,
    can_edit_project,
    can_measure,
    can_score,
)


def _benefit_actions(request, rows, *, editable: bool, owner_pk: int, prefix: str) -> None:
    """Give each benefit row what its user may do: measure (the benefit's editors and its owner) and
    edit, with the URLs of the owner's routes (`prefix`: "" for a project, "programme-" for a
    programme)."""
    for row in rows:
        row.can_measure = editable or (row.benefit.owner_id == request.user.pk)
        row.can_edit = editable
        row.measure_url = reverse(f"projects:{prefix}measurement-create", args=[owner_pk, row.benefit.pk])
        row.edit_url = reverse(f"projects:{prefix}benefit-edit", args=[owner_pk, row.benefit.pk])


def _chart_context(rows, *, today, tolerance) -> dict:
    return {
        "has_chart": any(row.measurements for row in rows),
        "benefits_figure": strategy_charts.benefits_figure(rows, as_of=today, tolerance=tolerance),
    }


def strategy_context(request, project) -> dict:
    today = timezone.localdate()
    tab = strategy.project_strategy(project=project, as_of=today)
    editable = can_edit_project(request.user, project)
    _benefit_actions(request, tab.benefits, editable=editable, owner_pk=project.pk, prefix="")
    return {
        "project": project,
        "tab": tab,
        "today": today,
        "currency": project.portfolio.currency,
        "can_edit": editable,
        "can_score": can_score(request.user, project),
        **_chart_context(tab.benefits, today=today, tolerance=tab.settings.benefit_tolerance_pct),
    }


def render_strategy(request, project, **kwargs):
    return render(request, "projects/partials/strategy.html", strategy_context(request, project), **kwargs)


def _refreshed(request, project):
    return _retargeted(render_strategy(request, project), "#project-strategy")


def _retargeted(response, target: str):
    response["HX-Retarget"] = target
    response["HX-Reswap"] = "outerHTML"
    response["HX-Trigger"] = "strategy:changed"
    return response


def _service_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _form_response(request, template: str, context: dict):
    if context["form"].errors:
        return render_form_errors(request, template, context)
    return render(request, template, context)


@login_required
@require_safe
def project_strategy_partial(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    return render_strategy(request, project)


@login_required
@require_http_methods(["GET", "POST"])
def project_scores_edit(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require(can_score(request.user, project))
    criteria = strategy.active_criteria(project.portfolio)
    scores = {s.criterion_id: s for s in project.scores.all()}
    form = ScoresForm(request.POST or None, criteria=criteria, scores=scores)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_scores_set(actor=request.user, project=project, values=form.values())
        except ValidationError as error:
            _service_errors(form, error)
        else:
            return _refreshed(request, project)
    context = {"project": project, "form": form, "title_kind": "scores"}
    return _form_response(request, "projects/partials/strategy_scores_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_objectives_edit(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require(can_edit_project(request.user, project))
    links = dict(ProjectObjective.objects.filter(project=project).values_list("objective_id", "contribution"))
    objectives = [
        o
        for o in StrategicObjective.objects.filter(portfolio_id=project.portfolio_id).order_by("code")
        if o.active or links.get(o.pk)
    ]
    form = ObjectivesForm(request.POST or None, objectives=objectives, links=links)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_objectives_set(
                actor=request.user, project=project, contributions=form.contributions()
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            return _refreshed(request, project)
    context = {"project": project, "form": form}
    return _form_response(request, "projects/partials/strategy_objectives_form.html", context)


def _benefit_form(request, pk, benefit_pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require(can_edit_project(request.user, project))
    benefit = get_object_or_404(Benefit, pk=benefit_pk, project=project) if benefit_pk else None
    return _benefit_form_response(
        request,
        benefit=benefit,
        owner={"project": project},
        portfolio_id=project.portfolio_id,
        refreshed=lambda: _refreshed(request, project),
        context={"project": project, **_project_panel(project)},
    )


def _project_panel(project) -> dict:
    """Where a project's strategy forms go back to (cancel) and what their success replaces."""
    return {
        "panel_url": reverse("projects:strategy-partial", args=[project.pk]),
        "panel": "#project-strategy",
    }


def _benefit_form_response(request, *, benefit, owner: dict, portfolio_id, refreshed, context: dict):
    """The benefit form of a project or programme (`owner`: {"project": …} or {"programme": …})."""
    instance = copy.copy(benefit) if benefit else Benefit(**owner)
    form = BenefitForm(request.POST or None, instance=instance, portfolio_id=portfolio_id)
    if request.method == "POST" and form.is_valid():
        try:
            if benefit is None:
                services.benefit_create(actor=request.user, data=form.changed_values(), **owner)
            else:
                version = form.cleaned_data.get("version")
                services.benefit_update(
                    actor=request.user,
                    benefit=benefit,
                    version=-1 if version is None else version,
                    data=form.changed_values(),
                )
        except ValidationError as error:
            _service_errors(form, error)
        except StaleVersionError:
            form.add_stale_error()
        else:
            return refreshed()
    context |= {"form": form, "row": benefit, "action": request.path}
    return _form_response(request, "projects/partials/strategy_benefit_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def benefit_create(request, pk):
    return _benefit_form(request, pk, None)


@login_required
@require_http_methods(["GET", "POST"])
def benefit_edit(request, pk, benefit_pk):
    return _benefit_form(request, pk, benefit_pk)


@login_required
@require_http_methods(["GET", "POST"])
def measurement_create(request, pk, benefit_pk):
    project = selectors.project_get(user=request.user, pk=pk)
    benefit = get_object_or_404(
        Benefit.objects.select_related("project", "programme"), pk=benefit_pk, project=project
    )
    return _measurement_form_response(
        request,
        benefit=benefit,
        refreshed=lambda: _refreshed(request, project),
        context={"project": project, **_project_panel(project)},
    )


def _measurement_form_response(request, *, benefit, refreshed, context: dict):
    require(can_measure(request.user, benefit))
    form = MeasurementForm(request.POST or None, instance=BenefitMeasurement(benefit=benefit))
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_record(actor=request.user, benefit=benefit, data=form.changed_values())
        except ValidationError as error:
            _service_errors(form, error)
        else:
            return refreshed()
    context |= {"form": form, "benefit": benefit, "action": request.path}
    return _form_response(request, "projects/partials/strategy_measurement_form.html", context)


# --- Portfolio fragments ----------------------------------------------------------------------------


def _portfolio(request, pk) -> Portfolio:
    return get_visible_or_404(Portfolio.objects.visible_to(request.user), pk=pk)


@login_required
@require_safe
def portfolio_ranking_partial(request, pk):
    portfolio = _portfolio(request, pk)
    ranking = strategy.portfolio_ranking(user=request.user, portfolio=portfolio)
    return render(
        request,
        "projects/partials/ranking.html",
        {
            "portfolio": portfolio,
            "ranking": ranking,
            "can_score": can_score_portfolio(request.user, portfolio),
        },
    )


def can_score_portfolio(user, portfolio) -> bool:
    from projects.permissions import is_portfolio_pmo

    return is_portfolio_pmo(user=user, portfolio_id=portfolio.pk)


@login_required
@require_safe
def portfolio_benefits_partial(request, pk):
    portfolio = _portfolio(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "projects/partials/benefits_rollup.html",
        {
            "portfolio": portfolio,
            "rollup": strategy.benefits_rollup(user=request.user, portfolio=portfolio, as_of=today),
            "today": today,
            "currency": portfolio.currency,
        },
    )


# --- A programme's benefits -------------------------------------------------------------------------


def _programme(request, pk) -> Programme:
    return get_visible_or_404(Programme.objects.visible_to(request.user).select_related("portfolio"), pk=pk)


def programme_benefits_context(request, programme) -> dict:
    today = timezone.localdate()
    tab = strategy.programme_benefits(user=request.user, programme=programme, as_of=today)
    editable = can_edit_programme_benefits(request.user, programme)
    _benefit_actions(request, tab.own, editable=editable, owner_pk=programme.pk, prefix="programme-")
    return {
        "programme": programme,
        "tab": tab,
        "today": today,
        "currency": programme.portfolio.currency,
        "can_edit": editable,
        **_chart_context(
            tab.own + tab.of_projects, today=today, tolerance=tab.settings.benefit_tolerance_pct
        ),
    }


def _programme_refreshed(request, programme):
    context = programme_benefits_context(request, programme)
    response = render(request, "projects/partials/programme_benefits.html", context)
    return _retargeted(response, "#programme-benefits")


def _programme_panel(programme) -> dict:
    return {
        "panel_url": reverse("projects:programme-benefits", args=[programme.pk]),
        "panel": "#programme-benefits",
    }


@login_required
@require_safe
def programme_benefits_partial(request, pk):
    programme = _programme(request, pk)
    context = programme_benefits_context(request, programme)
    return render(request, "projects/partials/programme_benefits.html", context)


def _programme_benefit_form(request, pk, benefit_pk):
    programme = _programme(request, pk)
    require(can_edit_programme_benefits(request.user, programme))
    benefit = get_object_or_404(Benefit, pk=benefit_pk, programme=programme) if benefit_pk else None
    return _benefit_form_response(
        request,
        benefit=benefit,
        owner={"programme": programme},
        portfolio_id=programme.portfolio_id,
        refreshed=lambda: _programme_refreshed(request, programme),
        context={"programme": programme, **_programme_panel(programme)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_benefit_create(request, pk):
    return _programme_benefit_form(request, pk, None)


@login_required
@require_http_methods(["GET", "POST"])
def programme_benefit_edit(request, pk, benefit_pk):
    return _programme_benefit_form(request, pk, benefit_pk)


@login_required
@require_http_methods(["GET", "POST"])
def programme_measurement_create(request, pk, benefit_pk):
    programme = _programme(request, pk)
    benefit = get_object_or_404(
        Benefit.objects.select_related("programme"), pk=benefit_pk, programme=programme
    )
    return _measurement_form_response(
        request,
        benefit=benefit,
        refreshed=lambda: _programme_refreshed(request, programme),
        context={"programme": programme, **_programme_panel(programme)},
    )


urlpatterns = [
    path("projects/<int:pk>/partials/strategy/", project_strategy_partial, name="strategy-partial"),
    path("projects/<int:pk>/strategy/scores/", project_scores_edit, name="strategy-scores"),
    path("projects/<int:pk>/strategy/objectives/", project_objectives_edit, name="strategy-objectives"),
    path("projects/<int:pk>/strategy/benefits/new/", benefit_create, name="benefit-create"),
    path("projects/<int:pk>/strategy/benefits/<int:benefit_pk>/edit/", benefit_edit, name="benefit-edit"),
    path(
        "projects/<int:pk>/strategy/benefits/<int:benefit_pk>/measurements/new/",
        measurement_create,
        name="measurement-create",
    ),
    path("portfolios/<int:pk>/partials/ranking/", portfolio_ranking_partial, name="portfolio-ranking"),
    path("portfolios/<int:pk>/partials/benefits/", portfolio_benefits_partial, name="portfolio-benefits"),
    path("programmes/<int:pk>/partials/benefits/", programme_benefits_partial, name="programme-benefits"),
    path("programmes/<int:pk>/benefits/new/", programme_benefit_create, name="programme-benefit-create"),
    path(
        "programmes/<int:pk>/benefits/<int:benefit_pk>/edit/",
        programme_benefit_edit,
        name="programme-benefit-edit",
    ),
    path(
        "programmes/<int:pk>/benefits/<int:benefit_pk>/measurements/new/",
        programme_measurement_create,
        name="programme-measurement-create",
    ),
]
