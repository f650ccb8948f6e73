"""Reads of portfolio scenarios: the optimiser's candidates and limits built from the database, the
pool's role capacity per quarter (to prefill a scenario), the lists, and the comparison.

`scenario_inputs` runs a constant number of queries whatever the number of projects: the scenario's
entries with their project, the scoring criteria, the scores, the planned cost lines summed per
project, year and kind, the allocations, the dependencies, the budgets and the capacities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from governance import optimiser
from governance.scenario_models import Scenario, ScenarioProject
from portfolio.models import Portfolio
from portfolio.resource_models import Role
from projects import capacity, scoring
from projects.capacity_selectors import role_capacity_by_period
from projects.models import Allocation, CostLine, Project, ProjectScore
from projects.strategy_selectors import RANKED_STATES, active_criteria, as_criteria

RUNNING_STATES = (Project.State.ACTIVE, Project.State.ON_HOLD)
HOURS_PER_DAY = capacity.STANDARD_DAILY_HOURS


def quarter_bounds(label: str) -> tuple[date, date]:
    """'2027-T2' → (2027-04-01, 2027-06-30)."""
    year, quarter = int(label[:4]), int(label[-1])
    first = date(year, 3 * quarter - 2, 1)
    last_month = 3 * quarter
    end = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
    return first, end.fromordinal(end.toordinal() - 1)


def quarter_of(day: date) -> str:
    return f"{day.year}-T{(day.month - 1) // 3 + 1}"


def pool_capacity(portfolio: Portfolio | int, first_year: int, years: int) -> dict[tuple[int, str], Decimal]:
    """Capacity days of each role of the portfolio's pool per quarter of the horizon (from
    projects.capacity_selectors.role_capacity_by_period, monthly, summed per quarter)."""
    rows = role_capacity_by_period(
        portfolio, date(first_year, 1, 1), date(first_year + years - 1, 12, 31), "month"
    )
    hours: dict[tuple[int, str], float] = defaultdict(float)
    for row in rows:
        hours[(row.role_id, quarter_of(row.period_start))] += row.capacity_hours
    return {key: Decimal(str(round(value / HOURS_PER_DAY, 1))) for key, value in hours.items()}


def candidate_projects(portfolio: Portfolio):
    """Projects a new scenario starts with: the portfolio's live, non-archived ones."""
    return Project.objects.filter(portfolio=portfolio, archived_at__isnull=True, state__in=RANKED_STATES)


@dataclass
class ProjectFigures:
    """What the optimiser knows of one project, with the names the pages show."""

    entry: ScenarioProject
    score: float
    scored: bool
    cost: dict[tuple[int, str], Decimal]
    demand: dict[tuple[int, str], float]
    requires: tuple[int, ...]
    requires_codes: tuple[str, ...] = ()

    @property
    def project(self) -> Project:
        return self.entry.project

    @property
    def total_cost(self) -> Decimal:
        return sum(self.cost.values(), Decimal(0))

    @property
    def total_days(self) -> float:
        return round(sum(self.demand.values()), 1)


@dataclass
class ScenarioInputs:
    scenario: Scenario
    figures: list[ProjectFigures]
    limits: optimiser.Limits
    roles: dict[int, str]

    @property
    def candidates(self) -> list[optimiser.Candidate]:
        return [
            optimiser.Candidate(
                key=f.project.pk,
                label=f"{f.project.code} – {f.project.name}",
                score=f.score,
                cost=f.cost,
                demand=f.demand,
                mandatory=f.entry.mode == ScenarioProject.Mode.MANDATORY,
                excluded=f.entry.mode == ScenarioProject.Mode.EXCLUDED,
                requires=f.requires,
            )
            for f in self.figures
        ]


