"""The portfolio's “Strategy” tab: objectives and the scoring model, edited inline by its PMO
officers; everyone who reads the portfolio sees them, with each weight as a share of the total."""

import copy
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from pmo.core.locking import StaleVersionError
from pmo.core.permissions import require
from pmo.core.views import render_form_errors
from portfolio import strategy_services as services
from portfolio.models import Portfolio, ScoringCriterion, StrategicObjective
from portfolio.strategy_forms import CriterionForm, ObjectiveForm, StrategySettingsForm
from portfolio.views import _can_edit_portfolio, _get_portfolio

KINDS = {
    "objectives": (StrategicObjective, ObjectiveForm),
    "criteria": (ScoringCriterion, CriterionForm),
}
HUNDRED = Decimal(100)


def with_shares(items) -> tuple[list, Decimal]:
    """Each item with `share`: its weight in % of the total weight of the active items."""
    items = list(items)
    total = sum((i.weight for i in items if i.active), Decimal(0))
    for item in items:
        item.share = (
            (item.weight / total * HUNDRED).quantize(Decimal("0.1")) if item.active and total else None
        )
    return items, total


def strategy_context(request, portfolio: Portfolio) -> dict:
    objectives, objectives_total = with_shares(portfolio.objectives.order_by("-active", "code"))
    criteria, criteria_total = with_shares(portfolio.scoring_criteria.order_by("-active", "code"))
    return {
        "portfolio": portfolio,
        "objectives": objectives,
        "objectives_total": objectives_total,
        "criteria": criteria,
        "criteria_total": criteria_total,
        "settings": services.strategy_settings_for(portfolio),
        "can_edit": _can_edit_portfolio(request.user, portfolio),
    }


@login_required
@require_safe
def strategy_partial(request, pk):
    portfolio = _get_portfolio(request, pk)
    return render(request, "portfolio/partials/strategy.html", strategy_context(request, portfolio))


def _refreshed(request, portfolio):
    response = render(request, "portfolio/partials/strategy.html", strategy_context(request, portfolio))
    response["HX-Retarget"] = "#portfolio-strategy"
    response["HX-Reswap"] = "outerHTML"
    return response


def _service_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _item_form(request, pk, kind, item_pk):
    portfolio = _get_portfolio(request, pk)
    try:
        model, form_class = KINDS[kind]
    except KeyError:
        raise Http404 from None
    require(_can_edit_portfolio(request.user, portfolio))
    item = get_object_or_404(model, pk=item_pk, portfolio=portfolio) if item_pk is not None else None
    instance = copy.copy(item) if item is not None else model(portfolio=portfolio)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=instance)
    if data is not None and form.is_valid():
        try:
            if item is None:
                services.strategy_item_create(
                    actor=request.user, model=model, portfolio=portfolio, data=form.changed_values()
                )
            else:
                version = form.cleaned_data.get("version")
                services.strategy_item_update(
                    actor=request.user,
                    instance=item,
                    version=-1 if version is None else version,
                    data=form.changed_values(),
                )
        except ValidationError as error:
            _service_errors(form, error)
        except StaleVersionError:
            form.add_stale_error()
        else:
            return _refreshed(request, portfolio)
    context = {
        "portfolio": portfolio,
        "form": form,
        "kind": kind,
        "item": item,
        "verbose_name": model._meta.verbose_name,
        "action": request.path,
    }
    if form.errors:
        return render_form_errors(request, "portfolio/partials/strategy_form.html", context)
    return render(request, "portfolio/partials/strategy_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_item_create(request, pk, kind):
    return _item_form(request, pk, kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_item_edit(request, pk, kind, item_pk):
    return _item_form(request, pk, kind, item_pk)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_settings_edit(request, pk):
    portfolio = _get_portfolio(request, pk)
    require(_can_edit_portfolio(request.user, portfolio))
    current = services.strategy_settings_for(portfolio)
    data = request.POST if request.method == "POST" else None
    form = StrategySettingsForm(data, instance=copy.copy(current))
    if data is not None and form.is_valid():
        try:
            version = form.cleaned_data.get("version")
            services.strategy_settings_update(
                actor=request.user,
                portfolio=portfolio,
                version=-1 if version is None else version,
                data=form.changed_values(),
            )
        except ValidationError as error:
            _service_errors(form, error)
        except StaleVersionError:
            form.add_stale_error()
        else:
            return _refreshed(request, portfolio)
    context = {
        "portfolio": portfolio,
        "form": form,
        "kind": "settings",
        "item": None,
        "verbose_name": current._meta.verbose_name,
        "action": request.path,
    }
    if form.errors:
        return render_form_errors(request, "portfolio/partials/strategy_form.html", context)
    return render(request, "portfolio/partials/strategy_form.html", context)


urlpatterns = [
    path("portfolios/<int:pk>/partials/strategy/", strategy_partial, name="strategy-partial"),
    path("portfolios/<int:pk>/strategy/settings/", strategy_settings_edit, name="strategy-settings"),
    path("portfolios/<int:pk>/strategy/<str:kind>/new/", strategy_item_create, name="strategy-create"),
    path(
        "portfolios/<int:pk>/strategy/<str:kind>/<int:item_pk>/edit/",
        strategy_item_edit,
        name="strategy-edit",
    ),
]
