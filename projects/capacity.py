"""Capacity vs demand: pure functions over frozen facts (no Django, no clock).

Units: hours. A resource's capacity in a period is its daily hours times its working days there
(French working days, inside its availability, less its absences). Demand:
- an allocation in % of capacity books that share of the capacity (so it follows absences: a person
  on leave is not booked by a % allocation, and % allocations alone never overload because of leave);
- an allocation in hours per week books hours/5 per working day of its period, leave or not (fixed
  effort: an absence under it shows as an overload);
- a role demand (no resource) in % books that share of a standard 7-hour day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from projects.qcdr import working_days_between

STANDARD_DAILY_HOURS = 7.0
EPSILON = 1e-6


def working_days(start: date, end: date) -> int:
    """French working days from `start` to `end`, both included (0 when end < start)."""
    if end < start:
        return 0
    return working_days_between(start - timedelta(days=1), end)


@dataclass(frozen=True)
class Bucket:
    """One column of the heat map: a week (Monday–Sunday) or a calendar month."""

    start: date
    end: date
    working_days: int

    @property
    def key(self) -> str:
        return self.start.isoformat()


def buckets(start: date, count: int, granularity: str) -> tuple[Bucket, ...]:
    """`count` consecutive weeks (from the Monday of `start`) or months (from the 1st of `start`)."""
    result = []
    if granularity == "month":
        first = start.replace(day=1)
        for _ in range(count):
            following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            last = following - timedelta(days=1)
            result.append(Bucket(first, last, working_days(first, last)))
            first = following
    else:
        monday = start - timedelta(days=start.weekday())
        for _ in range(count):
            sunday = monday + timedelta(days=6)
            result.append(Bucket(monday, sunday, working_days(monday, sunday)))
            monday += timedelta(days=7)
    return tuple(result)


@dataclass(frozen=True)
class ResourceFact:
    id: int
    daily_hours: float
    available_from: date | None = None
    available_until: date | None = None
    absences: tuple[tuple[date, date], ...] = ()  # sorted, may overlap


@dataclass(frozen=True)
class AllocationFact:
    id: int
    resource_id: int | None
    role_id: int
    start: date
    end: date
    percent: float | None = None
    hours_per_week: float | None = None
    confirmed: bool = False


def _merged(periods: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def capacity_days(resource: ResourceFact, start: date, end: date) -> int:
    """Working days of `resource` from `start` to `end` included: inside availability, not absent."""
    if resource.available_from and resource.available_from > start:
        start = resource.available_from
    if resource.available_until and resource.available_until < end:
        end = resource.available_until
    if end < start:
        return 0
    days = working_days(start, end)
    for absent_from, absent_to in _merged(resource.absences):
        if absent_to < start or absent_from > end:
            continue
        days -= working_days(max(absent_from, start), min(absent_to, end))
    return max(days, 0)


def _capacity_row(resource: ResourceFact, columns: Sequence[Bucket]) -> list[int]:
    """Capacity days per bucket, computed only where availability or an absence cuts the bucket."""
    row = []
    for bucket in columns:
        touched = (
            (resource.available_from and resource.available_from > bucket.start)
            or (resource.available_until and resource.available_until < bucket.end)
            or any(a_from <= bucket.end and a_to >= bucket.start for a_from, a_to in resource.absences)
        )
        row.append(capacity_days(resource, bucket.start, bucket.end) if touched else bucket.working_days)
    return row


def allocation_hours(
    allocation: AllocationFact,
    resource: ResourceFact | None,
    start: date,
    end: date,
    full_days: int | None = None,
) -> float:
    """Hours `allocation` books from `start` to `end` (clipped to its period).

    `full_days` is the resource's capacity days (or working days) of the period when the caller
    already knows the allocation covers it entirely: it saves recomputing them.
    """
    low, high = max(start, allocation.start), min(end, allocation.end)
    if high < low:
        return 0.0
    covers = low == start and high == end
    if allocation.hours_per_week is not None:
        return allocation.hours_per_week / 5 * working_days(low, high)
    share = (allocation.percent or 0.0) / 100
    if resource is None:
        return share * STANDARD_DAILY_HOURS * working_days(low, high)
    days = full_days if covers and full_days is not None else capacity_days(resource, low, high)
    return share * resource.daily_hours * days


@dataclass
class Cell:
    """One bucket of one row: capacity, booked hours (confirmed and requested) and what is left."""

    capacity: float = 0.0
    confirmed: float = 0.0
    requested: float = 0.0

    @property
    def allocated(self) -> float:
        return self.confirmed + self.requested

    @property
    def free(self) -> float:
        return self.capacity - self.allocated

    @property
    def load(self) -> float | None:
        """Booked / capacity in %; None when there is no capacity (∞ if anything is booked)."""
        if self.capacity <= EPSILON:
            return None
        return 100 * self.allocated / self.capacity

    @property
    def level(self) -> str:
        """Colour band: empty, low (< 70 %), ok (70–100 %), over (100–120 %), critical (> 120 %)."""
        if self.capacity <= EPSILON:
            return "critical" if self.allocated > EPSILON else "empty"
        load = self.allocated / self.capacity
        if load > 1.2 + EPSILON:
            return "critical"
        if load > 1 + EPSILON:
            return "over"
        if load >= 0.7:
            return "ok"
        return "low" if load > EPSILON else "empty"

    @property
    def overloaded(self) -> bool:
        return self.allocated > self.capacity + EPSILON

    def add(self, hours: float, confirmed: bool) -> None:
        if confirmed:
            self.confirmed += hours
        else:
            self.requested += hours


@dataclass
class Row:
    key: int
    cells: list[Cell] = field(default_factory=list)

    @property
    def overloaded(self) -> bool:
        return any(cell.overloaded for cell in self.cells)


def person_rows(
    resources: Iterable[ResourceFact], allocations: Iterable[AllocationFact], columns: Sequence[Bucket]
) -> dict[int, Row]:
    """Heat-map rows by resource id: capacity and named allocations per bucket."""
    rows: dict[int, Row] = {}
    facts: dict[int, ResourceFact] = {}
    capacity: dict[int, list[int]] = {}
    for resource in resources:
        facts[resource.id] = resource
        capacity[resource.id] = days = _capacity_row(resource, columns)
        rows[resource.id] = Row(resource.id, [Cell(resource.daily_hours * d) for d in days])
    if not columns:
        return rows
    window_start, window_end = columns[0].start, columns[-1].end
    for allocation in allocations:
        row = rows.get(allocation.resource_id) if allocation.resource_id is not None else None
        if row is None or allocation.end < window_start or allocation.start > window_end:
            continue
        resource = facts[allocation.resource_id]
        days = capacity[allocation.resource_id]
        for index, bucket in enumerate(columns):
            if bucket.end < allocation.start:
                continue
            if bucket.start > allocation.end:
                break
            hours = allocation_hours(allocation, resource, bucket.start, bucket.end, full_days=days[index])
            row.cells[index].add(hours, allocation.confirmed)
    return rows


def role_rows(
    resources: Iterable[tuple[int, ResourceFact]],
    allocations: Iterable[AllocationFact],
    columns: Sequence[Bucket],
    resource_facts: dict[int, ResourceFact] | None = None,
) -> dict[int, Row]:
    """Heat-map rows by role id: capacity of the role's people, demand of every allocation with that
    role (named or not). `resources` pairs each resource with its role id."""
    rows: dict[int, Row] = {}
    facts = dict(resource_facts or {})
    capacity: dict[int, list[int]] = {}
    for role_id, resource in resources:
        facts[resource.id] = resource
        capacity[resource.id] = days = _capacity_row(resource, columns)
        row = rows.setdefault(role_id, Row(role_id, [Cell() for _ in columns]))
        for cell, d in zip(row.cells, days, strict=True):
            cell.capacity += resource.daily_hours * d
    if not columns:
        return rows
    window_start, window_end = columns[0].start, columns[-1].end
    for allocation in allocations:
        if allocation.end < window_start or allocation.start > window_end:
            continue
        row = rows.setdefault(allocation.role_id, Row(allocation.role_id, [Cell() for _ in columns]))
        resource = facts.get(allocation.resource_id) if allocation.resource_id is not None else None
        days = capacity.get(allocation.resource_id) if allocation.resource_id is not None else None
        for index, bucket in enumerate(columns):
            if bucket.end < allocation.start:
                continue
            if bucket.start > allocation.end:
                break
            full = days[index] if days is not None else None
            row.cells[index].add(
                allocation_hours(allocation, resource, bucket.start, bucket.end, full_days=full),
                allocation.confirmed,
            )
    return rows


def first_overload(
    resource: ResourceFact, allocations: Iterable[AllocationFact], start: date, end: date
) -> tuple[Bucket, Cell] | None:
    """The first week from `start` to `end` where `allocations` book more than `resource`'s
    capacity, or None: the strict mode's rule."""
    weeks = (end - (start - timedelta(days=start.weekday()))).days // 7 + 1
    columns = buckets(start, weeks, "week")
    row = person_rows([resource], [a for a in allocations if a.resource_id == resource.id], columns)[
        resource.id
    ]
    for bucket, cell in zip(columns, row.cells, strict=True):
        if cell.overloaded and cell.allocated > EPSILON:
            return bucket, cell
    return None


def to_days(hours: float, daily_hours: float = STANDARD_DAILY_HOURS) -> float:
    return hours / daily_hours if daily_hours else 0.0
