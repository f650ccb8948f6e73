"""The project's “Strategy” tab (objectives served, scores, benefits with measurements, investment
figures) and the portfolio's ranking and benefits roll-up fragments. Writes go through
projects.services.strategy; invalid input answers the form again with 422, nothing written."""

import copy

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_form_errors
from portfolio.models import Portfolio, StrategicObjective
from projects import selectors, strategy_charts
from projects import strategy_selectors as strategy
from projects.models import Benefit, BenefitMeasurement, ProjectObjective
from projects.services import strategy as services
from projects.strategy_forms import BenefitForm, MeasurementForm, ObjectivesForm, ScoresForm
from projects.strategy_permissions import can_edit_project, can_measure, can_score


def strategy_context(request, project) -> dict:
    today = timezone.localdate()
    tab = strategy.project_strategy(project=project, as_of=today)
    editable = can_edit_project(request.user, project)
    for row in tab.benefits:
        row.can_measure = editable or (row.benefit.owner_id == request.user.pk)
    return {
        "project": project,
        "tab": tab,
        "today": today,
        "currency": project.portfolio.currency,
        "can_edit": editable,
        "can_score": can_score(request.user, project),
        "has_chart": any(row.measurements for row in tab.benefits),
        "benefits_figure": strategy_charts.benefits_figure(
            tab.benefits, as_of=today, tolerance=tab.settings.benefit_tolerance_pct
        ),
    }


def render_strategy(request, project, **kwargs):
    return render(request, "projects/partials/strategy.html", strategy_context(request, project), **kwargs)


def _refreshed(request, project):
    response = render_strategy(request, project)
    response["HX-Retarget"] = "#project-strategy"
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
    instance = copy.copy(benefit) if benefit else Benefit(project=project)
    form = BenefitForm(request.POST or None, instance=instance, portfolio_id=project.portfolio_id)
    if request.method == "POST" and form.is_valid():
        try:
            if benefit is None:
                services.benefit_create(actor=request.user, project=project, data=form.changed_values())
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
            return _refreshed(request, project)
    context = {"project": project, "form": form, "row": benefit, "action": request.path}
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
    require(can_measure(request.user, benefit))
    form = MeasurementForm(request.POST or None, instance=BenefitMeasurement(benefit=benefit))
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_record(actor=request.user, benefit=benefit, data=form.changed_values())
        except ValidationError as error:
            _service_errors(form, error)
        else:
            return _refreshed(request, project)
    context = {"project": project, "form": form, "benefit": benefit, "action": request.path}
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
]
