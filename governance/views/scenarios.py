"""Portfolio scenario pages: the list per portfolio, the editor (limits grid, capacity grid,
candidate table), the result (selection, use bars, binding limits in words, just over the line,
efficient frontier), side-by-side comparison and commit. Readers of the portfolio see them; its PMO
officers create, edit, run and commit. Bad input answers the form again with 422, nothing written;
a committed scenario answers 422 with the reason to any change."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from governance import scenario_charts, scenario_display
from governance import scenario_services as services
from governance.scenario_models import CostKind, Scenario, ScenarioProject
from governance.scenario_selectors import scenario_inputs, scenarios_of
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from portfolio.models import Portfolio
from portfolio.views import _get_portfolio

MAX_COMPARED = 4


def _scenario(request, pk) -> Scenario:
    return get_visible_or_404(Scenario.objects.visible_to(request.user).select_related("portfolio"), pk=pk)


def _can_edit(user, portfolio_id: int) -> bool:
    return Portfolio.objects.editable_by(user).filter(pk=portfolio_id).exists()


def _labels(inputs) -> dict:
    return {f.project.pk: f"{f.project.code} – {f.project.name}" for f in inputs.figures}


def result_context(scenario: Scenario, inputs) -> dict:
    currency = scenario.portfolio.currency
    labels = _labels(inputs)
    outcome = scenario_display.outcome(scenario.result, labels=labels, roles=inputs.roles, currency=currency)
    manual = None
    if outcome and scenario.result.get("manual"):
        manual = scenario_display.outcome(
            scenario.result["manual"], labels=labels, roles=inputs.roles, currency=currency
        )
    figure = None
    if scenario.frontier:
        figure = scenario_charts.frontier_figure(
            scenario.frontier,
            budget=scenario.result.get("budget_total"),
            score=scenario.objective,
            currency=currency,
        )
    return {
        "outcome": outcome,
        "manual": manual,
        "binding_texts": [scenario_display.binding_text(u) for u in outcome.binding] if outcome else [],
        "frontier_figure": figure,
        "stale": scenario.run_at is not None and services.is_stale(scenario),
    }


@login_required
@require_safe
def scenario_list(request, pk):
    portfolio = _get_portfolio(request, pk)
    return render(
        request,
        "governance/scenario_list.html",
        {
            "portfolio": portfolio,
            "scenarios": list(scenarios_of(user=request.user, portfolio=portfolio)),
            "can_edit": _can_edit(request.user, portfolio.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_create(request, pk):
    portfolio = _get_portfolio(request, pk)
    require(_can_edit(request.user, portfolio.pk))
    errors: dict = {}
    values = {"name": "", "description": "", "first_year": "", "years": "2"}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        data = {"name": values["name"], "description": values["description"]}
        for key in ("first_year", "years"):
            if values[key]:
                try:
                    data[key] = int(values[key])
                except ValueError:
                    errors[key] = [_("Enter a whole number.")]
        if not errors:
            try:
                scenario = services.scenario_create(actor=request.user, portfolio=portfolio, data=data)
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, _("Scenario created: adjust its limits, then run it."))
                return HttpResponseRedirect(reverse("governance:scenario-edit", args=[scenario.pk]))
    context = {"portfolio": portfolio, "values": values, "errors": errors}
    return render(request, "governance/scenario_create.html", context, status=422 if errors else 200)


@login_required
@require_safe
def scenario_detail(request, pk):
    scenario = _scenario(request, pk)
    inputs = scenario_inputs(scenario)
    context = {
        "scenario": scenario,
        "portfolio": scenario.portfolio,
        "inputs": inputs,
        "can_edit": _can_edit(request.user, scenario.portfolio_id) and not scenario.is_frozen,
        "decision": scenario.decisions.order_by("-decided_at").first() if scenario.is_frozen else None,
        **result_context(scenario, inputs),
    }
    return render(request, "governance/scenario_detail.html", context)


@login_required
@require_safe
def scenario_progress(request, pk):
    scenario = _scenario(request, pk)
    response = render(request, "governance/partials/scenario_progress.html", {"scenario": scenario})
    if not scenario.is_running and request.GET.get("polling"):
        response["HX-Refresh"] = "true"
    return response


def _joined(messages_) -> str:
    if not messages_:
        return ""
    return messages_ if isinstance(messages_, str) else " ".join(str(m) for m in messages_)


def _grid_values(scenario: Scenario, inputs) -> dict:
    values = {}
    for (year, kind), value in inputs.limits.budget.items():
        values[f"budget-{year}-{kind}"] = value
    for (role_id, quarter), value in inputs.limits.capacity.items():
        values[f"capacity-{role_id}-{quarter}"] = value
    return values


def _editor_context(request, scenario, inputs, *, posted=None, errors=None) -> dict:
    posted = posted or {}
    errors = errors or {}
    values = _grid_values(scenario, inputs)
    role_ids = sorted(
        {role_id for role_id, _q in inputs.limits.capacity}, key=lambda r: inputs.roles.get(r, "")
    )
    budget_rows = [
        {
            "year": year,
            "cells": [
                {
                    "name": f"budget-{year}-{kind}",
                    "label": f"{kind.upper()} {year}",
                    "value": posted.get(f"budget-{year}-{kind}", values.get(f"budget-{year}-{kind}", 0)),
                    "error": errors.get(f"budget-{year}-{kind}"),
                }
                for kind in CostKind.values
            ],
        }
        for year in scenario.year_list
    ]
    capacity_rows = [
        {
            "role": inputs.roles.get(role_id, "?"),
            "cells": [
                {
                    "name": f"capacity-{role_id}-{quarter}",
                    "label": f"{inputs.roles.get(role_id, '?')} {quarter}",
                    "value": posted.get(
                        f"capacity-{role_id}-{quarter}", values.get(f"capacity-{role_id}-{quarter}", "")
                    ),
                    "error": errors.get(f"capacity-{role_id}-{quarter}"),
                }
                for quarter in scenario.quarters
            ],
        }
        for role_id in role_ids
    ]
    requires = defaultdict(set)
    for figure in inputs.figures:
        requires[figure.project.pk] = set(figure.requires)
    others = [(f.project.pk, f.project.code) for f in inputs.figures]
    rows = [
        {
            "figure": f,
            "mode": posted.get(f"mode-{f.project.pk}", f.entry.mode),
            "manual": posted.get(
                f"manual-{f.project.pk}",
                "" if f.entry.manual is None else ("in" if f.entry.manual else "out"),
            ),
            "requires": requires[f.project.pk],
            "error": errors.get(f"mode-{f.project.pk}") or errors.get(f"requires-{f.project.pk}"),
        }
        for f in inputs.figures
    ]
    return {
        "scenario": scenario,
        "portfolio": scenario.portfolio,
        "inputs": inputs,
        "budget_rows": budget_rows,
        "quarters": scenario.quarters,
        "kinds": CostKind.choices,
        "capacity_rows": capacity_rows,
        "rows": rows,
        "others": others,
        "modes": ScenarioProject.Mode.choices,
        "errors": errors,
        "general_error": _joined(errors.get("__all__")),
        "values": {
            "name": posted.get("name", scenario.name),
            "description": posted.get("description", scenario.description),
            "first_year": posted.get("first_year", scenario.first_year),
            "years": posted.get("years", scenario.years),
        },
        "version": scenario.version,
    }


def _parse_editor(post, scenario, inputs):
    data = {"name": post.get("name", "").strip(), "description": post.get("description", "").strip()}
    errors = {}
    for key in ("first_year", "years"):
        try:
            data[key] = int(post.get(key, ""))
        except ValueError:
            errors[key] = _("Enter a whole number.")
    budgets, capacities, modes, manual, pairs = {}, {}, {}, {}, []
    for name, value in post.items():
        parts = name.split("-")
        if parts[0] == "budget" and len(parts) == 3 and parts[1].isdigit():
            budgets[(int(parts[1]), parts[2])] = value
        elif parts[0] == "capacity" and len(parts) == 4 and parts[1].isdigit():
            capacities[(int(parts[1]), f"{parts[2]}-{parts[3]}")] = value
        elif parts[0] == "mode" and len(parts) == 2 and parts[1].isdigit():
            modes[int(parts[1])] = value
        elif parts[0] == "manual" and len(parts) == 2 and parts[1].isdigit():
            manual[int(parts[1])] = {"in": True, "out": False}.get(value)
        elif parts[0] == "requires" and len(parts) == 2 and parts[1].isdigit():
            for needed in post.getlist(name):
                if needed.isdigit():
                    pairs.append((int(parts[1]), int(needed)))
    try:
        version = int(post.get("version", ""))
    except ValueError:
        version = -1
    return data, budgets, capacities, modes, manual, pairs, version, errors


@login_required
@require_http_methods(["GET", "POST"])
def scenario_edit(request, pk):
    scenario = _scenario(request, pk)
    require(_can_edit(request.user, scenario.portfolio_id))
    inputs = scenario_inputs(scenario)
    if scenario.is_frozen:
        context = _editor_context(
            request, scenario, inputs, errors={"__all__": [str(services.ScenarioFrozen())]}
        )
        context["frozen"] = True
        return render(
            request, "governance/scenario_edit.html", context, status=422 if request.method == "POST" else 200
        )
    if request.method == "GET":
        return render(request, "governance/scenario_edit.html", _editor_context(request, scenario, inputs))
    data, budgets, capacities, modes, manual, pairs, version, errors = _parse_editor(
        request.POST, scenario, inputs
    )
    if not errors:
        try:
            services.scenario_update(
                actor=request.user,
                scenario=scenario,
                version=version,
                data=data,
                budgets=budgets,
                capacities=capacities,
                modes=modes,
                manual=manual,
                dependencies=pairs,
            )
        except ValidationError as error:
            errors = {k: " ".join(v) for k, v in error.message_dict.items()}
        except StaleVersionError:
            errors = {"__all__": _("Someone changed this scenario meanwhile: reload it and try again.")}
        except services.ScenarioFrozen as error:
            errors = {"__all__": str(error)}
        else:
            if request.POST.get("then") == "run":
                scenario.refresh_from_db()
                return _run_and_redirect(request, scenario)
            messages.success(request, _("Scenario saved."))
            return HttpResponseRedirect(reverse("governance:scenario-detail", args=[scenario.pk]))
    context = _editor_context(request, scenario, inputs, posted=request.POST, errors=errors)
    return render(request, "governance/scenario_edit.html", context, status=422)


def _run_and_redirect(request, scenario):
    updated = services.scenario_run(actor=request.user, scenario=scenario)
    if updated.run_status == Scenario.RunStatus.OPTIMAL:
        messages.success(request, _("Scenario run: the optimal selection is below."))
    elif updated.run_status == Scenario.RunStatus.INFEASIBLE:
        messages.error(request, _("No selection satisfies these limits: see the conflicts below."))
    return HttpResponseRedirect(reverse("governance:scenario-detail", args=[scenario.pk]))


@login_required
@require_POST
def scenario_run(request, pk):
    scenario = _scenario(request, pk)
    require(_can_edit(request.user, scenario.portfolio_id))
    if scenario.is_frozen:
        return render(
            request,
            "governance/partials/scenario_refused.html",
            {"scenario": scenario, "message": str(services.ScenarioFrozen())},
            status=422,
        )
    return _run_and_redirect(request, scenario)


@login_required
@require_http_methods(["GET", "POST"])
def scenario_commit(request, pk):
    scenario = _scenario(request, pk)
    require(_can_edit(request.user, scenario.portfolio_id))
    errors: dict = {}
    rationale = ""
    if scenario.is_frozen:
        errors = {"__all__": [str(services.ScenarioFrozen())]}
    elif request.method == "POST":
        rationale = request.POST.get("rationale", "")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.scenario_commit(
                actor=request.user, scenario=scenario, version=version, rationale=rationale
            )
        except ValidationError as error:
            errors = error.message_dict
        except StaleVersionError:
            errors = {"__all__": [_("Someone changed this scenario meanwhile: reload it and try again.")]}
        else:
            messages.success(request, _("Scenario committed: the decision is recorded in the decision log."))
            return HttpResponseRedirect(reverse("governance:scenario-detail", args=[scenario.pk]))
    context = {
        "scenario": scenario,
        "portfolio": scenario.portfolio,
        "errors": errors,
        "general_error": _joined(errors.get("__all__")),
        "rationale": rationale,
    }
    status = 422 if errors and (request.method == "POST" or scenario.is_frozen) else 200
    if scenario.is_frozen and request.method == "GET":
        status = 200
    return render(request, "governance/scenario_commit.html", context, status=status)


@login_required
@require_safe
def scenario_compare(request, pk):
    portfolio = _get_portfolio(request, pk)
    available = list(scenarios_of(user=request.user, portfolio=portfolio))
    wanted = [int(v) for v in request.GET.getlist("scenario") if v.isdigit()][:MAX_COMPARED]
    chosen = [s for s in available if s.pk in wanted] or [s for s in available if s.run_status == "optimal"][
        :2
    ]
    columns = []
    projects: dict[int, str] = {}
    for scenario in chosen:
        inputs = scenario_inputs(scenario)
        labels = _labels(inputs)
        projects.update(labels)
        outcome = scenario_display.outcome(
            scenario.result, labels=labels, roles=inputs.roles, currency=portfolio.currency
        )
        columns.append(
            {
                "scenario": scenario,
                "outcome": outcome,
                "selected": set(outcome.selected) if outcome else set(),
            }
        )
    matrix = [
        {"label": label, "cells": [pk in column["selected"] for column in columns]}
        for pk, label in sorted(projects.items(), key=lambda item: item[1])
    ]
    limits = sorted(
        {(u.kind, u.name) for c in columns if c["outcome"] for u in c["outcome"].uses},
        key=lambda item: (item[0] != "budget", item[1]),
    )
    use_rows = []
    for kind, name in limits:
        cells = []
        for column in columns:
            found = (
                next((u for u in column["outcome"].uses if u.name == name), None)
                if column["outcome"]
                else None
            )
            cells.append(found)
        if kind == "budget" or any(use is not None and use.used for use in cells):
            # capacity of a quarter nobody books is left out
            use_rows.append({"kind": kind, "name": name, "cells": cells})
    context = {
        "portfolio": portfolio,
        "available": available,
        "columns": columns,
        "matrix": matrix,
        "use_rows": use_rows,
        "max_compared": MAX_COMPARED,
    }
    return render(request, "governance/scenario_compare.html", context)
