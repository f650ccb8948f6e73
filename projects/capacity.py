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

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


def _capacity_row(
    resource: ResourceFact,
    columns: Sequence[Bucket],
    bucket_days: list[int] | None = None,
    starts: list[date] | None = None,
) -> list[int]:
    """Capacity days per bucket, computed only where availability or an absence cuts the bucket
    (`bucket_days` and `starts`, when given, save recomputing the columns' days and starts)."""
    row = list(bucket_days) if bucket_days is not None else [bucket.working_days for bucket in columns]
    if not columns:
        return row
    first, last = columns[0].start, columns[-1].end
    if (
        not resource.absences
        and (resource.available_from is None or resource.available_from <= first)
        and (resource.available_until is None or resource.available_until >= last)
    ):
        return row
    cuts = []
    if resource.available_from and resource.available_from > first:
        cuts.append((first, resource.available_from))
    if resource.available_until and resource.available_until < last:
        cuts.append((resource.available_until, last))
    cuts.extend(a for a in resource.absences if a[0] <= last and a[1] >= first)
    if not cuts:
        return row
    starts = starts if starts is not None else [bucket.start for bucket in columns]
    touched = set()
    for low, high in cuts:
        touched.update(range(max(bisect_right(starts, low) - 1, 0), bisect_right(starts, high)))
    for index in touched:
        row[index] = capacity_days(resource, columns[index].start, columns[index].end)
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


class Row:
    """One heat-map row as three arrays (capacity, confirmed, requested hours per bucket); its
    Cell objects are built only when asked for (a page of rows, not the 3,000 of the pool)."""

    __slots__ = ("key", "capacity", "confirmed", "requested", "_cells")

    def __init__(self, key: int, size: int, capacity: list[float] | None = None):
        self.key = key
        self.capacity = capacity if capacity is not None else [0.0] * size
        self.confirmed = [0.0] * size
        self.requested = [0.0] * size
        self._cells: list[Cell] | None = None

    @property
    def cells(self) -> list[Cell]:
        if self._cells is None:
            self._cells = [
                Cell(c, f, r) for c, f, r in zip(self.capacity, self.confirmed, self.requested, strict=True)
            ]
        return self._cells

    @property
    def overloaded(self) -> bool:
        return any(
            f + r > c + EPSILON for c, f, r in zip(self.capacity, self.confirmed, self.requested, strict=True)
        )


def _book(
    row: Row,
    allocation: AllocationFact,
    resource: ResourceFact | None,
    columns: Sequence[Bucket],
    starts: list[date],
    days: list[int] | None,
) -> None:
    """Add `allocation`'s hours to `row`, bucket by bucket; only partly covered buckets are computed
    day by day, fully covered ones come from the bucket's (capacity) days."""
    low = max(bisect_right(starts, allocation.start) - 1, 0)
    high = bisect_right(starts, allocation.end) - 1
    target = row.confirmed if allocation.confirmed else row.requested
    hours_per_day = allocation.hours_per_week / 5 if allocation.hours_per_week is not None else None
    share = (allocation.percent or 0.0) / 100
    daily = resource.daily_hours if resource is not None else STANDARD_DAILY_HOURS
    for index in range(low, high + 1):
        bucket = columns[index]
        if allocation.start <= bucket.start and allocation.end >= bucket.end:
            if hours_per_day is not None:
                target[index] += hours_per_day * bucket.working_days
            elif days is not None:
                target[index] += share * daily * days[index]
            else:
                target[index] += share * daily * bucket.working_days
        else:
            target[index] += allocation_hours(allocation, resource, bucket.start, bucket.end)


def person_rows(
    resources: Iterable[ResourceFact], allocations: Iterable[AllocationFact], columns: Sequence[Bucket]
) -> dict[int, Row]:
    """Heat-map rows by resource id: capacity and named allocations per bucket."""
    rows: dict[int, Row] = {}
    facts: dict[int, ResourceFact] = {}
    capacity: dict[int, list[int]] = {}
    size = len(columns)
    bucket_days = [bucket.working_days for bucket in columns]
    starts = [bucket.start for bucket in columns]
    for resource in resources:
        facts[resource.id] = resource
        capacity[resource.id] = days = _capacity_row(resource, columns, bucket_days, starts)
        daily = resource.daily_hours
        rows[resource.id] = Row(resource.id, size, [daily * d for d in days])
    if not columns:
        return rows
    window_start, window_end = columns[0].start, columns[-1].end
    for allocation in allocations:
        row = rows.get(allocation.resource_id) if allocation.resource_id is not None else None
        if row is None or allocation.end < window_start or allocation.start > window_end:
            continue
        _book(
            row, allocation, facts[allocation.resource_id], columns, starts, capacity[allocation.resource_id]
        )
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
    size = len(columns)
    bucket_days = [bucket.working_days for bucket in columns]
    starts = [bucket.start for bucket in columns]
    for role_id, resource in resources:
        facts[resource.id] = resource
        capacity[resource.id] = days = _capacity_row(resource, columns, bucket_days, starts)
        row = rows.get(role_id)
        if row is None:
            row = rows[role_id] = Row(role_id, size)
        daily = resource.daily_hours
        row.capacity = [c + daily * d for c, d in zip(row.capacity, days, strict=True)]
    if not columns:
        return rows
    window_start, window_end = columns[0].start, columns[-1].end
    for allocation in allocations:
        if allocation.end < window_start or allocation.start > window_end:
            continue
        row = rows.get(allocation.role_id)
        if row is None:
            row = rows[allocation.role_id] = Row(allocation.role_id, size)
        resource = facts.get(allocation.resource_id) if allocation.resource_id is not None else None
        if resource is not None and allocation.resource_id not in capacity:
            capacity[allocation.resource_id] = _capacity_row(resource, columns, bucket_days, starts)
        days = capacity.get(allocation.resource_id) if resource is not None else None
        _book(row, allocation, resource, columns, starts, days)
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