def scenario_inputs(scenario: Scenario, *, today: date | None = None) -> ScenarioInputs:
    """Candidates and limits of `scenario`, read from the database in a constant number of queries.

    score: the weighted score (projects/scoring.py, 0–100; unscored projects count 0);
    cost per (year, kind): planned cost lines in the horizon — for running projects only the
    months from the current one on; demand per (role, quarter): requested and confirmed allocations
    in days (the person's role for named allocations, hours at 7 h a day)."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    years = scenario.year_list
    quarters = scenario.quarters
    horizon_start, horizon_end = date(years[0], 1, 1), date(years[-1], 12, 31)
    entries = list(scenario.entries.select_related("project").order_by("project__code"))
    ids = [e.project_id for e in entries]
    # scores
    criteria = active_criteria(scenario.portfolio)
    model = as_criteria(criteria)
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for project_id, criterion_id, value in ProjectScore.objects.filter(
        project_id__in=ids, criterion__in=[c.pk for c in criteria]
    ).values_list("project_id", "criterion_id", "value"):
        values[project_id][criterion_id] = Decimal(value)
    # cost
    running = [e.project_id for e in entries if e.project.state in RUNNING_STATES]
    cost: dict[int, dict[tuple[int, str], Decimal]] = defaultdict(dict)
    lines = (
        CostLine.objects.filter(project_id__in=ids, month__gte=horizon_start, month__lte=horizon_end)
        .exclude(project_id__in=running, month__lt=this_month)
        .annotate(year=ExtractYear("month"))
        .values("project_id", "year", "category")
        .annotate(total=Sum("planned"))
        .values_list("project_id", "year", "category", "total")
    )
    for project_id, year, category, total in lines:
        if total:
            cost[project_id][(year, category)] = total
    # demand
    demand: dict[int, dict[tuple[int, str], float]] = defaultdict(lambda: defaultdict(float))
    bounds = [(q, *quarter_bounds(q)) for q in quarters]
    allocations = Allocation.objects.filter(
        project_id__in=ids, start_date__lte=horizon_end, end_date__gte=horizon_start
    ).values_list(
        "pk",
        "project_id",
        Coalesce("resource__role_id", "role_id"),
        "start_date",
        "end_date",
        "percent",
        "hours_per_week",
        "resource__hours_per_week",
        "resource__working_time_pct",
    )
    for pk, project_id, role_id, start, end, percent, hours, r_hours, r_pct in allocations:
        fact = capacity.AllocationFact(
            id=pk,
            resource_id=None,
            role_id=role_id,
            start=start,
            end=end,
            percent=float(percent) if percent is not None else None,
            hours_per_week=float(hours) if hours is not None else None,
        )
        resource = (
            capacity.ResourceFact(id=0, daily_hours=float(r_hours) * float(r_pct) / 500)
            if r_hours is not None and r_pct is not None
            else None
        )
        for label, q_start, q_end in bounds:
            if start > q_end or end < q_start:
                continue
            booked = capacity.allocation_hours(fact, resource, q_start, q_end)
            if booked:
                demand[project_id][(role_id, label)] += booked / HOURS_PER_DAY
    # dependencies
    requires: dict[int, list[int]] = defaultdict(list)
    for project_id, needed in scenario.dependencies.values_list("project_id", "requires_id"):
        requires[project_id].append(needed)
    codes = {e.project_id: e.project.code for e in entries}
    figures = []
    for entry in entries:
        pid = entry.project_id
        score = scoring.weighted_score(values.get(pid, {}), model)
        figures.append(
            ProjectFigures(
                entry=entry,
                score=float(score.value) if score.value is not None else 0.0,
                scored=score.value is not None,
                cost=dict(cost.get(pid, {})),
                demand={key: round(days, 2) for key, days in demand.get(pid, {}).items()},
                requires=tuple(requires.get(pid, ())),
                requires_codes=tuple(codes.get(r, "?") for r in requires.get(pid, ())),
            )
        )
    budget = {
        (year, kind): amount for year, kind, amount in scenario.budgets.values_list("year", "kind", "amount")
    }
    capacities = {
        (role_id, quarter): float(days)
        for role_id, quarter, days in scenario.capacities.values_list("role_id", "quarter", "days")
    }
    role_ids = {key[0] for key in capacities} | {key[0] for f in figures for key in f.demand}
    roles = dict(Role.objects.filter(pk__in=role_ids).values_list("pk", "name"))
    return ScenarioInputs(scenario, figures, optimiser.Limits(budget, capacities), roles)


def scenarios_of(*, user, portfolio: Portfolio):
    """The portfolio's scenarios the user reads, newest first, with their number of projects."""
    from django.db.models import Count

    return (
        Scenario.objects.visible_to(user)
        .filter(portfolio=portfolio)
        .select_related("committed_by")
        .annotate(
            project_count=Count("entries", distinct=True),
            mandatory_count=Count("entries", filter=Q(entries__mode="mandatory"), distinct=True),
        )
        .order_by("-created_at")
    )
