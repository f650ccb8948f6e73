"""Writes on portfolio scenarios: create (prefilled), edit (limits, modes, dependencies), run the
optimiser (inline when small, as a Celery task with visible progress when large), commit (a
governance Decision, and the scenario is frozen). Validated first, written all-or-nothing, audited
with the actor, version-checked."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import optimiser
from governance.control_models import Decision
from governance.intake_models import ProjectProposal
from governance.scenario_models import (
    CostKind,
    Scenario,
    ScenarioBudget,
    ScenarioCapacity,
    ScenarioDependency,
    ScenarioProject,
)
from governance.scenario_selectors import (
    RUNNING_STATES,
    candidate_projects,
    pool_capacity,
    scenario_inputs,
)
from pmo.core.audit import audit_context
from pmo.core.locking import StaleVersionError, versioned_update
from portfolio.models import Portfolio
from projects.models import CostLine, Dependency, Project

# Above this many projects the run goes to a Celery worker and the page follows its progress.
ASYNC_THRESHOLD = 300
# Above this many projects the solver stops within 0.5 % of the optimum and the search for the
# projects just over the line re-solves for the 8 tightest binding limits only (issue 7 figures).
LARGE = 100
LARGE_SETTINGS = optimiser.LARGE_SETTINGS
FRONTIER_POINTS = 12
SCENARIO_FIELDS = ("name", "description", "first_year", "years")


class ScenarioFrozen(Exception):
    """The scenario was committed: it is a record now (HTTP 409, 422 on pages)."""

    def __init__(self, scenario: Scenario | None = None):
        super().__init__(_("This scenario was committed: it can no longer be changed or run."))


def _check_open(scenario: Scenario) -> None:
    if scenario.is_frozen:
        raise ScenarioFrozen(scenario)


def _validate_fields(scenario: Scenario, data: Mapping[str, Any]) -> Scenario:
    candidate = Scenario(**{f.attname: getattr(scenario, f.attname) for f in Scenario._meta.concrete_fields})
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["version", "portfolio", "result", "frontier"], validate_unique=False)
    clash = Scenario.objects.filter(portfolio_id=scenario.portfolio_id, name=candidate.name)
    if scenario.pk:
        clash = clash.exclude(pk=scenario.pk)
    if clash.exists():
        raise ValidationError({"name": _("A scenario of this portfolio already has this name.")})
    return candidate


def _round_up(amount: Decimal, step: Decimal = Decimal(10000)) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


@transaction.atomic
def scenario_create(*, actor, portfolio: Portfolio, data: Mapping[str, Any], today=None) -> Scenario:
    """A new draft scenario of `portfolio`: every proposed project a candidate, running ones
    mandatory (already committed), and so are projects whose request is a regulatory or contractual
    obligation (`ProjectProposal.mandatory`); budgets prefilled with the planned cost of all of them (rounded
    up to 10 000), capacity with the pool's, dependencies with the projects' dependency register."""
    today = today or timezone.localdate()
    data = {k: v for k, v in data.items() if k in SCENARIO_FIELDS}
    data.setdefault("first_year", today.year + 1)
    data.setdefault("years", 2)
    scenario = _validate_fields(Scenario(portfolio=portfolio), data)
    scenario.created_by = actor if getattr(actor, "pk", None) else None
    with audit_context(actor=actor):
        scenario.save()
        projects = list(candidate_projects(portfolio).order_by("code"))
        obliged = set(
            ProjectProposal.objects.filter(project__in=projects, mandatory=True).values_list(
                "project_id", flat=True
            )
        )
        ScenarioProject.objects.bulk_create(
            ScenarioProject(
                scenario=scenario,
                project=p,
                mode=ScenarioProject.Mode.MANDATORY
                if p.state in RUNNING_STATES or p.pk in obliged
                else ScenarioProject.Mode.CANDIDATE,
            )
            for p in projects
        )
        _fill_horizon(scenario, [p.pk for p in projects], today=today)
        ids = [p.pk for p in projects]
        ScenarioDependency.objects.bulk_create(
            ScenarioDependency(scenario=scenario, project_id=a, requires_id=b)
            for a, b in set(
                Dependency.objects.filter(project_id__in=ids, depends_on_project_id__in=ids).values_list(
                    "project_id", "depends_on_project_id"
                )
            )
        )
    return scenario


def _fill_horizon(scenario: Scenario, project_ids: list[int], *, today) -> None:
    """Budgets and capacities for the years of the horizon that have none (those outside it go)."""
    years = scenario.year_list
    quarters = scenario.quarters
    scenario.budgets.exclude(year__in=years).delete()
    scenario.capacities.exclude(quarter__in=quarters).delete()
    have = set(scenario.budgets.values_list("year", "kind"))
    planned: dict[tuple[int, str], Decimal] = {}
    for _project_id, month, kind, amount in CostLine.objects.filter(
        project_id__in=project_ids, month__year__in=years
    ).values_list("project_id", "month", "category", "planned"):
        planned[(month.year, kind)] = planned.get((month.year, kind), Decimal(0)) + amount
    ScenarioBudget.objects.bulk_create(
        ScenarioBudget(scenario=scenario, year=y, kind=k, amount=_round_up(planned.get((y, k), Decimal(0))))
        for y in years
        for k in CostKind.values
        if (y, k) not in have
    )
    have_cap = set(scenario.capacities.values_list("role_id", "quarter"))
    ScenarioCapacity.objects.bulk_create(
        ScenarioCapacity(scenario=scenario, role_id=role_id, quarter=quarter, days=days)
        for (role_id, quarter), days in sorted(
            pool_capacity(scenario.portfolio_id, years[0], len(years)).items()
        )
        if (role_id, quarter) not in have_cap and quarter in quarters
    )


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", "."))
    except Exception:  # noqa: BLE001
        errors[field] = _("Enter a number.")
        return None
    if not number.is_finite() or number < 0:
        errors[field] = _("Enter a number, zero or more.")
        return None
    return number


@transaction.atomic
def scenario_update(
    *,
    actor,
    scenario: Scenario,
    version: int,
    data: Mapping[str, Any] | None = None,
    budgets: Mapping[tuple[int, str], Any] | None = None,
    capacities: Mapping[tuple[int, str], Any] | None = None,
    modes: Mapping[int, str] | None = None,
    manual: Mapping[int, bool | None] | None = None,
    dependencies: Iterable[tuple[int, int]] | None = None,
) -> Scenario:
    """Change the scenario's fields, budgets ((year, kind) → amount), capacities ((role id,
    quarter) → days), project modes (project id → mode), hand-made choices and dependencies (the
    whole set of (project, required project) pairs). Everything is checked before anything is
    written; errors name the field ("budget-2027-capex", "capacity-3-2027-T1", "mode-12"…)."""
    _check_open(scenario)
    data = {k: v for k, v in (data or {}).items() if k in SCENARIO_FIELDS}
    errors: dict[str, str] = {}
    try:
        candidate = _validate_fields(scenario, data)
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
        candidate = scenario
    years = set(candidate.year_list)
    quarters = set(candidate.quarters)
    clean_budgets = {}
    for (year, kind), value in (budgets or {}).items():
        field = f"budget-{year}-{kind}"
        if kind not in CostKind.values or int(year) not in years:
            errors[field] = _("No such year or kind in the scenario's horizon.")
            continue
        amount = _decimal(value, field, errors)
        if amount is not None:
            clean_budgets[(int(year), kind)] = amount
    clean_capacity = {}
    for (role_id, quarter), value in (capacities or {}).items():
        field = f"capacity-{role_id}-{quarter}"
        if quarter not in quarters:
            errors[field] = _("No such quarter in the scenario's horizon.")
            continue
        days = _decimal(value, field, errors)
        if days is not None:
            clean_capacity[(int(role_id), quarter)] = days
    entries = {e.project_id: e for e in scenario.entries.all()}
    for project_id, mode in (modes or {}).items():
        if project_id not in entries:
            errors[f"mode-{project_id}"] = _("This project is not in the scenario.")
        elif mode not in ScenarioProject.Mode.values:
            errors[f"mode-{project_id}"] = _("Choose candidate, mandatory or excluded.")
    for project_id in manual or {}:
        if project_id not in entries:
            errors[f"manual-{project_id}"] = _("This project is not in the scenario.")
    pairs = None
    if dependencies is not None:
        pairs = set()
        for project_id, needed in dependencies:
            field = f"requires-{project_id}"
            if project_id not in entries or needed not in entries:
                errors[field] = _("Both projects of a dependency must be in the scenario.")
            elif project_id == needed:
                errors[field] = _("A project cannot need itself.")
            else:
                pairs.add((project_id, needed))
    if errors:
        raise ValidationError(errors)
    with audit_context(actor=actor):
        fields = {k: getattr(candidate, k) for k in data}
        updated = versioned_update(instance=scenario, expected_version=version, fields=fields)
        if "first_year" in data or "years" in data:
            _fill_horizon(updated, list(entries), today=timezone.localdate())
        for (year, kind), amount in clean_budgets.items():
            ScenarioBudget.objects.update_or_create(
                scenario=updated, year=year, kind=kind, defaults={"amount": amount}
            )
        existing = {(c.role_id, c.quarter): c for c in updated.capacities.all()}
        for key, days in clean_capacity.items():
            row = existing.get(key)
            if row is None:
                ScenarioCapacity.objects.create(scenario=updated, role_id=key[0], quarter=key[1], days=days)
            elif row.days != days:
                row.days = days
                row.save(update_fields=["days"])
        for project_id, mode in (modes or {}).items():
            if entries[project_id].mode != mode:
                ScenarioProject.objects.filter(pk=entries[project_id].pk).update(mode=mode)
        for project_id, choice in (manual or {}).items():
            if entries[project_id].manual != choice:
                ScenarioProject.objects.filter(pk=entries[project_id].pk).update(manual=choice)
        if pairs is not None:
            current = set(updated.dependencies.values_list("project_id", "requires_id"))
            for project_id, needed in current - pairs:
                updated.dependencies.filter(project_id=project_id, requires_id=needed).delete()
            ScenarioDependency.objects.bulk_create(
                ScenarioDependency(scenario=updated, project_id=a, requires_id=b) for a, b in pairs - current
            )
    return updated


# --- Running ---------------------------------------------------------------------------------------


def conflicts(candidates: list[optimiser.Candidate], limits: optimiser.Limits) -> list[dict]:
    """Why no selection can satisfy the limits, as structured problems (rendered in words by
    `problem_text`): a project both required and excluded, a limit the mandatory projects (with
    what they need) exceed on their own."""
    by_key = {c.key: c for c in candidates}
    forced = {c.key for c in candidates if c.mandatory}
    needed_by: dict = {}
    stack = list(forced)
    while stack:
        key = stack.pop()
        for needed in by_key[key].requires:
            if needed in by_key and needed not in forced:
                forced.add(needed)
                needed_by[needed] = key
                stack.append(needed)
    problems = []
    for key in sorted(forced, key=str):
        if by_key[key].excluded:
            problems.append({"kind": "excluded", "project": key, "needed_by": needed_by.get(key)})
    chosen = [by_key[k] for k in forced]
    for use in optimiser._uses(chosen, limits):
        if use.used > use.limit + 1e-6:
            problems.append(
                {
                    "kind": use.kind,
                    "key": list(use.key),
                    "used": use.used,
                    "limit": use.limit,
                    "over": use.used - use.limit,
                    "projects": [c.key for c in chosen if _need(c, use) > 0],
                }
            )
    return problems


def _need(candidate: optimiser.Candidate, use: optimiser.Use) -> float:
    source = candidate.cost if use.kind == "budget" else candidate.demand
    return float(source.get(use.key, 0))


def _use_json(use: optimiser.Use, binding: set) -> dict:
    return {
        "kind": use.kind,
        "key": list(use.key),
        "used": round(use.used, 2),
        "limit": round(use.limit, 2),
        "binding": (use.kind, use.key) in binding,
    }


def _snapshot(result: optimiser.Result) -> dict:
    binding = {(u.kind, u.key) for u in result.binding}
    return {
        "status": result.status,
        "selected": list(result.selected),
        "score": result.score,
        "uses": [_use_json(u, binding) for u in result.uses],
        "left_out": [
            {
                "project": item.key,
                "score": item.score,
                "just_over_the_line": item.just_over_the_line,
                "blockers": [
                    {
                        "kind": b.kind,
                        "key": list(b.key) if isinstance(b.key, tuple) else b.key,
                        "missing": round(b.missing, 2),
                        "limit": round(b.limit, 2),
                    }
                    for b in item.blockers
                ],
            }
            for item in result.left_out
        ],
    }


def compute(scenario: Scenario, *, progress: Callable[[int], None] = lambda _p: None) -> dict:
    """Run the optimiser on the scenario as it is in the database; returns the snapshot (nothing
    written). Infeasible: the snapshot names the conflicting constraints."""
    inputs = scenario_inputs(scenario)
    candidates = inputs.candidates
    limits = inputs.limits
    progress(20)
    started = time.perf_counter()
    problems = conflicts(candidates, limits)
    if problems:
        snapshot = {"status": "infeasible", "problems": problems, "selected": [], "score": 0, "uses": []}
        return {"snapshot": snapshot, "seconds": time.perf_counter() - started, "frontier": []}
    settings = LARGE_SETTINGS if len(candidates) > LARGE else {}
    result = optimiser.optimise(candidates, limits, **settings)
    seconds = time.perf_counter() - started
    progress(60)
    if result.status != "optimal":
        snapshot = {"status": "infeasible", "problems": [{"kind": "solver"}], "selected": [], "score": 0}
        return {"snapshot": snapshot, "seconds": seconds, "frontier": []}
    snapshot = _snapshot(result)
    hand_made = {f.project.pk for f in inputs.figures if f.entry.manual}
    if any(f.entry.manual is not None for f in inputs.figures):
        snapshot["manual"] = _snapshot(optimiser.explain(candidates, limits, hand_made))
    snapshot["budget_total"] = float(sum(limits.budget.values(), Decimal(0)))
    frontier = _frontier(candidates, limits, mip_gap=settings.get("mip_gap"))
    progress(95)
    return {"snapshot": snapshot, "seconds": seconds, "frontier": frontier}


def _frontier(candidates, limits, *, mip_gap=None) -> list[dict]:
    forced = [c for c in candidates if c.mandatory]
    low = float(sum((sum(c.cost.values(), Decimal(0)) for c in forced), Decimal(0)))
    high = float(sum((sum(c.cost.values(), Decimal(0)) for c in candidates if not c.excluded), Decimal(0)))
    if high <= low:
        budgets = [Decimal(str(round(high, 2)))]
    else:
        step = (high - low) / (FRONTIER_POINTS - 1)
        budgets = [Decimal(str(round(low + i * step, 2))) for i in range(FRONTIER_POINTS)]
    points = optimiser.efficient_frontier(
        candidates, limits, budgets, time_limit_s=5 if mip_gap else 10, mip_gap=mip_gap
    )
    return [{"budget": float(total), "score": score, "count": len(keys)} for total, score, keys in points]


def _store(scenario_id: int, outcome: dict) -> None:
    snapshot = outcome["snapshot"]
    selected = set(snapshot.get("selected", []))
    Scenario.objects.filter(pk=scenario_id).update(
        run_status=snapshot["status"],
        run_progress=100,
        run_at=timezone.now(),
        solver_seconds=round(outcome["seconds"], 3),
        objective=snapshot.get("score") if snapshot["status"] == "optimal" else None,
        result=snapshot,
        frontier=outcome["frontier"],
    )
    entries = ScenarioProject.objects.filter(scenario_id=scenario_id)
    if snapshot["status"] == "optimal":
        entries.filter(project_id__in=selected).update(selected=True)
        entries.exclude(project_id__in=selected).update(selected=False)
    else:
        entries.update(selected=None)


def scenario_run(*, actor, scenario: Scenario, asynchronous: bool | None = None) -> Scenario:
    """Run the optimiser: inline for up to ASYNC_THRESHOLD projects, else queued for a worker
    (`asynchronous` forces either way). A run already queued or running is not started twice."""
    _check_open(scenario)
    if scenario.is_running:
        return scenario
    count = scenario.entries.count()
    if asynchronous is None:
        asynchronous = count > ASYNC_THRESHOLD
    with audit_context(actor=actor):
        if asynchronous:
            from governance.tasks import run_scenario

            Scenario.objects.filter(pk=scenario.pk).update(
                run_status=Scenario.RunStatus.QUEUED, run_progress=0
            )
            transaction.on_commit(lambda: run_scenario.delay(scenario.pk))
        else:
            _store(scenario.pk, compute(scenario))
    scenario.refresh_from_db()
    return scenario


def run_in_worker(scenario_id: int) -> str:
    """The Celery side: claim the queued run, compute with progress, store; a failure is recorded."""
    claimed = Scenario.objects.filter(
        pk=scenario_id, run_status__in=[Scenario.RunStatus.QUEUED, Scenario.RunStatus.RUNNING]
    ).update(run_status=Scenario.RunStatus.RUNNING, run_progress=5)
    if not claimed:
        return "skipped"
    scenario = Scenario.objects.select_related("portfolio").get(pk=scenario_id)

    def progress(percent: int) -> None:
        Scenario.objects.filter(pk=scenario_id).update(run_progress=percent)

    try:
        outcome = compute(scenario, progress=progress)
    except Exception:
        Scenario.objects.filter(pk=scenario_id).update(run_status=Scenario.RunStatus.FAILED, run_progress=100)
        raise
    _store(scenario_id, outcome)
    return outcome["snapshot"]["status"]


# --- Commit ----------------------------------------------------------------------------------------


def is_stale(scenario: Scenario) -> bool:
    """Changed since its last run (the result no longer describes it)."""
    return scenario.run_at is None or scenario.updated_at > scenario.run_at


@transaction.atomic
def scenario_commit(*, actor, scenario: Scenario, version: int, rationale: str) -> Decision:
    """Commit the scenario's last (optimal, current) run: a governance Decision records the
    selection and the rationale; the scenario is frozen."""
    _check_open(scenario)
    errors = {}
    if not (rationale or "").strip():
        errors["rationale"] = _("Say why this scenario is chosen.")
    if scenario.run_status != Scenario.RunStatus.OPTIMAL:
        errors["__all__"] = _("Run the scenario successfully before committing it.")
    elif is_stale(scenario):
        errors["__all__"] = _("The scenario changed since its last run: run it again before committing it.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    selected = list(
        scenario.entries.filter(selected=True)
        .order_by("project__code")
        .values_list("project__code", flat=True)
    )
    with audit_context(actor=actor):
        updated = versioned_update(
            instance=scenario,
            expected_version=version,
            fields={"state": Scenario.State.COMMITTED, "committed_by": actor, "committed_at": now},
        )
        decision = Decision.objects.create(
            title=_("Portfolio scenario committed: %(name)s") % {"name": scenario.name},
            outcome=Decision.Outcome.APPROVED,
            rationale=rationale.strip(),
            scenario=updated,
            details={
                "scenario": scenario.pk,
                "selected": selected,
                "score": scenario.objective,
                "budget": {f"{b.year}-{b.kind}": str(b.amount) for b in scenario.budgets.all()},
            },
            decided_by=actor,
            decided_at=now,
        )
    return decision


__all__ = [
    "ASYNC_THRESHOLD",
    "ScenarioFrozen",
    "StaleVersionError",
    "Project",
    "conflicts",
    "is_stale",
    "scenario_commit",
    "scenario_create",
    "scenario_run",
    "scenario_update",
]
