"""Capacity vs demand reads: the heat map by person or role, its cells, over-allocations, the role
capacity that portfolio scenarios use as constraints, and the planned cost of allocations.

Every function runs a constant number of queries (resources, absences, allocations as plain tuples)
and hands the numbers to the pure functions of projects/capacity.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject

from portfolio.models import Portfolio
from portfolio.resource_models import Absence, Resource, Role
from projects import capacity
from projects.capacity import AllocationFact, Bucket, Cell, ResourceFact
from projects.models import Allocation, Project

# Allocations of projects that no longer run book nobody.
LIVE_PROJECT = Q(project__archived_at__isnull=True) & ~Q(
    project__state__in=[Project.State.CLOSED, Project.State.CANCELLED]
)
MAX_PERIODS = {"week": 78, "month": 24}
PAGE_SIZE = 50


@dataclass(frozen=True)
class CapacityFilters:
    """What the heat map shows: scope (portfolio, programme, department, skill, role), view, window."""

    start: date
    periods: int = 12
    granularity: str = "week"  # "week" | "month"
    view: str = "person"  # "person" | "role"
    portfolio: int | None = None
    programme: int | None = None
    department: str = ""
    skill: int | None = None
    role: int | None = None
    only_overloaded: bool = False


@dataclass
class HeatRow:
    key: int
    label: str
    detail: str
    row: capacity.Row
    people: int = 0

    @property
    def cells(self) -> list[Cell]:
        return self.row.cells

    @property
    def overloaded(self) -> bool:
        return self.row.overloaded


@dataclass
class HeatMap:
    filters: CapacityFilters
    columns: tuple[Bucket, ...]
    rows: list[HeatRow]
    totals: list[Cell]
    overloaded_count: int = 0
    drafted: frozenset[int] = field(default_factory=frozenset)

    @property
    def start(self) -> date:
        return self.columns[0].start

    @property
    def end(self) -> date:
        return self.columns[-1].end


# --- Scope ---------------------------------------------------------------------------------------


def visible_resources(*, user) -> QuerySet[Resource]:
    """The resources the user may read, with their role and pool portfolio."""
    return Resource.objects.visible_to(user).select_related("role", "portfolio")


def _scoped_resources(*, user, filters: CapacityFilters) -> QuerySet[Resource]:
    resources = Resource.objects.visible_to(user).filter(archived_at__isnull=True)
    if filters.portfolio:
        resources = resources.filter(portfolio_id=filters.portfolio)
    if filters.department:
        resources = resources.filter(department=filters.department)
    if filters.skill:
        resources = resources.filter(skills__skill_id=filters.skill)
    if filters.role:
        resources = resources.filter(role_id=filters.role)
    return resources


def _facts(resource_rows: list[tuple], absences: Iterable[tuple]) -> dict[int, ResourceFact]:
    by_resource: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for resource_id, start, end in absences:
        by_resource[resource_id].append((start, end))
    return {
        pk: ResourceFact(
            id=pk,
            daily_hours=float(hours) * pct / 500,
            available_from=available_from,
            available_until=available_until,
            absences=tuple(sorted(by_resource.get(pk, ()))),
        )
        for pk, hours, pct, available_from, available_until, *_rest in resource_rows
    }


def _allocation_fact(row: tuple, draft: dict | None = None) -> AllocationFact:
    pk, resource_id, role_id, start, end, percent, hours, state = row
    change = (draft or {}).get(pk)
    if change:
        start, end = change["start_date"], change["end_date"]
        percent = change.get("percent")
        hours = change.get("hours_per_week")
    return AllocationFact(
        id=pk,
        resource_id=resource_id,
        role_id=role_id,
        start=start,
        end=end,
        percent=float(percent) if percent is not None else None,
        hours_per_week=float(hours) if hours is not None else None,
        confirmed=state == Allocation.State.CONFIRMED,
    )


ALLOCATION_COLUMNS = (
    "pk",
    "resource_id",
    "role_id",
    "start_date",
    "end_date",
    "percent",
    "hours_per_week",
    "state",
)
RESOURCE_COLUMNS = (
    "pk",
    "hours_per_week",
    "working_time_pct",
    "available_from",
    "available_until",
    "name",
    "role__name",
    "department",
    "role_id",
)


def _overlapping(allocations: QuerySet[Allocation], start: date, end: date, draft: dict | None) -> QuerySet:
    """Allocations touching the window, plus drafted ones that the draft moves into it."""
    overlap = Q(start_date__lte=end, end_date__gte=start)
    if draft:
        overlap |= Q(pk__in=list(draft))
    return allocations.filter(overlap)


def normalised(filters: CapacityFilters) -> CapacityFilters:
    granularity = filters.granularity if filters.granularity in MAX_PERIODS else "week"
    periods = max(1, min(filters.periods, MAX_PERIODS[granularity]))
    view = filters.view if filters.view in ("person", "role") else "person"
    return CapacityFilters(
        **{**filters.__dict__, "granularity": granularity, "periods": periods, "view": view}
    )


def heat_map(
    *, user, filters: CapacityFilters, draft: dict | None = None, only: list[int] | None = None
) -> HeatMap:
    """The heat map of the user's visible pool: rows by person or by role, one cell per bucket.

    `draft` (allocation id → new start/end/effort) is a what-if: the numbers as if those allocations
    were changed, nothing saved. Queries: 3 (resources, absences, allocations) + 1 for role names.
    """
    filters = normalised(filters)
    columns = capacity.buckets(filters.start, filters.periods, filters.granularity)
    start, end = columns[0].start, columns[-1].end
    resources = _scoped_resources(user=user, filters=filters)
    if only is not None:  # one person's row (the resource page)
        resources = resources.filter(pk__in=only)
    if filters.programme and filters.view == "person":
        staffed = Allocation.objects.filter(
            LIVE_PROJECT, project__programme_id=filters.programme, start_date__lte=end, end_date__gte=start
        ).values("resource_id")
        resources = resources.filter(pk__in=staffed)
    resource_rows = list(resources.order_by("name", "pk").values_list(*RESOURCE_COLUMNS).distinct())
    ids = [row[0] for row in resource_rows]
    absences = Absence.objects.filter(
        resource_id__in=resources.values("pk"), start_date__lte=end, end_date__gte=start
    )
    facts = _facts(resource_rows, absences.values_list("resource_id", "start_date", "end_date"))
    live = Allocation.objects.filter(LIVE_PROJECT)
    if filters.view == "person":
        allocations = _overlapping(live.filter(resource_id__in=resources.values("pk")), start, end, draft)
        facts_list = [_allocation_fact(r, draft) for r in allocations.values_list(*ALLOCATION_COLUMNS)]
        computed = capacity.person_rows((facts[pk] for pk in ids), facts_list, columns)
        rows = [
            HeatRow(
                key=pk,
                label=name,
                detail=" · ".join(x for x in (role_name, department) if x),
                row=computed[pk],
            )
            for pk, _h, _p, _f, _u, name, role_name, department, _r in resource_rows
        ]
    else:
        portfolio_ids = resources.values("portfolio_id") if not filters.portfolio else [filters.portfolio]
        demand = live.filter(project__portfolio_id__in=portfolio_ids)
        if filters.programme:
            demand = demand.filter(project__programme_id=filters.programme)
        if filters.department or filters.skill:
            demand = demand.filter(resource_id__in=resources.values("pk"))
        if filters.role:
            demand = demand.filter(role_id=filters.role)
        demand = _overlapping(demand, start, end, draft)
        allocation_rows = list(demand.values_list(*ALLOCATION_COLUMNS))
        # Named allocations of people outside the filtered pool still need their capacity facts.
        missing = {r[1] for r in allocation_rows if r[1] is not None and r[1] not in facts}
        if missing:
            extra = Resource.objects.filter(pk__in=missing).values_list(*RESOURCE_COLUMNS)
            extra_absences = Absence.objects.filter(resource_id__in=missing).values_list(
                "resource_id", "start_date", "end_date"
            )
            other_facts = _facts(list(extra), extra_absences)
        else:
            other_facts = {}
        computed = capacity.role_rows(
            [(row[8], facts[row[0]]) for row in resource_rows],
            [_allocation_fact(r, draft) for r in allocation_rows],
            columns,
            resource_facts=other_facts,
        )
        names = dict(Role.objects.filter(pk__in=list(computed)).values_list("pk", "name"))
        people = defaultdict(int)
        for row in resource_rows:
            people[row[8]] += 1
        rows = sorted(
            (
                HeatRow(
                    key=role_id,
                    label=names.get(role_id, "?"),
                    detail="",
                    row=row,
                    people=people[role_id],
                )
                for role_id, row in computed.items()
            ),
            key=lambda r: r.label,
        )
    overloaded = sum(1 for row in rows if row.overloaded)
    if filters.only_overloaded:
        rows = [row for row in rows if row.overloaded]
    size = len(columns)
    sums = [
        [sum(column) for column in zip(*(getattr(r.row, name) for r in rows), strict=True)]
        if rows
        else [0.0] * size
        for name in ("capacity", "confirmed", "requested")
    ]
    totals = [Cell(c, f, r) for c, f, r in zip(*sums, strict=True)]
    return HeatMap(
        filters=filters,
        columns=columns,
        rows=rows,
        totals=totals,
        overloaded_count=overloaded,
        drafted=frozenset(draft or ()),
    )


# --- Drill-down and over-allocation ----------------------------------------------------------------


def cell_allocations(
    *,
    user,
    start: date,
    end: date,
    resource: int | None = None,
    role: int | None = None,
    filters: CapacityFilters | None = None,
) -> QuerySet[Allocation]:
    """The allocations behind one heat-map cell: a visible resource's (or a role's) bookings that
    touch the period, with their project."""
    rows = Allocation.objects.filter(LIVE_PROJECT, start_date__lte=end, end_date__gte=start).select_related(
        "project", "resource", "role"
    )
    if resource is not None:
        rows = rows.filter(resource__in=Resource.objects.visible_to(user).values("pk"), resource_id=resource)
    elif role is not None:
        visible_portfolios = Resource.objects.visible_to(user).values("portfolio_id")
        rows = rows.filter(role_id=role, project__portfolio_id__in=visible_portfolios)
        if filters and filters.portfolio:
            rows = rows.filter(project__portfolio_id=filters.portfolio)
        if filters and filters.programme:
            rows = rows.filter(project__programme_id=filters.programme)
    else:
        return rows.none()
    return rows.order_by("project__code", "start_date", "pk")


@dataclass
class Overallocation:
    resource_id: int
    name: str
    role: str
    department: str
    weeks: list[tuple[Bucket, Cell]]
    projects: list[tuple[int, str, str]]  # (id, code, name)

    @property
    def peak(self) -> float | None:
        """The worst load in %, None when booked without any capacity (on leave: ∞)."""
        loads = [cell.load for _bucket, cell in self.weeks]
        if any(load is None for load in loads):
            return None
        return max(loads, default=0.0)


def overallocations(*, user, filters: CapacityFilters) -> list[Overallocation]:
    """People booked beyond capacity in at least one bucket of the window, with the overloaded
    buckets and the projects booking them there (4 queries)."""
    heat = heat_map(user=user, filters=CapacityFilters(**{**normalised(filters).__dict__, "view": "person"}))
    flagged = {row.key: row for row in heat.rows if row.overloaded}
    if not flagged:
        return []
    involved: dict[int, dict[int, tuple[int, str, str]]] = defaultdict(dict)
    spans: dict[int, list[tuple[date, date]]] = {
        pk: [(b.start, b.end) for b, c in zip(heat.columns, row.cells, strict=True) if c.overloaded]
        for pk, row in flagged.items()
    }
    rows = Allocation.objects.filter(
        LIVE_PROJECT, resource_id__in=list(flagged), start_date__lte=heat.end, end_date__gte=heat.start
    ).values_list("resource_id", "start_date", "end_date", "project_id", "project__code", "project__name")
    for resource_id, start, end, project_id, code, name in rows:
        if any(start <= b_end and end >= b_start for b_start, b_end in spans[resource_id]):
            involved[resource_id][project_id] = (project_id, code, name)
    result = []
    for pk, row in flagged.items():
        role, _sep, department = row.detail.partition(" · ")
        result.append(
            Overallocation(
                resource_id=pk,
                name=row.label,
                role=role,
                department=department,
                weeks=[(b, c) for b, c in zip(heat.columns, row.cells, strict=True) if c.overloaded],
                projects=sorted(involved[pk].values(), key=lambda p: p[1]),
            )
        )
    return sorted(result, key=lambda o: (-(o.peak if o.peak is not None else 1e9), o.name))


# --- For portfolio scenarios and reporting ----------------------------------------------------------


@dataclass(frozen=True)
class RolePeriod:
    """Capacity and demand of one role in one period, in hours and in days of 7 hours."""

    role_id: int
    role: str
    period_start: date
    period_end: date
    capacity_hours: float
    confirmed_hours: float
    requested_hours: float

    @property
    def demand_hours(self) -> float:
        return self.confirmed_hours + self.requested_hours

    @property
    def free_hours(self) -> float:
        return self.capacity_hours - self.demand_hours

    @property
    def capacity_days(self) -> float:
        return capacity.to_days(self.capacity_hours)

    @property
    def demand_days(self) -> float:
        return capacity.to_days(self.demand_hours)

    @property
    def load(self) -> float | None:
        return (
            100 * self.demand_hours / self.capacity_hours if self.capacity_hours > capacity.EPSILON else None
        )


def role_capacity_by_period(
    portfolio: Portfolio | int, start: date, end: date, granularity: str = "month"
) -> list[RolePeriod]:
    """Per role and period (weeks or months covering `start`..`end`): the capacity of the portfolio's
    pool (availability, working time, absences, French holidays) and the demand of its live projects'
    allocations, confirmed and requested, named or not. Unscoped (the caller checked access);
    4 queries whatever the pool size. Portfolio scenarios use it as their capacity constraints."""
    portfolio_id = portfolio if isinstance(portfolio, int) else portfolio.pk
    return _role_periods([portfolio_id], start, end, granularity)


def _role_periods(portfolio_ids: list[int], start: date, end: date, granularity: str) -> list[RolePeriod]:
    """role_capacity_by_period over several portfolios at once (their pools and demand summed)."""
    if granularity == "month":
        count = (end.year - start.year) * 12 + end.month - start.month + 1
    else:
        count = ((end - (start - timedelta(days=start.weekday()))).days // 7) + 1
    columns = capacity.buckets(start, max(count, 1), granularity)
    window_start, window_end = columns[0].start, columns[-1].end
    resources = Resource.objects.filter(portfolio_id__in=portfolio_ids, archived_at__isnull=True)
    resource_rows = list(resources.values_list(*RESOURCE_COLUMNS))
    absences = Absence.objects.filter(
        resource__portfolio_id__in=portfolio_ids, start_date__lte=window_end, end_date__gte=window_start
    ).values_list("resource_id", "start_date", "end_date")
    facts = _facts(resource_rows, absences)
    allocations = Allocation.objects.filter(
        LIVE_PROJECT,
        project__portfolio_id__in=portfolio_ids,
        start_date__lte=window_end,
        end_date__gte=window_start,
    ).values_list(*ALLOCATION_COLUMNS)
    computed = capacity.role_rows(
        [(row[8], facts[row[0]]) for row in resource_rows],
        [_allocation_fact(r) for r in allocations],
        columns,
    )
    names = dict(Role.objects.filter(pk__in=list(computed)).values_list("pk", "name"))
    return [
        RolePeriod(
            role_id=role_id,
            role=names.get(role_id, "?"),
            period_start=bucket.start,
            period_end=bucket.end,
            capacity_hours=cell.capacity,
            confirmed_hours=cell.confirmed,
            requested_hours=cell.requested,
        )
        for role_id, row in sorted(computed.items(), key=lambda item: names.get(item[0], ""))
        for bucket, cell in zip(columns, row.cells, strict=True)
    ]


@dataclass(frozen=True)
class OverloadedRole:
    role: str
    capacity_days: float
    demand_days: float
    peak_load: float | None  # worst month, % (None: demand without capacity)
    peak_month: date


def next_quarter(today: date) -> tuple[date, date]:
    """The calendar quarter after `today`'s."""
    first_month = ((today.month - 1) // 3 + 1) * 3 + 1
    year = today.year + (first_month - 1) // 12
    first_month = (first_month - 1) % 12 + 1
    start = date(year, first_month, 1)
    end_month = start.month + 2
    end = (date(year, end_month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


def overloaded_roles(*, portfolio_ids: Iterable[int], start: date, end: date) -> list[OverloadedRole]:
    """Roles whose demand exceeds capacity in at least one month of `start`..`end`, worst first: the
    capacity summary of the dashboard and of the COPIL pack. Unscoped: pass visible portfolios."""
    by_role: dict[str, list[RolePeriod]] = defaultdict(list)
    ids = sorted(set(portfolio_ids))
    for period in _role_periods(ids, start, end, "month") if ids else []:
        by_role[period.role].append(period)
    result = []
    for role, periods in by_role.items():
        months: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for period in periods:
            months[period.period_start][0] += period.capacity_hours
            months[period.period_start][1] += period.demand_hours
        worst_month, worst = None, -1.0
        for month, (cap, dem) in sorted(months.items()):
            load = (
                float("inf")
                if cap <= capacity.EPSILON and dem > capacity.EPSILON
                else (100 * dem / cap if cap else 0.0)
            )
            if load > worst:
                worst_month, worst = month, load
        if worst > 100 + capacity.EPSILON:
            result.append(
                OverloadedRole(
                    role=role,
                    capacity_days=capacity.to_days(sum(c for c, _ in months.values())),
                    demand_days=capacity.to_days(sum(d for _, d in months.values())),
                    peak_load=None if worst == float("inf") else worst,
                    peak_month=worst_month,
                )
            )
    return sorted(result, key=lambda r: (-(r.peak_load if r.peak_load is not None else 1e9), r.role))


# --- Planned cost --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationCost:
    allocation: Allocation
    days: Decimal
    rate: Decimal
    cost: Decimal


@dataclass(frozen=True)
class AllocationCosts:
    rows: list[AllocationCost]
    total_days: Decimal
    total_cost: Decimal
    confirmed_cost: Decimal


def project_allocations(*, project: Project) -> QuerySet[Allocation]:
    return (
        Allocation.objects.filter(project=project)
        .select_related("resource", "role", "requested_by")
        .order_by("start_date", "pk")
    )


def project_allocation_costs(*, project: Project) -> AllocationCosts:
    """Planned cost of the project's allocations: effort in days × the resource's day rate (the
    role's standard rate for a role demand). Separate from the cost plan (CostLine). 1 query: each
    resource's absences come as an array in the same row."""
    absences = Absence.objects.filter(resource_id=OuterRef("resource_id")).values(
        period=JSONObject(start="start_date", end="end_date")
    )
    allocations = list(project_allocations(project=project).annotate(absence_periods=ArraySubquery(absences)))
    facts = _facts(
        [
            (
                a.resource.pk,
                a.resource.hours_per_week,
                a.resource.working_time_pct,
                a.resource.available_from,
                a.resource.available_until,
            )
            for a in allocations
            if a.resource_id
        ],
        (
            (a.resource_id, date.fromisoformat(p["start"]), date.fromisoformat(p["end"]))
            for a in allocations
            if a.resource_id
            for p in a.absence_periods
        ),
    )
    rows = []
    for allocation in allocations:
        fact = _allocation_fact(
            tuple(getattr(allocation, c if c != "pk" else "pk") for c in ALLOCATION_COLUMNS)
        )
        resource = facts.get(allocation.resource_id) if allocation.resource_id else None
        hours = capacity.allocation_hours(fact, resource, allocation.start_date, allocation.end_date)
        if allocation.resource_id:
            day = float(allocation.resource.hours_per_week) / 5
            rate = allocation.resource.cost_rate_per_day
        else:
            day = capacity.STANDARD_DAILY_HOURS
            rate = allocation.role.cost_rate_per_day
        days = Decimal(str(round(hours / day, 2))) if day else Decimal("0")
        rows.append(
            AllocationCost(
                allocation=allocation, days=days, rate=rate, cost=(days * rate).quantize(Decimal("0.01"))
            )
        )
    return AllocationCosts(
        rows=rows,
        total_days=sum((r.days for r in rows), Decimal("0")),
        total_cost=sum((r.cost for r in rows), Decimal("0")),
        confirmed_cost=sum(
            (r.cost for r in rows if r.allocation.state == Allocation.State.CONFIRMED), Decimal("0")
        ),
    )


@dataclass(frozen=True)
class CapacitySummary:
    start: date
    end: date
    roles: list[OverloadedRole]


def capacity_summary(*, portfolio_id: int | None, as_of: date) -> CapacitySummary:
    """The overloaded roles of a portfolio's pool next quarter (after `as_of`): the COPIL pack's
    capacity page. Unscoped: the pack's scope was checked when the run was requested. 4 queries."""
    start, end = next_quarter(as_of)
    roles = overloaded_roles(portfolio_ids=[portfolio_id], start=start, end=end) if portfolio_id else []
    return CapacitySummary(start=start, end=end, roles=roles)


def overload_warning(*, allocation: Allocation) -> str:
    """In a flexible portfolio, the message that flags a booking taking its resource beyond
    capacity (empty when it does not): over-allocation is allowed, but never silently."""
    from django.utils.translation import gettext as _

    if allocation.resource_id is None:
        return ""
    resource = allocation.resource
    absences = tuple(resource.absences.order_by("start_date").values_list("start_date", "end_date"))
    fact = ResourceFact(
        id=resource.pk,
        daily_hours=float(resource.daily_hours),
        available_from=resource.available_from,
        available_until=resource.available_until,
        absences=absences,
    )
    bookings = [
        _allocation_fact(row)
        for row in Allocation.objects.filter(
            LIVE_PROJECT,
            resource_id=resource.pk,
            start_date__lte=allocation.end_date,
            end_date__gte=allocation.start_date,
        ).values_list(*ALLOCATION_COLUMNS)
    ]
    found = capacity.first_overload(fact, bookings, allocation.start_date, allocation.end_date)
    if found is None:
        return ""
    bucket, cell = found
    load = "∞" if cell.load is None else f"{round(cell.load)} %"
    return _(
        "%(name)s is over capacity from the week of %(week)s (%(load)s): over-allocation is flagged."
    ) % {
        "name": resource.name,
        "week": bucket.start.strftime("%d/%m/%Y"),
        "load": load,
    }
